package app

import (
	"crypto/x509"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/certs"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
)

// rootPool builds the trust store from the system roots and ca-certificates
// (PEM text, or a path to a PEM file).
func rootPool(s *config.Settings) (*x509.CertPool, error) {
	var extra []byte
	if v := s.CACertificates; v != "" {
		if strings.Contains(v, "-----BEGIN") {
			extra = []byte(v)
		} else {
			b, err := config.ReadFileInput("ca-certificates", v)
			if err != nil {
				return nil, err
			}
			extra = b
		}
	}
	pool, err := certs.RootPool(extra)
	if err != nil {
		return nil, &config.InputError{Input: "ca-certificates", Problem: err.Error(), Fix: "give PEM text or a path to a PEM file with -----BEGIN CERTIFICATE----- blocks"}
	}
	return pool, nil
}

// certificateInput returns the certificate data and the name of the input it
// came from, or ("", nil, nil) when neither input is set.
func certificateInput(s *config.Settings) (string, []byte, error) {
	switch {
	case s.Certificate != "":
		return "certificate", []byte(s.Certificate), nil
	case s.CertificateFile != "":
		b, err := config.ReadFileInput("certificate-file", s.CertificateFile)
		return "certificate-file", b, err
	}
	return "", nil, nil
}

// loadIdentity parses a client certificate and checks its validity; a
// certificate close to expiry is reported through sink.
func loadIdentity(input string, data []byte, password string, now time.Time, sink emit.Sink) (*certs.Identity, error) {
	id, err := certs.Parse(data, password)
	switch {
	case errors.Is(err, certs.ErrWrongPassword):
		return nil, &config.InputError{Input: "certificate-password", Problem: "does not open the PKCS#12 certificate",
			Fix: "give the password chosen when the certificate was generated (empty if none)"}
	case err != nil:
		return nil, &config.InputError{Input: input, Problem: "the data " + err.Error(),
			Fix: "give a PKCS#12 file (binary, or base64 for a CI secret) or PEM with the certificate and its private key"}
	}
	warning, err := id.CheckValidity(now)
	if err != nil {
		return nil, &config.InputError{Input: input, Problem: err.Error()}
	}
	if warning != "" {
		sink.Warning(warning)
	}
	return id, nil
}

// checkDotenv makes sure the dotenv file can be created before anything is
// sent, so a passcode is never fetched only to be lost.
func checkDotenv(s *config.Settings) error {
	if s.DotenvFile == "" {
		return nil
	}
	dir := filepath.Dir(s.DotenvFile)
	st, err := os.Stat(dir)
	if err != nil || !st.IsDir() {
		return &config.InputError{Input: "dotenv-file", Problem: "its directory does not exist", Fix: "create the directory or give another path"}
	}
	if st, err := os.Stat(s.DotenvFile); err == nil && st.IsDir() {
		return &config.InputError{Input: "dotenv-file", Problem: "is a directory", Fix: "give a file path"}
	}
	return nil
}
