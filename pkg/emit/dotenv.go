package emit

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
)

// DotenvName is an output's name in a dotenv file: upper case, underscores
// (expires-in becomes EXPIRES_IN), as GitLab's dotenv reports require.
func DotenvName(output string) string {
	return strings.ToUpper(strings.ReplaceAll(output, "-", "_"))
}

// WriteDotenv writes outs as NAME=value lines to path with mode 0600. It
// writes a temporary file in the same directory and renames it, so the file
// is either complete or untouched. Values are written unquoted (GitLab keeps
// quotes literally) and must be single-line.
func WriteDotenv(path string, outs []Output) error {
	var b strings.Builder
	for _, o := range outs {
		if err := CheckValue(o); err != nil {
			return err
		}
		fmt.Fprintf(&b, "%s=%s\n", DotenvName(o.Name), o.Value)
	}
	dir := filepath.Dir(path)
	f, err := os.CreateTemp(dir, ".sap-ci-auth-*.env")
	if err != nil {
		return fmt.Errorf("failed to create the dotenv file in %s: %w", dir, err)
	}
	tmp := f.Name()
	defer os.Remove(tmp) // no-op after a successful rename
	// CreateTemp already uses 0600; Chmod makes it explicit and survives umask.
	if err := f.Chmod(0o600); err != nil {
		f.Close()
		return fmt.Errorf("failed to restrict the dotenv file: %w", err)
	}
	if _, err := f.WriteString(b.String()); err != nil {
		f.Close()
		return fmt.Errorf("failed to write the dotenv file: %w", err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("failed to write the dotenv file: %w", err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("failed to write the dotenv file: %w", err)
	}
	return nil
}
