package saptest

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
)

// PasscodePath is the path of the IAS passcode endpoint.
const PasscodePath = "/service/users/passcode"

// IASPasscodeExpiresIn is the expires_in that [IAS] sends with a passcode,
// in seconds (a passcode lasts about five minutes).
const IASPasscodeExpiresIn = 300

// IASNoLoginMarker is the text that, in the CN of a client certificate,
// makes [IAS] answer 403 as a tenant does when certificate login is not
// enabled for the user's type. The match ignores case.
const IASNoLoginMarker = "nologin"

// IAS is a fake SAP Cloud Identity Services (IAS) tenant that serves only the
// one-time passcode endpoint, behind mutual TLS.
//
// The TLS server requires and verifies a client certificate against
// [PKI.ClientCAPool] (tls.RequireAndVerifyClientCert, minimum TLS 1.2), so an
// untrusted, expired or missing certificate fails the handshake, as it does
// on a real tenant. The server's CertificateRequest names the root CA as the
// acceptable issuer, and Go clients that configure tls.Config.Certificates
// send no certificate that does not chain to it (an untrusted one, or an
// intermediate-issued one without its chain): they then fail with the alert
// "certificate required" rather than "unknown certificate authority". After
// the handshake it answers:
//
//   - GET /service/users/passcode: 200, Content-Type application/json,
//     {"passcode":"<32 random letters and digits>","expires_in":300}; another
//     "expires_in" after SetExpiresIn, none after OmitExpiresIn(true).
//   - the same with a certificate whose CN contains "nologin" (any case):
//     403, application/json,
//     {"error":"access_denied","error_description":"Certificate-based authentication is not enabled for the user type"}.
//     SAP documents no status or body for this case; the shape is a guess.
//   - another method on that path: 405 with "Allow: GET", plain text.
//   - another path: 404, plain text.
//
// IAS is safe for concurrent use.
type IAS struct {
	// URL is the tenant's base URL, https://127.0.0.1:<port>.
	URL string

	srv   *server
	oauth *iasOAuth // the jwt-bearer token endpoint, see WithOAuthClients (jwtbearer.go)

	mu        sync.Mutex
	expiresIn any // the "expires_in" value sent; nil leaves it out
	passcodes []string
}

// NewIAS starts a fake IAS tenant with the server certificate of p. Call
// Close when done. Options add endpoints, see [WithOAuthClients].
func NewIAS(p *PKI, opts ...IASOption) (*IAS, error) {
	s := &IAS{expiresIn: IASPasscodeExpiresIn}
	clientAuth, err := s.setupOAuth(p, opts)
	if err != nil {
		return nil, fmt.Errorf("failed to start IAS: %w", err)
	}
	srv, err := startServer(p, clientAuth, func(u string) { s.URL = u }, s.handle)
	if err != nil {
		return nil, fmt.Errorf("failed to start IAS: %w", err)
	}
	s.srv = srv
	return s, nil
}

// PasscodeURL returns URL + "/service/users/passcode".
func (s *IAS) PasscodeURL() string { return s.URL + PasscodePath }

// Close shuts the server down, ending pending delays.
func (s *IAS) Close() { s.srv.close() }

// SetFault makes the server misbehave as f describes, replacing any fault.
func (s *IAS) SetFault(f Fault) { s.srv.setFault(f) }

// SetFaults makes the server answer the next requests as seq describes,
// one fault after the other, replacing any fault: fault i covers Times
// requests (at least one). When the last fault has Times 0 it covers every
// later request until ClearFault; otherwise later requests get the normal
// answer. SetFault(f) is SetFaults(f). A zero Fault in seq gives the normal
// answer for its turn. See [UnavailableThenOK] and its siblings.
func (s *IAS) SetFaults(seq ...Fault) { s.srv.setFaults(seq) }

// ClearFault ends the current fault or sequence.
func (s *IAS) ClearFault() { s.srv.clearFault() }

// Count returns how many requests for path the server received, or for
// every path when path is empty; faulted requests (a reset included) count.
// Requests whose TLS handshake failed never reach HTTP and do not count.
func (s *IAS) Count(path string) int { return s.srv.count(path) }

// OmitExpiresIn controls whether the passcode response leaves out
// "expires_in", which real tenants may do. By default it is included, as
// [IASPasscodeExpiresIn].
func (s *IAS) OmitExpiresIn(omit bool) {
	if omit {
		s.SetExpiresIn(nil)
	} else {
		s.SetExpiresIn(IASPasscodeExpiresIn)
	}
}

// SetExpiresIn sets the "expires_in" value of later passcode responses: a
// number of seconds (120), a string ("120"), or nil to leave it out. The
// default is [IASPasscodeExpiresIn].
func (s *IAS) SetExpiresIn(v any) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.expiresIn = v
}

// Requests returns the requests received so far, in order. Requests whose
// TLS handshake failed never reach HTTP and are not recorded.
func (s *IAS) Requests() []Request { return s.srv.requests() }

// Passcodes returns the passcodes issued so far, in order, so that tests can
// check that none leaks.
func (s *IAS) Passcodes() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.passcodes...)
}

type passcodeResponse struct {
	Passcode  string `json:"passcode"`
	ExpiresIn any    `json:"expires_in,omitempty"`
}

type iasError struct {
	Error            string `json:"error"`
	ErrorDescription string `json:"error_description"`
}

func (s *IAS) handle(w http.ResponseWriter, r *http.Request, req *Request) {
	if s.oauth.serve(w, r, req) {
		return
	}
	if r.URL.Path != PasscodePath {
		http.NotFound(w, r)
		return
	}
	if r.Method != http.MethodGet {
		methodNotAllowed(w, http.MethodGet)
		return
	}
	if strings.Contains(strings.ToLower(req.ClientCertCN), IASNoLoginMarker) {
		writeJSON(w, http.StatusForbidden, "application/json", iasError{
			Error:            "access_denied",
			ErrorDescription: "Certificate-based authentication is not enabled for the user type",
		})
		return
	}
	resp := passcodeResponse{Passcode: randomString(32)}
	s.mu.Lock()
	s.passcodes = append(s.passcodes, resp.Passcode)
	resp.ExpiresIn = s.expiresIn
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, "application/json", resp)
}
