package app

import (
	"context"
	"crypto/tls"
	"errors"
	"net/url"
	"strings"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/emit"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/oauth"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/servicekey"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/transport"
)

// prepareOAuth readies the client-credentials and password flows: the
// service key (if any) merged with the token-url, client-id and
// client-secret overrides, and the client certificate of X.509 keys.
func (m *Main) prepareOAuth(s *config.Settings, sink emit.Sink) (prepared, error) {
	key, keyInput, err := serviceKey(s)
	if err != nil {
		return nil, err
	}
	if key != nil {
		// The key's secrets are masked as soon as they are known.
		for _, secret := range key.Secrets() {
			if err := sink.Mask(secret); err != nil {
				return nil, err
			}
		}
	}
	req := oauth.Request{
		TokenURL:     s.TokenURL,
		ClientID:     s.ClientID,
		ClientSecret: s.ClientSecret,
		Scopes:       strings.Fields(s.Scope),
		ClientAuth:   oauth.AuthBody,
	}
	if s.ClientAuth == "basic" {
		req.ClientAuth = oauth.AuthBasic
	}
	if s.Flow == config.FlowPassword {
		req.Grant = oauth.Password
		if s.Username == "" {
			return nil, s.Missing("username", "name the user for the password grant")
		}
		if s.Password == "" {
			return nil, s.Missing("password", "give that user's password")
		}
		req.Username, req.Password = s.Username, s.Password
	}

	var keyCert []byte // PEM certificate and key of an X.509 service key
	if key != nil {
		if req.ClientID == "" {
			req.ClientID = key.ClientID
		}
		if req.ClientSecret == "" {
			req.ClientSecret = key.ClientSecret
		}
		if req.TokenURL == "" {
			u, err := key.TokenEndpoint()
			if err != nil {
				return nil, &config.InputError{Input: keyInput, Problem: err.Error(), Fix: "give token-url, or use the complete service key"}
			}
			req.TokenURL = u
		}
		if key.IsX509() && s.ClientSecret == "" && key.PrivateKey != "" {
			certPEM, keyPEM, err := key.X509KeyPair()
			if err != nil {
				return nil, &config.InputError{Input: keyInput, Problem: err.Error()}
			}
			keyCert = append(append(certPEM, '\n'), keyPEM...)
		}
	}
	if req.TokenURL == "" && req.ClientID == "" && key == nil {
		return nil, &config.InputError{Input: "service-key", Problem: "missing",
			Fix: s.Where("service-key") + " (or service-key-file), or give token-url and client-id"}
	}
	if req.TokenURL == "" {
		return nil, s.Missing("token-url", "give the OAuth token URL")
	}
	if req.ClientID == "" {
		if key != nil {
			return nil, &config.InputError{Input: keyInput, Problem: `has no "clientid"`,
				Fix: "give client-id, or use the complete service key"}
		}
		return nil, s.Missing("client-id", "give the OAuth client id")
	}
	if err := checkTokenURL(req.TokenURL); err != nil {
		in := "token-url"
		if s.TokenURL == "" {
			in = keyInput
		}
		return nil, &config.InputError{Input: in, Problem: err.Error(), Fix: "use the https token URL of the service key"}
	}

	var clientCert *tls.Certificate
	certInput, certData, err := certificateInput(s)
	if err != nil {
		return nil, err
	}
	password := s.CertificatePassword
	if certInput == "" && keyCert != nil {
		certInput, certData, password = keyInput, keyCert, ""
	}
	if certInput != "" {
		id, err := loadIdentity(certInput, certData, password, m.now(), sink)
		if err != nil {
			return nil, err
		}
		clientCert = &id.TLS
	}
	if req.ClientSecret == "" && clientCert == nil {
		if key != nil && key.IsX509() {
			problem := "missing: the service key is an X.509 key without a private key"
			if key.Certificate == "" {
				problem = "missing: the service key is an X.509 key without a certificate or private key"
			}
			return nil, &config.InputError{Input: "certificate", Problem: problem,
				Fix: s.Where("certificate") + " (or certificate-file) to the key's certificate and private key"}
		}
		return nil, s.Missing("client-secret", "give the OAuth client secret (or use an X.509 service key)")
	}
	pool, err := rootPool(s)
	if err != nil {
		return nil, err
	}
	if err := checkDotenv(s); err != nil {
		return nil, err
	}
	hc := transport.New(transport.Options{Timeout: s.Timeout, RootCAs: pool, ClientCertificate: clientCert})
	return func(ctx context.Context) (*result, error) {
		tok, err := oauth.Fetch(ctx, hc, req, m.now)
		if errors.Is(err, oauth.ErrConfig) {
			return nil, inputFailure{err}
		}
		if err != nil {
			return nil, err
		}
		// expires-in and expires-at stay empty rather than claim a lifetime
		// of 0 s (or the year 1) when neither the answer nor the token says.
		expiresIn, expiresAt := "", ""
		if tok.ExpiresIn > 0 {
			expiresIn, expiresAt = itoa(tok.ExpiresIn), tok.ExpiresAt.UTC().Format(timeFormat)
		} else {
			sink.Warning("the token answer gives no lifetime (no positive expires_in, no future exp claim in the token): expires-in and expires-at are empty")
		}
		outs := []emit.Output{
			{Name: "access-token", Value: tok.AccessToken},
			{Name: "authorization", Value: "Bearer " + tok.AccessToken},
			{Name: "token-type", Value: tok.TokenType},
			{Name: "expires-in", Value: expiresIn},
			{Name: "expires-at", Value: expiresAt},
			{Name: "scope", Value: tok.Scope},
		}
		return &result{outputs: outs, primary: "access-token", secrets: tok.Secrets()}, nil
	}, nil
}

// serviceKey reads and parses the service key, if one was given.
func serviceKey(s *config.Settings) (*servicekey.Key, string, error) {
	input, data := "service-key", []byte(s.ServiceKey)
	if s.ServiceKeyFile != "" {
		input = "service-key-file"
		b, err := config.ReadFileInput(input, s.ServiceKeyFile)
		if err != nil {
			return nil, input, err
		}
		data = b
	} else if s.ServiceKey == "" {
		return nil, input, nil
	}
	key, err := servicekey.Parse(data)
	if err != nil {
		return nil, input, &config.InputError{Input: input, Problem: err.Error()}
	}
	return key, input, nil
}

func checkTokenURL(raw string) error {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "":
		return errors.New("not a valid URL")
	case u.Scheme == "http":
		return errors.New("http:// is not allowed: the client secret must not travel unencrypted")
	case u.Scheme != "https":
		return errors.New("not an https URL")
	case u.User != nil:
		return errors.New("the URL must not carry credentials")
	}
	return nil
}
