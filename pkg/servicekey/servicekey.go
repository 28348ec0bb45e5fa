// Package servicekey parses SAP service keys the way users have them: plain
// JSON, or the raw output of `xs service-key` and `cf service-key` pasted as
// is, with or without the `credentials` (cf CLI v8), `oauth` (Cloud
// Integration plan api) or `uaa` wrappers.
//
// A key gives the OAuth 2.0 client (RFC 6749 §2.3.1 client credentials, or an
// X.509 client certificate for mutual TLS) and the token endpoint (RFC 6749
// §3.2) that pkg/oauth sends its requests to. The shapes handled are those of
// UAA, XSUAA (binding-secret and x509 credential types), the HANA cockpit's
// cockpit-uaa service and Cloud Integration API clients (ClientId/Secret,
// Certificate and External Certificate key types).
//
// Error messages never contain the key's content, not even a fragment of a
// broken line: a service key is a secret. A syntax error names the line and
// column in the pasted text and the likely fix instead. Messages read well
// after a caller's prefix such as "service-key: ".
package servicekey

import (
	"crypto/tls"
	"encoding/json"
	"fmt"
	"maps"
	"net/url"
	"regexp"
	"slices"
	"strings"
)

// Key is the part of a service key needed to fetch a token. Field names in
// the comments are the JSON names.
type Key struct {
	// ClientID is "clientid".
	ClientID string
	// ClientSecret is "clientsecret"; empty for X.509 keys.
	ClientSecret string
	// URL is "url": the UAA or XSUAA base URL (UAA, XSUAA, HANA cockpit) or,
	// in Cloud Integration keys, the API host.
	URL string
	// TokenURL is "tokenurl" (Cloud Integration keys), used as is.
	TokenURL string
	// CertURL is "certurl": the XSUAA host for mutual TLS (x509 keys).
	CertURL string
	// Certificate is "certificate": the client certificate chain as PEM, with
	// literal `\n` sequences turned into line breaks.
	Certificate string
	// PrivateKey is "key": the client's private key as PEM, with literal `\n`
	// sequences turned into line breaks. External Certificate keys have none.
	PrivateKey string
	// CredentialType is "credential-type" when present: "binding-secret",
	// "instance-secret", "x509", ...
	CredentialType string

	// rawPrivateKey is "key" as it was in the JSON, kept for Secrets when it
	// differs from PrivateKey (it may show up in logs in that form too).
	rawPrivateKey string
}

// Field names of a service key.
const (
	fieldClientID       = "clientid"
	fieldClientSecret   = "clientsecret"
	fieldURL            = "url"
	fieldTokenURL       = "tokenurl"
	fieldCertURL        = "certurl"
	fieldCertificate    = "certificate"
	fieldKey            = "key"
	fieldCredentialType = "credential-type"
)

// wrappers are the objects a key may sit in, tried in this order: cf CLI v8
// prints {"credentials":{...}}, Cloud Integration plan api keys are
// {"oauth":{...}}, and many service keys carry their XSUAA client under "uaa".
var wrappers = []string{"credentials", "oauth", "uaa"}

// maxUnwrap bounds how deep wrappers nest ({"credentials":{"oauth":{...}}}).
const maxUnwrap = 3

// Parse reads a service key from data: JSON, or text that contains it (the
// first "{" and its matching "}" are taken, so the header and the trailing
// "OK" of `xs service-key` and `cf service-key` output are skipped). The
// client sits at the top level or under "credentials", "oauth" or "uaa".
//
// Parse does not require "clientid", a token URL or a secret, since a
// caller may give those separately (a partial key completed by inputs); see
// TokenEndpoint and X509KeyPair, and check ClientID. External Certificate
// keys (a certificate without "key") parse without error.
//
// Errors name the line and column of a syntax error, or the field that is
// missing or wrong (*fieldError), or say that data is empty or holds no
// JSON; none contains any part of data.
func Parse(data []byte) (*Key, error) {
	obj, err := extract(data)
	if err != nil {
		return nil, err
	}
	if obj, err = fromBindings(obj); err != nil {
		return nil, err
	}
	for range maxUnwrap {
		if _, ok := lookup(obj, fieldClientID); ok {
			break
		}
		inner := unwrap(obj)
		if inner == nil {
			break
		}
		obj = inner
	}

	k := &Key{}
	for _, f := range []struct {
		name string
		dst  *string
	}{
		{fieldClientID, &k.ClientID},
		{fieldClientSecret, &k.ClientSecret},
		{fieldURL, &k.URL},
		{fieldTokenURL, &k.TokenURL},
		{fieldCertURL, &k.CertURL},
		{fieldCertificate, &k.Certificate},
		{fieldKey, &k.rawPrivateKey},
		{fieldCredentialType, &k.CredentialType},
	} {
		s, err := stringField(obj, f.name)
		if err != nil {
			return nil, err
		}
		*f.dst = s
	}
	k.ClientID = strings.TrimSpace(k.ClientID)
	k.URL = strings.TrimSpace(k.URL)
	k.TokenURL = strings.TrimSpace(k.TokenURL)
	k.CertURL = strings.TrimSpace(k.CertURL)
	k.CredentialType = strings.TrimSpace(k.CredentialType)
	k.Certificate = normalizePEM(k.Certificate)
	k.PrivateKey = normalizePEM(k.rawPrivateKey)
	if k.PrivateKey == strings.TrimSpace(k.rawPrivateKey) {
		k.rawPrivateKey = ""
	}
	return k, nil
}

// IsX509 reports whether the key is for an X.509 client: it has a
// "certificate", or its "credential-type" is "x509". Such a client
// authenticates with its certificate over mutual TLS and has no secret.
func (k *Key) IsX509() bool {
	return k.Certificate != "" || strings.EqualFold(k.CredentialType, "x509")
}

// TokenEndpoint returns the URL to send token requests to:
//   - "tokenurl" when present (Cloud Integration, also its certificate keys);
//   - for X.509 keys, "certurl" + "/oauth/token" (XSUAA's mTLS host);
//   - otherwise "url" + "/oauth/token" (UAA, XSUAA, HANA cockpit's
//     ".../uaa-security").
//
// "/oauth/token" is not appended twice and no double slash is made. The error
// is a *fieldError naming the missing or unusable field.
func (k *Key) TokenEndpoint() (string, error) {
	switch {
	case k.TokenURL != "":
		if _, err := parseURL(fieldTokenURL, k.TokenURL); err != nil {
			return "", err
		}
		return k.TokenURL, nil
	case k.IsX509():
		if k.CertURL == "" {
			return "", &fieldError{Field: fieldCertURL, Hint: msgNoCertURL}
		}
		return joinTokenPath(fieldCertURL, k.CertURL)
	case k.URL != "":
		return joinTokenPath(fieldURL, k.URL)
	default:
		return "", &fieldError{Field: fieldURL, Hint: msgNoTokenURL}
	}
}

// TLSCertificate returns the client certificate of an X.509 key, ready for
// mutual TLS (tls.X509KeyPair, which also checks that the key matches). For
// an External Certificate key (no "key" field) the error says that the
// private key must be supplied separately.
func (k *Key) TLSCertificate() (tls.Certificate, error) {
	if k.Certificate == "" {
		return tls.Certificate{}, &fieldError{Field: fieldCertificate, Hint: msgNotX509}
	}
	if k.PrivateKey == "" {
		return tls.Certificate{}, errNoPrivateKey
	}
	c, err := tls.X509KeyPair([]byte(k.Certificate), []byte(k.PrivateKey))
	if err != nil {
		// crypto/tls's messages describe structure, never content.
		return tls.Certificate{}, &fieldError{Field: fieldKey, Reason: fmt.Sprintf(msgKeyMismatch, strings.TrimPrefix(err.Error(), "tls: "))}
	}
	return c, nil
}

// Secrets returns the values that must be masked: the client secret and the
// private key (as PEM, and also as it was written in the key when that
// differs, with literal `\n` sequences). Empty values are left out.
func (k *Key) Secrets() []string {
	var s []string
	for _, v := range []string{k.ClientSecret, k.PrivateKey, k.rawPrivateKey} {
		if v != "" {
			s = append(s, v)
		}
	}
	return s
}

// fieldVCAPServices is the variable that holds an app's bindings, and the
// field that holds them in older `cf env` output.
const fieldVCAPServices = "VCAP_SERVICES"

// Fields of a binding in VCAP_SERVICES.
const (
	fieldBindingName  = "name"
	fieldCredentials  = "credentials"
	maxBindingsListed = 10
)

// safeName is what a service or binding name must look like to be shown
// in an error, at most 63 characters; anything else may be a value pasted
// in the wrong place. (The length is checked apart: a counted repetition
// {0,62} compiles to 62 copies of the class, a cost every run paid at
// start-up.)
var safeName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]*$`)

// isSafeName reports whether name may be shown (see safeName).
func isSafeName(name string) bool { return len(name) <= 63 && safeName.MatchString(name) }

// fromBindings returns the credentials of the one binding of obj when obj
// is a VCAP_SERVICES document, {"<service>": [{"name": …, "credentials":
// {…}}, …], …}, possibly under "VCAP_SERVICES", pasted instead of a key;
// obj itself when it is a key (it has a clientid or a wrapper) or holds no
// binding. Several bindings are an error that lists their names, never
// their credentials, and asks for one.
func fromBindings(obj map[string]json.RawMessage) (map[string]json.RawMessage, error) {
	if _, ok := lookup(obj, fieldClientID); ok || unwrap(obj) != nil {
		return obj, nil
	}
	doc := obj
	if raw, ok := lookup(obj, fieldVCAPServices); ok {
		var inner map[string]json.RawMessage
		if json.Unmarshal(raw, &inner) == nil && inner != nil {
			doc = inner
		}
	}
	var found []map[string]json.RawMessage
	var names []string
	for _, service := range slices.Sorted(maps.Keys(doc)) {
		var bindings []map[string]json.RawMessage
		if json.Unmarshal(doc[service], &bindings) != nil {
			continue
		}
		for i, b := range bindings {
			raw, ok := lookup(b, fieldCredentials)
			if !ok {
				continue
			}
			var creds map[string]json.RawMessage
			if json.Unmarshal(raw, &creds) != nil || creds == nil {
				continue
			}
			found = append(found, creds)
			names = append(names, bindingName(service, b, i))
		}
	}
	switch len(found) {
	case 0:
		return obj, nil
	case 1:
		return found[0], nil
	}
	return nil, &bindingsError{Names: names}
}

// bindingName names the i-th binding of service for an error: the service
// and the binding's "name" when they look like names, else placeholders.
func bindingName(service string, b map[string]json.RawMessage, i int) string {
	if !isSafeName(service) {
		service = textUnnamed
	}
	name, err := stringField(b, fieldBindingName)
	if err != nil || !isSafeName(name) {
		return fmt.Sprintf(textBindingNumber, service, i+1)
	}
	return fmt.Sprintf(textBindingName, service, name)
}

// unwrap returns the first wrapper object found in obj, or nil.
func unwrap(obj map[string]json.RawMessage) map[string]json.RawMessage {
	for _, w := range wrappers {
		raw, ok := lookup(obj, w)
		if !ok {
			continue
		}
		var inner map[string]json.RawMessage
		if json.Unmarshal(raw, &inner) == nil && inner != nil {
			return inner
		}
	}
	return nil
}

// lookup finds a field by its exact name, else case-insensitively (some
// tools write "clientId").
func lookup(obj map[string]json.RawMessage, name string) (json.RawMessage, bool) {
	if v, ok := obj[name]; ok {
		return v, true
	}
	for k, v := range obj {
		if strings.EqualFold(k, name) {
			return v, true
		}
	}
	return nil, false
}

// stringField returns a string field; absent and null give "".
func stringField(obj map[string]json.RawMessage, name string) (string, error) {
	raw, ok := lookup(obj, name)
	if !ok {
		return "", nil
	}
	var s *string
	if err := json.Unmarshal(raw, &s); err != nil {
		return "", &fieldError{Field: name, Reason: msgNotString}
	}
	if s == nil {
		return "", nil
	}
	return *s, nil
}

// normalizePEM turns literal `\n` (and `\r\n`) sequences and CRLF line ends
// into plain line breaks. Base64 and PEM headers never contain a backslash,
// so this cannot damage a valid PEM.
func normalizePEM(s string) string {
	s = strings.ReplaceAll(s, `\r\n`, "\n")
	s = strings.ReplaceAll(s, `\n`, "\n")
	s = strings.ReplaceAll(s, "\r\n", "\n")
	return strings.TrimSpace(s)
}

const tokenPath = "/oauth/token"

// joinTokenPath appends /oauth/token to base unless it already ends with it.
func joinTokenPath(field, base string) (string, error) {
	u, err := parseURL(field, base)
	if err != nil {
		return "", err
	}
	p := strings.TrimRight(u.Path, "/")
	if !strings.HasSuffix(p, tokenPath) {
		p += tokenPath
	}
	u.Path = p
	u.RawPath = ""
	return u.String(), nil
}

// parseURL checks that a field holds an absolute http(s) URL with a host.
func parseURL(field, s string) (*url.URL, error) {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, &fieldError{Field: field, Reason: msgNotURL}
	}
	return u, nil
}
