package saptest

import (
	"context"
	"fmt"
	"net/http"
	"slices"
)

// ClientAssertionType is the client_assertion_type of a client that
// authenticates with a JWT (RFC 7523 §2.2).
const ClientAssertionType = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

// TrustClientAssertion lets the application clientID authenticate at the
// IAS token endpoint with a JWT from iss whose "sub" equals subject, instead
// of a secret or a certificate: IAS's Client Authentication → JSON Web
// Tokens entry, whose issuer is a corporate OpenID Connect identity provider
// and whose subject is the expected "sub". Each call adds one pair; the
// client need not be one of [WithOAuthClients]' clients (it then has no
// secret). The keys of iss are fetched from its discovery document, as for
// [IAS.TrustIssuer], and shared with it.
//
// The request carries client_id=<clientID>,
// client_assertion_type=[ClientAssertionType] and client_assertion=<JWT>
// and no other client authentication. The JWT must be signed by iss, have
// exp not passed and nbf and iat not in the future (10 s leeway), an "aud"
// holding the tenant URL or its token URL (RFC 7523 §3), a configured
// "sub", and a "jti" no earlier request to the token path carried, as
// assertion or client_assertion (always enforced; one request carrying the
// same JWT as both is one use). See [IAS.TokenURL] for the answers. It
// panics when the IAS was started without [WithOAuthClients].
func (s *IAS) TrustClientAssertion(clientID string, iss *Issuer, subject string) {
	if s.oauth == nil {
		panic("saptest: IAS.TrustClientAssertion needs an IAS started with WithOAuthClients")
	}
	s.oauth.trust.addClient(clientID, iss.URL, subject, iss.hc)
}

func (b *bearerTrust) addClient(clientID, issuer, subject string, hc *http.Client) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.clients == nil {
		b.clients = map[string]map[string][]string{}
	}
	if b.clients[clientID] == nil {
		b.clients[clientID] = map[string][]string{}
	}
	b.clients[clientID][issuer] = append(b.clients[clientID][issuer], subject)
	b.addKeysLocked(issuer, hc)
}

// verifyClient checks the client assertion of clientID (RFC 7523 §2.2 and
// §3): a signed JWT whose issuer is configured for the client, a valid
// signature, valid times, an "aud" holding one of audiences, a configured
// subject and a jti that no other request to path among reqs (the
// server's requests, the current one included) carried. It returns "" or a
// failure for error_description that never quotes the JWT.
func (b *bearerTrust) verifyClient(ctx context.Context, clientID, assertion string, audiences []string, reqs []Request, path string) string {
	const what = "client assertion"
	tok, unverified, failure := parseJWT(assertion, what)
	if failure != "" {
		return failure
	}
	b.mu.Lock()
	subjects, ok := b.clients[clientID][unverified.Issuer]
	b.mu.Unlock()
	if !ok {
		return fmt.Sprintf("The issuer %q of the client assertion is not configured for client %q", unverified.Issuer, clientID)
	}
	claims, failure := b.checkSigned(ctx, tok, unverified.Issuer, audiences, what)
	if failure != "" {
		return failure
	}
	if sub, _ := claims["sub"].(string); !slices.Contains(subjects, sub) {
		return fmt.Sprintf("The subject %q of the client assertion is not the one configured for client %q and issuer %q", sub, clientID, unverified.Issuer)
	}
	return reusedJTI(claims, reqs, path, "client assertion")
}

// authenticateByAssertion checks a client authentication by
// client_assertion and returns the client id, or answers with an error and
// returns false. The caller has seen client_assertion_type or
// client_assertion and checked that no other method is used.
func (o *iasOAuth) authenticateByAssertion(w http.ResponseWriter, r *http.Request, param func(string) string) (string, bool) {
	id := param("client_id")
	var failure string
	switch {
	case param("client_assertion_type") != ClientAssertionType:
		failure = "client_assertion_type must be " + ClientAssertionType
	case id == "":
		failure = "client_id is required with a client assertion"
	case param("client_assertion") == "":
		failure = "Missing client_assertion"
	default:
		failure = o.trust.verifyClient(r.Context(), id, param("client_assertion"),
			[]string{o.ias.URL, o.ias.TokenURL()}, o.ias.srv.requests(), r.URL.Path)
	}
	if failure != "" {
		iasOAuthError(w, http.StatusUnauthorized, "invalid_client", failure)
		return "", false
	}
	return id, true
}
