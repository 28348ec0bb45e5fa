package flow

import (
	"crypto/tls"
	"errors"
	"fmt"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/certs"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
)

// ClientCertificate parses the certificate input (PKCS#12 or PEM, from
// certificate or certificate-file) with certificate-password. It returns
// nil when neither input was given. A certificate outside its validity
// period is an input error; one close to expiry earns a warning.
func ClientCertificate(s *config.Settings, env *Env) (*tls.Certificate, error) {
	if !s.Certificate.Given() {
		return nil, nil
	}
	id, err := ParseCertificateInput(s)
	if err != nil {
		return nil, CertificateInputError(s, err)
	}
	return UseCertificate(s.Certificate.Input, id, env)
}

// ParseCertificateInput decodes the certificate input within the timeout
// (see parseWithin) and returns certs' errors as they are, for a caller
// that handles some itself (a private key alone, for an X.509 key).
func ParseCertificateInput(s *config.Settings) (*certs.Identity, error) {
	return parseWithin(s.Certificate.Data, s.CertificatePassword, s.Timeout)
}

// CertificateInputError turns an error of ParseCertificateInput into the
// input error a user sees.
func CertificateInputError(s *config.Settings, err error) error {
	in := s.Certificate.Input
	switch {
	case errors.Is(err, errSlowParse):
		return &config.InputError{Input: in, Problem: fmt.Sprintf(msgSlowParse, s.Timeout),
			Fix: msgSlowParseFix}
	case errors.Is(err, certs.ErrWrongPassword):
		return &config.InputError{Input: s.Name(&s.CertificatePassword), Problem: msgWrongPassword,
			Fix: msgWrongPasswordFix}
	}
	return &config.InputError{Input: in, Problem: "the data " + err.Error(),
		Fix: msgBadCertificateFix}
}

// UseCertificate refuses a certificate outside its validity period
// (blaming input), and reports it in one line before it is used.
func UseCertificate(input string, id *certs.Identity, env *Env) (*tls.Certificate, error) {
	if err := checkValidity(input, id, env); err != nil {
		return nil, err
	}
	env.Info(certs.Describe(&id.TLS, env.Now()))
	return &id.TLS, nil
}

// checkValidity refuses a client certificate that has expired or is not yet
// valid, blaming input, and warns through env when it expires soon.
func checkValidity(input string, id *certs.Identity, env *Env) error {
	warning, err := id.CheckValidity(env.Now())
	if err != nil {
		return &config.InputError{Input: input, Problem: err.Error()}
	}
	if warning != "" {
		env.Warn(warning)
	}
	return nil
}

// errSlowParse is parseWithin's error when decoding takes too long.
var errSlowParse = errors.New(textSlowParse)

// parseWithin runs certs.Parse, giving up after limit: a PKCS#12 file sets
// its own PBKDF2 and MAC iteration counts, and go-pkcs12 takes them as
// they come, so a hostile file (2^62 iterations) would run for ever. The
// abandoned work ends with the process, which exits right after.
func parseWithin(data []byte, password string, limit time.Duration) (*certs.Identity, error) {
	type result struct {
		id  *certs.Identity
		err error
	}
	done := make(chan result, 1)
	go func() {
		id, err := certs.Parse(data, password)
		done <- result{id, err}
	}()
	timer := time.NewTimer(limit)
	defer timer.Stop()
	select {
	case r := <-done:
		return r.id, r.err
	case <-timer.C:
		return nil, errSlowParse
	}
}
