package flow

import (
	"crypto/tls"
	"errors"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/certs"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
)

// ClientCertificate parses the certificate input (PKCS#12 or PEM, from
// certificate or certificate-file) with certificate-password. It returns
// nil when neither input was given. A certificate outside its validity
// period is an input error; one close to expiry earns a warning.
func ClientCertificate(s *config.Settings, env *Env) (*tls.Certificate, error) {
	m := s.Certificate
	if !m.Given() {
		return nil, nil
	}
	id, err := certs.Parse(m.Data, s.CertificatePassword)
	switch {
	case errors.Is(err, certs.ErrWrongPassword):
		return nil, &config.InputError{Input: config.InCertificatePassword, Problem: "does not open the PKCS#12 certificate",
			Fix: "give the password chosen when the certificate was generated (empty if none)"}
	case err != nil:
		return nil, &config.InputError{Input: m.Input, Problem: "the data " + err.Error(),
			Fix: "give a PKCS#12 file (binary, or base64 for a CI secret) or PEM with the certificate and its private key"}
	}
	if err := CheckValidity(m.Input, id, env); err != nil {
		return nil, err
	}
	env.Info(certs.Describe(&id.TLS, env.Now()))
	return &id.TLS, nil
}

// CheckValidity refuses a client certificate that has expired or is not yet
// valid, blaming input, and warns through env when it expires soon.
func CheckValidity(input string, id *certs.Identity, env *Env) error {
	warning, err := id.CheckValidity(env.Now())
	if err != nil {
		return &config.InputError{Input: input, Problem: err.Error()}
	}
	if warning != "" {
		env.Warn(warning)
	}
	return nil
}
