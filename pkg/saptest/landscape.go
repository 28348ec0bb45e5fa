package saptest

import (
	"encoding/json"
	"errors"
	"fmt"
)

// Identities of a [Landscape]. The names are fixed so that tests and the
// demo read well; every secret is random per landscape.
const (
	// LandscapeIASClientID is the IAS OAuth client ([Landscape.IAS]'s
	// /oauth2/token) that exchanges a CI job's ID token with the jwt-bearer
	// grant; its secret is IASClientSecret.
	LandscapeIASClientID = "f3b1c9a0-5e7d-4c2b-9a61-0d2e8c4b7a15"
	// LandscapeIASJobClientID is an IAS OAuth application with no secret
	// ([Landscape.IAS]'s /oauth2/token): it authenticates with the CI
	// job's own ID token from [Landscape.Issuer] as client_assertion
	// (RFC 7523 §2.2), for the subjects GitHubSubject and GitLabSubject.
	LandscapeIASJobClientID = "sap-ci-auth-secretless"
	// LandscapeJobAudience is the audience the IAS tenant wants in a CI
	// job's ID token from [Landscape.Issuer].
	LandscapeJobAudience = "sap-ci-auth-demo"
	// LandscapeIASUser is the subject CN of the IAS technical user's client
	// certificate ([Landscape.Client]).
	LandscapeIASUser = "P000042 (sap-ci-auth technical user)"
	// LandscapeCPIClientID is the client id of the Cloud Integration "api"
	// plan service key with a client secret ([Landscape.CPIKey]). The "!"
	// and "|" are as real ids have them.
	LandscapeCPIClientID = "sb-ci-auth!b101|it!b202"
	// LandscapeCPIX509ClientID is the client id of the Cloud Integration
	// service key of key type Certificate ([Landscape.CPIX509Key]); its
	// certificate's CN is the same id.
	LandscapeCPIX509ClientID = "sb-ci-auth-x509!b103|it!b202"
	// LandscapeCPIScope is the scope the fake Cloud Integration API wants,
	// in the form third-party code requests (xsappname + Neo-style name).
	LandscapeCPIScope = "it!b202.IntegrationOperationServer.read"
	// LandscapeCPIUser is a technical user of the CPI tenant's default
	// identity provider (origin "uaa"), for the password grant with the
	// CPI service key.
	LandscapeCPIUser = "cpi-technical-user"
	// LandscapeOrigin is the origin key of the custom identity provider of
	// the CPI tenant's UAA.
	LandscapeOrigin = "corp-idp"
	// LandscapeOriginUser is a user known only to LandscapeOrigin: a
	// password grant for it succeeds only with
	// login_hint={"origin":"corp-idp"}.
	LandscapeOriginUser = "corp-user@example.com"
	// LandscapeCockpitClientID is the client id of the HANA cockpit's UAA
	// service key ([Landscape.CockpitKey]).
	LandscapeCockpitClientID = "sb-cockpit!i1"
	// LandscapeCockpitUser is the cockpit user of the password grant.
	LandscapeCockpitUser = "COCKPIT_ADMIN"
	// LandscapeCockpitTokenPath is the token path of the cockpit's UAA,
	// which serves under /uaa-security.
	LandscapeCockpitTokenPath = "/uaa-security/oauth/token"
	// LandscapeCockpitExpiresIn is the lifetime of the cockpit UAA's
	// tokens in seconds.
	LandscapeCockpitExpiresIn = 14399
)

// Landscape is the whole fake SAP landscape that sap-ci-auth talks to, on
// 127.0.0.1, with every credential a pipeline would hold for it:
//
//   - an IAS tenant and a technical user's client certificate for it (as
//     PEM and as a PKCS#12 file with its password), issued by the
//     intermediate CA so that the chain must travel in the handshake, with
//     an ECDSA P-256 key unless [WithClientOptions] asks for RSA;
//   - a Cloud Integration tenant: its XSUAA ([Landscape.UAA]) and its API
//     ([Landscape.CPI]), with a client-secret and an X.509 service key, a
//     technical user of the default origin and one of a custom origin;
//   - a HANA cockpit: its own UAA under /uaa-security, whose tokens last
//     14399 s, its API, its service key as `xs service-key` prints it, and
//     a cockpit user.
//
// Build one with [NewLandscape] (or [MustLandscape] in a test) and Close it
// when done. All fields are set by NewLandscape and must not be changed.
type Landscape struct {
	// PKI issued every certificate; clients trust [PKI.RootPEM].
	PKI *PKI
	// IAS is the IAS tenant; [Landscape.Client] logs on to it. Its OAuth
	// client LandscapeIASClientID exchanges ID tokens of Issuer with the
	// audience LandscapeJobAudience or the tenant URL (jwt-bearer), mapping
	// their sub to a user. Its client LandscapeIASJobClientID has no
	// secret: it authenticates with an ID token of Issuer whose sub is
	// GitHubSubject or GitLabSubject and whose aud holds the tenant URL or
	// its token URL ([IAS.TrustClientAssertion]), for the
	// client_credentials grant or the jwt-bearer grant, whose assertion may
	// be the same token.
	IAS *IAS
	// Issuer is the CI's OIDC issuer (GitHub-style token service and
	// GitLab-style tokens) that IAS trusts; UAA trusts IAS in turn.
	Issuer *Issuer
	// UAA is the Cloud Integration tenant's XSUAA. Its clients are
	// LandscapeCPIClientID (secret CPIClientSecret) and
	// LandscapeCPIX509ClientID (certificate X509Client); it grants
	// LandscapeCPIScope; its users are LandscapeCPIUser (CPIUserPassword)
	// and, in origin LandscapeOrigin, LandscapeOriginUser
	// (OriginUserPassword).
	UAA *UAA
	// CPI is the Cloud Integration API; it wants a token of UAA with
	// LandscapeCPIScope.
	CPI *CPI
	// CockpitUAA is the HANA cockpit's UAA, token endpoint
	// /uaa-security/oauth/token. Its client is LandscapeCockpitClientID
	// (CockpitClientSecret), its user LandscapeCockpitUser
	// (CockpitPassword).
	CockpitUAA *UAA
	// Cockpit is the HANA cockpit API; it wants any token of CockpitUAA.
	Cockpit *CPI

	// Client is the IAS technical user's certificate, CN LandscapeIASUser.
	Client *ClientCert
	// ClientP12 is Client as a PKCS#12 file (OpenSSL 3 default encryption,
	// [P12Modern]) under ClientP12Password.
	ClientP12 []byte
	// ClientP12Password is the password of ClientP12.
	ClientP12Password string
	// X509Client is the certificate of the X.509 service key, CN
	// LandscapeCPIX509ClientID.
	X509Client *ClientCert

	// IASClientSecret is the secret of LandscapeIASClientID.
	IASClientSecret string
	// CPIClientSecret is the secret of LandscapeCPIClientID.
	CPIClientSecret string
	// CPIUserPassword is the password of LandscapeCPIUser.
	CPIUserPassword string
	// OriginUserPassword is the password of LandscapeOriginUser.
	OriginUserPassword string
	// CockpitClientSecret is the secret of LandscapeCockpitClientID.
	CockpitClientSecret string
	// CockpitPassword is the password of LandscapeCockpitUser.
	CockpitPassword string

	// CPIKey is the Cloud Integration "api" plan service key with a client
	// secret, as JSON: {"oauth":{"clientid","clientsecret","url","tokenurl"}}.
	CPIKey string
	// CPIX509Key is the Cloud Integration service key of key type
	// Certificate, as JSON: {"oauth":{"clientid","certificate","key",
	// "url","tokenurl"}}, certificate and key as PEM; tokenurl is the
	// UAA's certificate endpoint ([UAA.CertTokenURL]).
	CPIX509Key string
	// CockpitKey is the cockpit UAA's service key as `xs service-key
	// cockpit-uaa <name>` prints it: a header line, the JSON with url
	// <CockpitUAA.URL>/uaa-security, and the "OK" footer.
	CockpitKey string
}

// LandscapeOption changes what [NewLandscape] builds.
type LandscapeOption func(*landscapeConfig)

type landscapeConfig struct {
	serverNames []string
	pki         *PKI
	clientOpts  []ClientOption
}

// WithServerNames adds DNS names to the servers' certificate, beside
// 127.0.0.1, ::1 and localhost: for clients that dial the loopback address
// under another name, such as ias.localtest behind a proxy. It cannot be
// combined with [WithPKI].
func WithServerNames(names ...string) LandscapeOption {
	return func(c *landscapeConfig) { c.serverNames = append(c.serverNames, names...) }
}

// WithPKI builds the landscape on p instead of a new PKI, so that the tests
// of a package share one.
func WithPKI(p *PKI) LandscapeOption {
	return func(c *landscapeConfig) { c.pki = p }
}

// WithClientOptions adds options for minting Client and X509Client, after
// the defaults ([WithECKey] for both, [ViaIntermediate] for Client):
// [WithSharedRSAKey] for RSA 2048 keys, [ValidBetween] for an expired
// certificate, and so on.
func WithClientOptions(opts ...ClientOption) LandscapeOption {
	return func(c *landscapeConfig) { c.clientOpts = append(c.clientOpts, opts...) }
}

// NewLandscape starts every fake server of the landscape on 127.0.0.1 and
// mints its credentials. Call Close when done.
func NewLandscape(opts ...LandscapeOption) (_ *Landscape, err error) {
	var cfg landscapeConfig
	for _, o := range opts {
		o(&cfg)
	}
	l := &Landscape{
		PKI:                 cfg.pki,
		ClientP12Password:   randomString(24),
		IASClientSecret:     randomString(24),
		CPIClientSecret:     randomString(24),
		CPIUserPassword:     randomString(24),
		OriginUserPassword:  randomString(24),
		CockpitClientSecret: randomString(24),
		CockpitPassword:     randomString(24),
	}
	defer func() {
		if err != nil {
			l.Close()
			err = fmt.Errorf("failed to start the fake landscape: %w", err)
		}
	}()
	if l.PKI == nil {
		if l.PKI, err = NewPKI(cfg.serverNames...); err != nil {
			return nil, err
		}
	} else if len(cfg.serverNames) > 0 {
		return nil, errors.New("WithServerNames needs a new PKI, but WithPKI gives one")
	}
	if l.Issuer, err = NewIssuer(l.PKI); err != nil {
		return nil, err
	}
	if l.IAS, err = NewIAS(l.PKI, WithOAuthClients(map[string]string{LandscapeIASClientID: l.IASClientSecret})); err != nil {
		return nil, err
	}
	l.IAS.TrustIssuer(l.Issuer, LandscapeJobAudience, "sub")
	// The secretless application: the job's token is its credential.
	l.IAS.TrustClientAssertion(LandscapeIASJobClientID, l.Issuer, GitHubSubject)
	l.IAS.TrustClientAssertion(LandscapeIASJobClientID, l.Issuer, GitLabSubject)
	l.UAA, err = NewUAA(l.PKI, UAAConfig{
		Clients: map[string]string{LandscapeCPIClientID: l.CPIClientSecret, LandscapeCPIX509ClientID: ""},
		Users:   map[string]string{LandscapeCPIUser: l.CPIUserPassword},
		Origins: map[string]map[string]string{LandscapeOrigin: {LandscapeOriginUser: l.OriginUserPassword}},
		Scopes:  []string{LandscapeCPIScope},
	})
	if err != nil {
		return nil, err
	}
	// XSUAA trusts IAS: an IAS token (its id_token) is a jwt-bearer
	// assertion for a Cloud Integration user token.
	l.UAA.TrustIAS(l.IAS, LandscapeIASClientID)
	if l.CPI, err = NewCPI(l.PKI, l.UAA, LandscapeCPIScope); err != nil {
		return nil, err
	}
	l.CockpitUAA, err = NewUAA(l.PKI, UAAConfig{
		Clients:   map[string]string{LandscapeCockpitClientID: l.CockpitClientSecret},
		Users:     map[string]string{LandscapeCockpitUser: l.CockpitPassword},
		ExpiresIn: LandscapeCockpitExpiresIn,
		TokenPath: LandscapeCockpitTokenPath,
	})
	if err != nil {
		return nil, err
	}
	if l.Cockpit, err = NewCockpit(l.PKI, l.CockpitUAA, ""); err != nil {
		return nil, err
	}

	if l.Client, err = l.PKI.IssueClient(LandscapeIASUser, append([]ClientOption{WithECKey(), ViaIntermediate()}, cfg.clientOpts...)...); err != nil {
		return nil, err
	}
	if l.ClientP12, err = l.Client.PKCS12(P12Modern, l.ClientP12Password); err != nil {
		return nil, err
	}
	if l.X509Client, err = l.PKI.IssueClient(LandscapeCPIX509ClientID, append([]ClientOption{WithECKey()}, cfg.clientOpts...)...); err != nil {
		return nil, err
	}
	if err = l.keys(); err != nil {
		return nil, err
	}
	return l, nil
}

// keys writes the service keys.
func (l *Landscape) keys() error {
	cpi, err := json.MarshalIndent(map[string]any{"oauth": map[string]string{
		"clientid":     LandscapeCPIClientID,
		"clientsecret": l.CPIClientSecret,
		"url":          l.CPI.URL,
		"tokenurl":     l.UAA.TokenURL(),
	}}, "", "  ")
	if err != nil {
		return fmt.Errorf("failed to encode the CPI key: %w", err)
	}
	x509Key, err := json.MarshalIndent(map[string]any{"oauth": map[string]string{
		"clientid":    LandscapeCPIX509ClientID,
		"certificate": string(l.X509Client.CertPEM()),
		"key":         string(l.X509Client.KeyPEM()),
		"url":         l.CPI.URL,
		"tokenurl":    l.UAA.CertTokenURL(),
	}}, "", "  ")
	if err != nil {
		return fmt.Errorf("failed to encode the CPI X.509 key: %w", err)
	}
	// xs prints " : " between names and values.
	cockpit := fmt.Sprintf("Getting service key \"ci-cockpit-key\" for service instance \"cockpit-uaa\" ...\n\n"+
		"{\n  \"tenantmode\" : \"dedicated\",\n  \"clientid\" : %q,\n  \"xsappname\" : \"cockpit!i1\",\n"+
		"  \"identityzone\" : \"uaa\",\n  \"identityzoneid\" : \"uaa\",\n  \"clientsecret\" : %q,\n  \"url\" : %q\n}\n\nOK\n",
		LandscapeCockpitClientID, l.CockpitClientSecret, l.CockpitUAA.URL+"/uaa-security")
	l.CPIKey, l.CPIX509Key, l.CockpitKey = string(cpi), string(x509Key), cockpit
	return nil
}

// Close shuts every server down. It is safe to call on a partly built
// landscape and more than once.
func (l *Landscape) Close() {
	if l.IAS != nil {
		l.IAS.Close()
	}
	if l.Issuer != nil {
		l.Issuer.Close()
	}
	if l.UAA != nil {
		l.UAA.Close()
	}
	if l.CPI != nil {
		l.CPI.Close()
	}
	if l.CockpitUAA != nil {
		l.CockpitUAA.Close()
	}
	if l.Cockpit != nil {
		l.Cockpit.Close()
	}
}

// Secrets returns every secret the landscape handed out or issued so far:
// the passwords and client secrets, the P12 password, the client keys as
// PEM, and every passcode and token the fakes issued. A test checks that none
// of them appears in a log.
func (l *Landscape) Secrets() []string {
	out := []string{l.ClientP12Password, l.IASClientSecret, l.CPIClientSecret, l.CPIUserPassword, l.OriginUserPassword,
		l.CockpitClientSecret, l.CockpitPassword, string(l.Client.KeyPEM()), string(l.X509Client.KeyPEM()), l.Issuer.RequestToken(), l.Issuer.AzureAccessToken()}
	out = append(out, l.IAS.Passcodes()...)
	out = append(out, l.IAS.Tokens()...)
	out = append(out, l.Issuer.Tokens()...)
	out = append(out, l.UAA.Tokens()...)
	return append(out, l.CockpitUAA.Tokens()...)
}
