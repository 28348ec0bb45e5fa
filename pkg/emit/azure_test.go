package emit_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// hostile are values that a logging command could misread: its separators,
// line breaks, the agent's own escapes and a bare percent.
var hostile = []string{
	"a]b", "a;b", "a\rb", "a\nb", "a\r\nb", "%AZP25", "%", "100%", "%3B", "%0D%0A", "%5D", "%%AZP25%",
	"##vso[task.setvariable variable=PATH]x", "k=v;issecret=false]", "é\u2028", "]]];;;",
}

func TestAzureEscapeRoundTrips(t *testing.T) {
	t.Parallel()
	for _, v := range hostile {
		e, ok := emit.AzureEscape(v, true)
		if !ok {
			t.Errorf("AzureEscape(%q) refused with DECODE_PERCENTS on", v)
			continue
		}
		line := "##vso[task.setvariable variable=X;issecret=true;isoutput=true]" + e
		if strings.ContainsAny(e, "\r\n") {
			t.Errorf("AzureEscape(%q) = %q, has a line break", v, e)
		}
		c, ok := saptest.ParseVso(line, true)
		if !ok {
			t.Fatalf("agent does not parse %q", line)
		}
		if got := c.Data; got != v {
			t.Errorf("data %q: agent reads %q, want %q", v, got, v)
		}
		p, ok := saptest.ParseVso("##vso[task.logissue type=error;x="+e+"]", true)
		if got := p.Properties["x"]; !ok || (v != "" && got != v) {
			t.Errorf("property %q: agent reads %q, want %q", v, got, v)
		}
	}
}

func TestAzureEscapeDecodePercentsOff(t *testing.T) {
	t.Parallel()
	for _, v := range hostile {
		e, ok := emit.AzureEscape(v, false)
		intact := ok && saptest.VsoUnescape(e, false) == v
		// Refused exactly when the agent would not read it back.
		wantOK := !strings.Contains(v, "%3B") && !strings.Contains(v, "%0D") && !strings.Contains(v, "%0A") && !strings.Contains(v, "%5D")
		if ok != wantOK || (ok && !intact) {
			t.Errorf("AzureEscape(%q, false) = %q, %v; agent reads it intact: %v; want ok %v", v, e, ok, intact, wantOK)
		}
	}
}

func TestAzure(t *testing.T) {
	t.Parallel()
	variable := func(o string) (string, bool, bool) {
		return emit.DotenvName(o), o == "access-token", o != "authorization"
	}
	cases := []struct {
		name, decode string
		outs         []emit.Output
		json         bool
		wantStdout   string
		wantVars     map[string]saptest.VsoVariable
		wantErr      string
	}{
		{name: "primary on stdout, variables on stderr",
			outs:       []emit.Output{{Name: "access-token", Value: "t;o]k%AZP25"}, {Name: "authorization", Value: "Bearer x"}, {Name: "expires-in", Value: "60"}},
			wantStdout: "t;o]k%AZP25\n",
			wantVars: map[string]saptest.VsoVariable{"ACCESS_TOKEN": {Value: "t;o]k%AZP25", Secret: true, Output: true},
				"EXPIRES_IN": {Value: "60", Output: true}}},
		{name: "json", json: true, outs: []emit.Output{{Name: "access-token", Value: "tok"}},
			wantStdout: `{"access-token":"tok"}` + "\n", wantVars: map[string]saptest.VsoVariable{"ACCESS_TOKEN": {Value: "tok", Secret: true, Output: true}}},
		{name: "line break refused, nothing written", outs: []emit.Output{{Name: "expires-in", Value: "1"}, {Name: "access-token", Value: "a\nb"}}, wantErr: "line break"},
		{name: "DECODE_PERCENTS off: a value the agent would change is refused", decode: "false",
			outs: []emit.Output{{Name: "expires-in", Value: "1"}, {Name: "access-token", Value: "a%3Bb"}}, wantErr: "cannot be carried intact"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			var stdout, stderr bytes.Buffer
			a := emit.NewAzure(&stdout, &stderr, emit.AzureOptions{JSON: tc.json, Variable: variable,
				Getenv: func(k string) string {
					if k == "DECODE_PERCENTS" {
						return tc.decode
					}
					return ""
				}})
			err := a.Outputs(tc.outs, "access-token")
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err %v, want %q", err, tc.wantErr)
				}
				if stdout.Len()+stderr.Len() != 0 {
					t.Errorf("wrote %q and %q, want nothing", stdout.String(), stderr.String())
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := stdout.String(); got != tc.wantStdout {
				t.Errorf("stdout %q, want %q", got, tc.wantStdout)
			}
			log := saptest.ReadVsoLog(stderr.String(), true)
			if len(log.Variables) != len(tc.wantVars) || len(log.Lines) != 0 {
				t.Errorf("agent reads %+v, want %+v and no other line", log, tc.wantVars)
			}
			for k, want := range tc.wantVars {
				if got := log.Variables[k]; got != want {
					t.Errorf("variable %s = %+v, want %+v", k, got, want)
				}
			}
		})
	}
}

func TestAzureMaskAndLog(t *testing.T) {
	t.Parallel()
	var stdout, stderr bytes.Buffer
	a := emit.NewAzure(&stdout, &stderr, emit.AzureOptions{Getenv: func(string) string { return "" }})
	const sec = "s3c;r]t%0A"
	if err := a.Mask(sec); err != nil {
		t.Fatal(err)
	}
	if err := a.Mask(sec); err != nil {
		t.Fatal(err)
	}
	a.Warning("server said " + sec + " ##vso[task.setvariable variable=PATH]/evil")
	a.Error("bad;]\nthing")
	a.Notice("look ##vso[task.complete result=Failed]")
	log := saptest.ReadVsoLog(stderr.String(), true)
	if len(log.Secrets) == 0 || log.Secrets[0] != sec {
		t.Errorf("secrets %q, want %q first", log.Secrets, sec)
	}
	if log.LastSecret > log.FirstOther {
		t.Errorf("a setsecret after another line: %q", stderr.String())
	}
	n := strings.Count(stderr.String(), "task.setsecret")
	if n != len(log.Secrets) {
		t.Errorf("%d setsecret lines for %d forms: the second Mask repeated them", n, len(log.Secrets))
	}
	want := []saptest.VsoIssue{{Type: "warning", Message: "sap-ci-auth: server said *** ##vso[task.setvariable variable=PATH]/evil"},
		{Type: "error", Message: "sap-ci-auth: bad;]\nthing"}}
	if len(log.Issues) != 2 || log.Issues[0] != want[0] || log.Issues[1] != want[1] {
		t.Errorf("issues %q, want %q", log.Issues, want)
	}
	if len(log.Lines) != 1 || strings.Contains(log.Lines[0], "##vso[") {
		t.Errorf("notice lines %q, want one with no command in it", log.Lines)
	}
	if len(log.Variables) != 0 {
		t.Errorf("a log line set variables %v", log.Variables)
	}
}

func TestAzureCheckDecodePercents(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		value string
		ok    bool
	}{{"", true}, {"true", true}, {"1", true}, {"$True", true}, {"false", false}, {"0", false}, {"no", false}} {
		a := emit.NewAzure(nil, nil, emit.AzureOptions{Getenv: func(string) string { return tc.value }})
		if err := a.Check(); (err == nil) != tc.ok {
			t.Errorf("DECODE_PERCENTS=%q: Check() = %v, want ok %v", tc.value, err, tc.ok)
		}
	}
}
