package emit

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"unicode"
)

// A dotenv file is read in two ways, and written so that both read the
// same values:
//
//   - as a GitLab dotenv report (artifacts:reports:dotenv). GitLab's
//     Ci::ParseDotenvArtifactService splits each line at the first "=",
//     strips white space around name and value, keeps quotes literally,
//     accepts names of ASCII letters, digits and "_" (at most 255),
//     rejects multi-line values, and rejects a file of dotenvSizeLimit
//     bytes or more and one with more than dotenvVariableLimit variables
//     (instance limits dotenv_size and dotenv_variables, with these
//     defaults);
//   - by a POSIX shell, with `set -a; . ./file`.
//
// So values are written unquoted, and only when every character is in
// dotenvSafe: letters, digits and . _ + / = : , @ % ! -. Each of these is
// literal in the value of an unquoted sh assignment, and GitLab keeps it as
// it is. "!" is there because every XSUAA scope holds one
// (it!b5678.MonitorDataRead); it is special only at the start of a command
// and in interactive history expansion, never in a sourced assignment. Left out, on purpose: white space (splits the line into a
// command), $ and ` (expansions), quotes and \ (quote removal: sh and
// GitLab would read different values), ; & | < > ( ) (operators), ~ (tilde
// expansion after = and :), # (a comment to many dotenv readers),
// * ? [ ] { } ^ (globbing, braces; not expanded in an
// assignment, but refused to stay obviously safe), control characters and
// everything non-ASCII. A value may not start with "=" either: zsh (run as
// zsh, not as sh) expands =cmd to the path of cmd. Tokens (JWT, base64,
// hex), passcodes, numbers and RFC 3339 times fit; "Bearer <token>" and a
// two-word scope do not, and are left out with a warning.

// dotenvSizeLimit is GitLab's default dotenv_size instance limit: a report of
// this many bytes or more is rejected.
const dotenvSizeLimit = 5120

// dotenvVariableLimit is GitLab's smallest default dotenv_variables instance
// limit (self-managed); GitLab.com allows more.
const dotenvVariableLimit = 20

var (
	dotenvSafe = regexp.MustCompile(`^[A-Za-z0-9._+/=:,@%!-]*$`)
	shellName  = regexp.MustCompile(`^[A-Za-z_][A-Za-z0-9_]*$`)
)

// DotenvName is an output's name in a dotenv file: upper case, underscores
// (expires-in becomes EXPIRES_IN), as GitLab's dotenv reports require.
func DotenvName(output string) string {
	return strings.ToUpper(strings.ReplaceAll(output, "-", "_"))
}

// CheckDotenv makes sure path can be written by WriteDotenv, before anything
// is requested: it must be a regular file or a new file, not a symbolic
// link (WriteDotenv replaces the file, so a link would be replaced while its
// target stayed stale), not a device such as /dev/stdout, not a directory,
// and its directory must exist and be writable.
func CheckDotenv(path string) error {
	if path == "" {
		return errors.New(msgDotenvEmpty)
	}
	if err := checkDotenvTarget(path); err != nil {
		return err
	}
	return checkDirWritable("dotenv-file", path)
}

// checkDotenvTarget refuses anything at path that is not a regular file.
func checkDotenvTarget(path string) error {
	st, err := os.Lstat(path)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return fmt.Errorf(msgDotenvCheck, path, err)
	case st.Mode()&fs.ModeSymlink != 0:
		return fmt.Errorf(msgDotenvLink, path)
	case st.IsDir():
		return fmt.Errorf(msgDotenvDir, path, filepath.Join(path, textDotenvExample))
	case !st.Mode().IsRegular():
		return fmt.Errorf(msgDotenvSpecial, path)
	}
	return nil
}

// WriteDotenv writes outs as NAME=value lines to path with mode 0600. It
// writes a temporary file in the same directory and renames it, so the file
// is either complete or untouched, and it refuses a path that is not a
// regular file (checked again just before the rename).
//
// A value that is not safe unquoted in both sh and a GitLab dotenv report
// (see dotenvSafe above) is left out, and a warning names its output and
// why, never the value; the other values are written. A warning also says
// when the file exceeds GitLab's default limits. The caller prints the
// warnings.
func WriteDotenv(path string, outs []Output) (warnings []string, err error) {
	var b bytes.Buffer
	n := 0
	for _, o := range outs {
		name := DotenvName(o.Name)
		if !shellName.MatchString(name) || len(name) > 255 {
			return nil, fmt.Errorf(msgDotenvName, o.Name)
		}
		if err := CheckDotenvValue(o); err != nil {
			warnings = append(warnings, fmt.Sprintf(msgDotenvLeftOut, name, o.Name, err))
			continue
		}
		fmt.Fprintf(&b, "%s=%s\n", name, o.Value)
		n++
	}
	if b.Len() >= dotenvSizeLimit {
		warnings = append(warnings, fmt.Sprintf(msgDotenvSize, b.Len(), dotenvSizeLimit))
	}
	if n > dotenvVariableLimit {
		warnings = append(warnings, fmt.Sprintf(msgDotenvVariables, n, dotenvVariableLimit))
	}
	if err := writeReplace(path, b.Bytes()); err != nil {
		return nil, err
	}
	return warnings, nil
}

// CheckDotenvValue says why o's value cannot be written unquoted to a
// dotenv file that sh and GitLab read alike (see dotenvSafe), or nil. The
// error never holds the value.
func CheckDotenvValue(o Output) error {
	if dotenvSafe.MatchString(o.Value) && !strings.HasPrefix(o.Value, "=") {
		return nil
	}
	return fmt.Errorf(msgUnsafeValue, unsafeKind(o.Value))
}

// unsafeKind names the first kind of character in v that dotenvSafe
// refuses, without showing it.
func unsafeKind(v string) string {
	if strings.HasPrefix(v, "=") {
		return msgLeadingEquals
	}
	for _, r := range v {
		if r < 0x80 && dotenvSafe.MatchString(string(r)) {
			continue
		}
		switch {
		case r == ' ' || r == '\t':
			return msgWhiteSpace
		case r < 0x20 || r == 0x7f:
			return msgControlChar
		case r >= 0x80 && unicode.IsSpace(r):
			return msgWhiteSpace
		case r >= 0x80:
			return msgNonASCII
		case r == '"' || r == '\'':
			return msgQuote
		default:
			return msgShellSpecial
		}
	}
	return msgNothingUnsafe
}

// writeReplace writes data to a temporary file next to path and renames it
// over path.
func writeReplace(path string, data []byte) error {
	if err := checkDotenvTarget(path); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".sap-ci-auth-*.env")
	if err != nil {
		return fmt.Errorf(msgDotenvCreate, path, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
	// CreateTemp already uses 0600; Chmod makes it explicit and survives umask.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf(msgDotenvRestrict, path, err)
	}
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf(msgDotenvWrite, path, err)
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return fmt.Errorf(msgDotenvWrite, path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf(msgDotenvWrite, path, err)
	}
	// Again just before the rename: a link or device put there since
	// CheckDotenv is refused, not replaced.
	if err := checkDotenvTarget(path); err != nil {
		return err
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf(msgDotenvWrite, path, err)
	}
	return nil
}
