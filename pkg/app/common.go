package app

import (
	"os"
	"path/filepath"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
)

// checkDotenv makes sure the dotenv file can be created before anything is
// sent, so a passcode is never fetched only to be lost.
func checkDotenv(path string) error {
	dir := filepath.Dir(path)
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return &config.InputError{Input: config.InDotenvFile, Problem: "its directory does not exist", Fix: "create the directory or give another path"}
	}
	if st, err := os.Stat(path); err == nil && st.IsDir() {
		return &config.InputError{Input: config.InDotenvFile, Problem: "is a directory", Fix: "give a file path"}
	}
	return nil
}
