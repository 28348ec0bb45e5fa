package oauth

import (
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/oidc"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/servicekey"
)

// client is the OAuth client a token request authenticates as, resolved
// once from the service key, the token-url, client-id and client-secret
// overrides, the client-auth style and the certificate inputs, the same way
// for every grant.
type client struct {
	// tokenURL is the token endpoint, checked by checkTokenURL; a
	// placeholder when discover is set.
	tokenURL string
	// urlInput is the input the token URL came from, for messages.
	urlInput string
	// id and secret are the client's credentials; secret is empty for a
	// client that authenticates with its certificate.
	id, secret string
	// auth is where id and secret go.
	auth clientAuthMode
	// cert is the client certificate for mutual TLS, or nil.
	cert *tls.Certificate
	// discover, when set, is the discovery document that names the mTLS
	// token endpoint (a self-managed X.509 key without certurl); the run
	// looks it up first.
	discover string
	// secrets are the secrets of the client's inputs that are not sent (the
	// service key's, the certificate password), for keeping them out of
	// messages.
	secrets []string
	// audience is the audience the job's ID token is requested for when
	// auth is authJobToken and the audience input is empty: the IAS
	// tenant's URL, or the token URL (see resolveJobClient).
	audience string
}

// resolveClient resolves the client g is sent for, checking everything it
// can without sending a request, and masks the service key's secrets (and
// the Basic header forms of the client secret) as soon as they are known.
func resolveClient(s *config.Settings, env *flow.Env, g *grant) (*client, error) {
	if s.ClientAuth == config.ClientAuthIDToken {
		return resolveJobClient(s, g)
	}
	var key *servicekey.Key
	keyInput := s.ServiceKey.Input
	if s.ServiceKey.Given() {
		k, err := servicekey.Parse(s.ServiceKey.Data)
		if err != nil {
			return nil, &config.InputError{Input: keyInput, Problem: err.Error()}
		}
		for _, secret := range k.Secrets() {
			if err := env.Mask(secret); err != nil {
				return nil, err
			}
		}
		key = k
	}
	c := &client{tokenURL: s.TokenURL, urlInput: s.Name(&s.TokenURL), id: s.ClientID, secret: s.ClientSecret, auth: authBody}
	if s.ClientAuth == "basic" {
		c.auth = authBasic
	}
	if g.tokenURL != "" {
		c.tokenURL, c.urlInput = g.tokenURL, g.urlInput
	}
	if key != nil {
		if err := c.fromKey(key, keyInput); err != nil {
			return nil, err
		}
	}
	switch {
	case c.tokenURL == "" && c.id == "" && key == nil:
		return nil, &config.InputError{Input: s.Name(&s.ServiceKey), Problem: "missing",
			Fix: fmt.Sprintf(msgFixNoClient, s.Where(&s.ServiceKey))}
	case c.tokenURL == "":
		return nil, s.Missing(&s.TokenURL, msgFixNoTokenURL)
	case c.id == "" && key != nil:
		return nil, &config.InputError{Input: keyInput, Problem: msgKeyNoClientID, Fix: msgFixKeyNoClientID}
	case c.id == "":
		return nil, s.Missing(&s.ClientID, msgFixNoClientID)
	}
	if c.secret != "" {
		// What a server may echo of the client's credentials: the Basic
		// header's base64 of id:secret, form-encoded first (RFC 6749
		// §2.3.1) or not.
		for _, form := range basicForms(c.id, c.secret) {
			if err := env.Mask(form); err != nil {
				return nil, err
			}
		}
	}
	if err := checkTokenURL(c.tokenURL); err != nil {
		return nil, &config.InputError{Input: c.urlInput, Problem: err.Error(), Fix: msgFixBadTokenURL}
	}
	// A client certificate is decoded only when it will be sent: the
	// certificate inputs win; else an X.509 key's own certificate and key,
	// unless a client secret was given to use instead.
	var err error
	switch {
	case key != nil && key.Certificate != "" && (s.Certificate.Given() || c.secret == "" && key.PrivateKey != ""):
		c.cert, err = keyCertificate(key, keyInput, s, env)
	case s.Certificate.Given():
		c.cert, err = flow.ClientCertificate(s, env)
	}
	if err != nil {
		return nil, err
	}
	if c.secret == "" && c.cert == nil {
		return nil, publicClient(s, key, g)
	}
	c.secrets = []string{s.ClientSecret, s.CertificatePassword}
	if key != nil {
		c.secrets = append(c.secrets, key.Secrets()...)
	}
	return c, nil
}

// resolveJobClient resolves a client that authenticates with the CI job's
// ID token (client-auth id-token, RFC 7523 §2.2), as an IAS application
// does whose Client Authentication trusts the job's issuer and subject.
// The token is its only credential: a client secret, a certificate or a
// service key (which holds one of them) given as well is refused, since the
// user meant one of them and a server might take either.
func resolveJobClient(s *config.Settings, g *grant) (*client, error) {
	if !g.idTokenAuth {
		return nil, &config.InputError{Input: s.Name(&s.ClientAuth), Problem: fmt.Sprintf(msgIDTokenAuthGrant, g.name),
			Fix: msgFixIDTokenAuthGrant}
	}
	for _, given := range []struct {
		input string
		set   bool
	}{
		{s.Name(&s.ClientSecret), s.ClientSecret != ""},
		{s.Certificate.Input, s.Certificate.Given()},
		{s.ServiceKey.Input, s.ServiceKey.Given()},
	} {
		if given.set {
			return nil, &config.InputError{Input: given.input, Problem: msgGivenWithIDTokenAuth, Fix: msgFixGivenWithIDTokenAuth}
		}
	}
	c := &client{tokenURL: s.TokenURL, urlInput: s.Name(&s.TokenURL), id: s.ClientID, auth: authJobToken}
	if g.tokenURL != "" {
		c.tokenURL, c.urlInput = g.tokenURL, g.urlInput
	}
	switch {
	case c.tokenURL == "":
		return nil, s.Missing(&s.IASTenant, msgFixIDTokenAuthNoTenant)
	case c.id == "":
		return nil, s.Missing(&s.ClientID, msgFixIDTokenAuthNoClientID)
	}
	if err := checkTokenURL(c.tokenURL); err != nil {
		return nil, &config.InputError{Input: c.urlInput, Problem: err.Error(), Fix: msgFixBadTokenURL}
	}
	// The audience to request (RFC 7523 §3: a value that identifies the
	// server): at an IAS tenant its URL, which SAP documents IAS takes in
	// a jwt-bearer assertion's aud, so that one token serves as both;
	// else the token URL, which §3 says may always be used.
	c.audience = c.tokenURL
	if g.tenant != "" {
		c.audience = g.tenant
	}
	return c, nil
}

// unquoted is a server's text without its quoted parts ("…" or '…'): the
// names it echoes (a subject, an issuer, a client id), which must not
// decide the cause. A quote that is not closed stays.
func unquoted(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == '"' || c == '\'' {
			if end := strings.IndexByte(s[i+1:], c); end >= 0 {
				i += end + 1
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// assertionRefused gives the hint for a refusal of the job's ID token
// (with claims) that c authenticated with as auth describes: the likely
// cause when the server's error_description (desc, in lower case) names
// one outside its quotes, then what IAS must know of the token. SAP does
// not document IAS's texts for these refusals, so the cause is only
// looked for, never relied on.
func (c *client) assertionRefused(auth *oidc.ClientAuth, claims *oidc.Claims) func(desc string) string {
	aud := strings.Join(claims.Audience, " ")
	return func(desc string) string {
		desc = unquoted(desc)
		likely := ""
		switch {
		case strings.Contains(desc, "jti") || strings.Contains(desc, "already used") || strings.Contains(desc, "replay"):
			likely = msgLikelyReused
		case strings.Contains(desc, "expired"):
			likely = msgLikelyExpired
		case strings.Contains(desc, "audience"):
			likely = fmt.Sprintf(msgLikelyAudience, aud, auth.AudienceAdvice())
		case strings.Contains(desc, "subject"):
			likely = fmt.Sprintf(msgLikelySubject, claims.Subject)
		case strings.Contains(desc, "issuer"):
			likely = fmt.Sprintf(msgLikelyIssuer, claims.Issuer)
		}
		return fmt.Sprintf(msgJobTokenRefused, c.id, likely, claims.Issuer, claims.Subject, aud, auth.AudienceAdvice())
	}
}

// fromKey fills what the overrides left empty from the service key.
func (c *client) fromKey(key *servicekey.Key, keyInput string) error {
	if c.id == "" {
		c.id = key.ClientID
	}
	if c.secret == "" {
		c.secret = key.ClientSecret
	}
	if c.tokenURL == "" && key.IsX509() && key.TokenURL == "" && key.CertURL == "" && key.URL != "" {
		// A self-managed X.509 key names no mTLS host: XSUAA publishes it
		// as mtls_endpoint_aliases in its discovery document. The URL is a
		// placeholder checked like any token URL; the run looks the real
		// one up first.
		disc, err := discoveryURL(key.URL)
		if err != nil {
			return &config.InputError{Input: keyInput, Problem: msgKeyBadURL, Fix: msgFixKeyBadURL}
		}
		c.discover, c.urlInput, c.tokenURL = disc, keyInput, key.URL
	}
	if c.tokenURL == "" {
		u, err := key.TokenEndpoint()
		if err != nil {
			return &config.InputError{Input: keyInput, Problem: err.Error(), Fix: msgFixKeyNoTokenURL}
		}
		c.tokenURL, c.urlInput = u, keyInput
	}
	return nil
}

// publicClient is the error for a client with neither a secret nor a
// certificate.
func publicClient(s *config.Settings, key *servicekey.Key, g *grant) error {
	if g.confidential && (key == nil || !key.IsX509()) {
		// IAS and XSUAA take the grant only from confidential clients, so
		// the request could only fail, and each failure counts toward the
		// client's lockout.
		return s.Missing(&s.ClientSecret, fmt.Sprintf(msgFixConfidential, g.name))
	}
	if key != nil && key.IsX509() {
		problem := msgX509KeyNoPrivateKey
		if key.Certificate == "" {
			problem = msgX509KeyNoCertificate
		}
		return &config.InputError{Input: s.Name(&s.Certificate), Problem: problem,
			Fix: fmt.Sprintf(msgFixX509Key, s.Where(&s.Certificate))}
	}
	return s.Missing(&s.ClientSecret, msgFixNoClientSecret)
}

// basicForms are the Basic header's base64 of id:secret, form-encoded first
// (RFC 6749 §2.3.1, as x/oauth2 sends it) and not.
func basicForms(id, secret string) []string {
	return []string{
		base64.StdEncoding.EncodeToString([]byte(url.QueryEscape(id) + ":" + url.QueryEscape(secret))),
		base64.StdEncoding.EncodeToString([]byte(id + ":" + secret)),
	}
}

// describe tells `sap-ci-auth inspect` how the client authenticates;
// nothing secret.
func (c *client) describe(env *flow.Env) {
	env.Describe(textTokenURL, fmt.Sprintf(textTokenURLFrom, c.tokenURL, c.urlInput))
	if c.discover != "" {
		env.Describe(textTokenURL, fmt.Sprintf(textDiscoveredTokenURL, c.discover))
	}
	env.Describe(textClientID, c.id)
	auth := "client_secret_" + map[clientAuthMode]string{authBody: "post (body)", authBasic: "basic (header)"}[c.auth]
	switch {
	case c.auth == authJobToken:
		auth = textAuthJobToken
	case c.cert != nil && c.secret == "":
		auth = textAuthCertificate
	case c.cert != nil:
		auth += textOverMutualTLS
	}
	env.Describe(textClientAuth, auth)
}

// checkVerifyURL allows an absolute https URL with a port in range and no
// user info; the token goes there.
func checkVerifyURL(raw string) error {
	_, err := checkHTTPS(raw, msgTokenInClear)
	return err
}

// checkHTTPS parses an absolute https URL without user info and with a
// port in range; why says what http:// would expose.
func checkHTTPS(raw, why string) (*url.URL, error) {
	u, err := url.Parse(raw)
	switch {
	case err != nil || u.Host == "" || u.Hostname() == "":
		return nil, errors.New(msgBadURL)
	case strings.EqualFold(u.Scheme, "http"):
		return nil, fmt.Errorf(msgHTTPNotAllowed, why)
	case !strings.EqualFold(u.Scheme, "https"):
		return nil, errors.New(msgNotHTTPS)
	case u.User != nil:
		return nil, errors.New(msgURLCredentials)
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, errors.New(msgBadPort)
		}
	}
	return u, nil
}

// credentialParams are query parameters that carry credentials; a token URL
// holding one would print it in every network error.
var credentialParams = []string{"client_secret", "password", "assertion", "client_assertion", "access_token", "refresh_token", "code", "secret", "token"}

// checkTokenURL is the one check of a token URL, from the token-url input
// or a service key: absolute https, no user info, no credentials in the
// query.
func checkTokenURL(raw string) error {
	u, err := checkHTTPS(raw, msgSecretInClear)
	if err != nil {
		return err
	}
	for k := range u.Query() {
		for _, c := range credentialParams {
			if strings.EqualFold(k, c) {
				return fmt.Errorf(msgQueryCredentials, c)
			}
		}
	}
	return nil
}
