// Package config holds the one table of sap-ci-auth's inputs and loads them
// from wherever the runner puts them: GitHub's INPUT_<NAME> variables,
// SAP_CI_AUTH_<NAME> variables elsewhere, and command-line flags.
//
// An input is declared once, as a tagged field of [Settings]; go-envconfig
// decodes into that struct, and [Inputs], built from the same tags, is
// what --help, the flag set, the environment names, the mask list and the
// action.yml test read. A new input is one field plus its use in a flow.
// Which flow reads which input is said by the flow registry in pkg/app,
// from each flow's Inputs ([Names]).
//
// [Load] resolves every input once: "text or a path" inputs become their
// bytes (files read with a cap, only regular files), the timeout a
// time.Duration, and everything is validated, so nothing after Load reads
// a file or the environment.
package config

import (
	"fmt"
	"reflect"
	"strings"
)

// Input describes one setting the user can give. [Inputs] builds it from
// the tags of a [Settings] field, the input's one declaration.
type Input struct {
	// Name is the action.yml input name and the flag name (kebab case).
	Name string
	// Description is shown by --help and mirrors action.yml.
	Description string
	// Default is the value used when the input is unset or empty.
	Default string
	// Secret inputs are masked before anything is printed and have no
	// command-line flag, because argv is visible to other processes.
	Secret bool
	// File names the input that gives the same data as a path (certificate
	// → certificate-file); its content is as secret as this input.
	File string
	// ShellOnly inputs make sense only outside GitHub Actions and are not
	// declared in action.yml.
	ShellOnly bool

	// field is the index of the Settings field the input fills.
	field int
	// twinOf names the text input of a file input (certificate-file →
	// certificate), which fills the same field.
	twinOf string
	// orPath marks a Material input that takes text or a path.
	orPath bool
}

// Inputs is the table of every input, in the order --help and action.yml
// list them: the Settings fields in order, each file twin after its input.
var Inputs = declare()

// declare reads the declarations of the Settings fields.
func declare() []Input {
	var out []Input
	t := reflect.TypeFor[Settings]()
	for i := range t.NumField() {
		f := t.Field(i)
		tag, ok := f.Tag.Lookup("env")
		if !ok {
			continue
		}
		key, opts, _ := strings.Cut(tag, ",")
		in := Input{Name: inputName(key), Description: f.Tag.Get("help"), field: i}
		in.Default, _ = strings.CutPrefix(opts, "default=")
		for opt := range strings.SplitSeq(f.Tag.Get("input"), ",") {
			switch opt {
			case "secret":
				in.Secret = true
			case "shell":
				in.ShellOnly = true
			case "orpath":
				in.orPath = true
			}
		}
		file, twin := f.Tag.Lookup("file")
		if twin {
			in.File = in.Name + "-file"
		}
		out = append(out, in)
		if twin {
			out = append(out, Input{Name: in.File, Description: file, field: i, twinOf: in.Name})
		}
	}
	return out
}

// lookup returns the input called name.
func lookup(name string) (Input, bool) {
	for _, in := range Inputs {
		if in.Name == name {
			return in, true
		}
	}
	return Input{}, false
}

// In names inputs by their fields, where there is no loaded Settings at
// hand: config.Names(&config.In.IASTenant) is ["ias-tenant"]. Only its
// fields' addresses are used.
var In = &Settings{}

// Names lists the inputs that fill the given fields of [In], a Material's
// file twin included, as a flow's Inputs list them. A pointer to anything
// else is a programming error and panics.
func Names(fields ...any) []string {
	var out []string
	for _, f := range fields {
		in := In.input(f)
		out = append(out, in.Name)
		if in.File != "" {
			out = append(out, in.File)
		}
	}
	return out
}

// Name is the input that fills field, a pointer to one of s's fields: for a
// Material, the text input (its file twin is in the Material's Input once
// loaded). A pointer to anything else is a programming error and panics.
func (s *Settings) Name(field any) string { return s.input(field).Name }

// input finds the declaration of the field that ptr points to.
func (s *Settings) input(ptr any) Input {
	p := reflect.ValueOf(ptr)
	base := reflect.ValueOf(s).Elem()
	if p.Kind() == reflect.Pointer {
		for _, in := range Inputs {
			if f := base.Field(in.field).Addr(); in.twinOf == "" && f.Type() == p.Type() && f.Pointer() == p.Pointer() {
				return in
			}
		}
	}
	panic(fmt.Sprintf("config: %T is not a pointer to an input field of these Settings", ptr))
}

// GitHubEnv is the variable the GitHub runner sets for an input: INPUT_
// followed by the name in upper case, hyphens kept (INPUT_IAS-TENANT).
func GitHubEnv(name string) string {
	return "INPUT_" + strings.ToUpper(strings.ReplaceAll(name, " ", "_"))
}

// ShellEnv is the variable read outside GitHub: SAP_CI_AUTH_ followed by the
// name in upper case with hyphens as underscores (SAP_CI_AUTH_IAS_TENANT).
func ShellEnv(name string) string {
	return envPrefix + envKey(name)
}

// envPrefix starts every variable read outside GitHub Actions.
const envPrefix = "SAP_CI_AUTH_"

// envKey is the go-envconfig key of an input: upper case, underscores.
func envKey(name string) string {
	return strings.ToUpper(strings.ReplaceAll(name, "-", "_"))
}

// inputName turns a go-envconfig key back into an input name.
func inputName(key string) string {
	return strings.ToLower(strings.ReplaceAll(key, "_", "-"))
}
