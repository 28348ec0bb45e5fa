// Package ias gets a one-time passcode from SAP Cloud Identity Services –
// Identity Authentication (IAS): GET /service/users/passcode over mutual
// TLS with the user's certificate. The passcode is valid for one login
// within about five minutes and is the password for `btp login --idp` and
// `cf login --origin`.
//
// See SAP's "Enable Users to Generate and Authenticate with Certificates"
// and Tom Slee's "Automation with the btp and cf command-line interfaces:
// logging in with passcodes" (SAP Community, 2022).
package ias

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
)

// passcodePath is the IAS endpoint that hands out passcodes.
const passcodePath = "/service/users/passcode"

// defaultLifetime is the passcode lifetime assumed when the answer does not
// carry a usable expires_in: about five minutes, as SAP documents.
const defaultLifetime = 300 * time.Second

// defaultDomain turns a bare tenant id into a host: ID.accounts.ondemand.com.
const defaultDomain = "accounts.ondemand.com"

var (
	tenantID = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?$`)
	hostPort = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?(\.[A-Za-z0-9]([A-Za-z0-9-]*[A-Za-z0-9])?)*(:[0-9]{1,5})?$`)
)

// errTenant is wrapped by every [ParseTenant] error.
var errTenant = errors.New("not an IAS tenant")

// ParseTenant turns the ias-tenant input into the tenant's base URL. It
// accepts a tenant id (mytenant → https://mytenant.accounts.ondemand.com),
// a host name (mytenant.accounts.cloud.sap, optionally with a port), or an
// https URL for custom domains; a pasted passcode URL is cut back to the
// tenant. Plain http is refused: the certificate must not be offered
// without TLS.
func ParseTenant(s string) (*url.URL, error) {
	s = strings.TrimSpace(s)
	switch {
	case s == "":
		return nil, fmt.Errorf("%w: empty", errTenant)
	case strings.HasPrefix(strings.ToLower(s), "http://"):
		return nil, fmt.Errorf("%w: http:// is not allowed; use https://", errTenant)
	case strings.HasPrefix(strings.ToLower(s), "https://"):
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || !hostPort.MatchString(u.Host) && !isIPHost(u.Host) {
			return nil, fmt.Errorf("%w: not a valid https URL", errTenant)
		}
		if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("%w: the URL must not carry credentials, a query or a fragment", errTenant)
		}
		if !portInRange(u.Host) {
			return nil, fmt.Errorf("%w: the port is not between 1 and 65535", errTenant)
		}
		u.Scheme = "https"
		u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), passcodePath)
		u.Path = strings.TrimSuffix(u.Path, "/")
		u.RawPath = ""
		return u, nil
	case strings.Contains(s, "://"):
		return nil, fmt.Errorf("%w: only https:// URLs are allowed", errTenant)
	case strings.Contains(s, ".") || strings.Contains(s, ":"):
		if !hostPort.MatchString(s) && !isIPHost(s) {
			return nil, fmt.Errorf("%w: not a valid host name", errTenant)
		}
		if !portInRange(s) {
			return nil, fmt.Errorf("%w: the port is not between 1 and 65535", errTenant)
		}
		return &url.URL{Scheme: "https", Host: strings.ToLower(s)}, nil
	case tenantID.MatchString(s):
		return &url.URL{Scheme: "https", Host: strings.ToLower(s) + "." + defaultDomain}, nil
	}
	return nil, fmt.Errorf("%w: neither a tenant id, a host name nor an https URL", errTenant)
}

// portInRange reports whether host[:port] has no port or one from 1 to
// 65535 (the pattern allows five digits).
func portInRange(host string) bool {
	_, port, err := net.SplitHostPort(host)
	if err != nil || port == "" {
		return true
	}
	n, err := strconv.Atoi(port)
	return err == nil && n >= 1 && n <= 65535
}

// isIPHost reports whether h is an IP address, optionally with a port:
// IPv4 as is, IPv6 only in brackets ([::1], [::1]:8443), as URLs write it.
func isIPHost(h string) bool {
	if strings.HasPrefix(h, "[") {
		host := h
		if hp, _, err := net.SplitHostPort(h); err == nil {
			host = "[" + hp + "]"
		}
		inner, ok := strings.CutSuffix(strings.TrimPrefix(host, "["), "]")
		ip := net.ParseIP(inner)
		return ok && ip != nil && ip.To4() == nil && !strings.ContainsAny(inner, "[]")
	}
	host := h
	if hp, _, err := net.SplitHostPort(h); err == nil {
		host = hp
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.To4() != nil && !strings.Contains(host, ":")
}

// passcodeAnswer is what the tenant answered.
type passcodeAnswer struct {
	// Value is the one-time passcode.
	Value string
	// Lifetime is how long it is valid: the answer's expires_in, else five
	// minutes.
	Lifetime time.Duration
	// Warning says why the answer's expires_in was ignored or clamped.
	Warning string
}

// requestError is a failed passcode request. Its message gives the status and the
// likely cause, never the response body.
type requestError struct {
	// Status is the HTTP status, 0 when no answer arrived.
	Status int
	// Reason explains the likely cause and fix.
	Reason string
	// Err is the underlying transport error, if any.
	Err error
}

func (e *requestError) Error() string {
	if e.Status != 0 {
		return fmt.Sprintf("IAS answered %d %s: %s", e.Status, http.StatusText(e.Status), e.Reason)
	}
	if e.Err != nil {
		return e.Reason + ": " + e.Err.Error()
	}
	return e.Reason
}

func (e *requestError) Unwrap() error { return e.Err }

// maxBody bounds what is read of an answer: a passcode is tiny, and a
// larger answer is not one.
const maxBody = 1 << 20

// fetch asks the tenant at base for a passcode. hc must present the user's
// client certificate (see pkg/transport).
func fetch(ctx context.Context, hc *http.Client, base *url.URL) (*passcodeAnswer, error) {
	u := *base
	u.Path = strings.TrimSuffix(u.Path, "/") + passcodePath
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf("failed to build the passcode request: %w", err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, &requestError{Reason: "the passcode request failed", Err: flow.RequestError(err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		// Never retried: the tenant may have issued the passcode already.
		// The status and headers arrived, so the certificate was accepted;
		// the transport's read error says what cut the answer short.
		reason := "failed to read the passcode answer (a passcode is single use: if one was issued it is lost; run the step again)"
		if resp.StatusCode != http.StatusOK {
			reason = fmt.Sprintf("failed to read the answer (HTTP %d)", resp.StatusCode)
		}
		return nil, &requestError{Reason: reason, Err: err}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &requestError{Status: resp.StatusCode, Reason: statusReason(resp, body)}
	}
	if len(body) > maxBody {
		return nil, &requestError{Reason: fmt.Sprintf("the answer is larger than %d bytes, so it is not a passcode: ias-tenant probably points to something other than the IAS tenant", maxBody)}
	}
	return decode(resp, body)
}

// decode reads {"passcode": …, "expires_in": …}. A byte order mark before
// the JSON and a passcode sent as a JSON number are accepted.
func decode(resp *http.Response, body []byte) (*passcodeAnswer, error) {
	var v struct {
		Passcode  json.RawMessage `json:"passcode"`
		ExpiresIn json.RawMessage `json:"expires_in"`
	}
	if err := json.Unmarshal(bytes.TrimPrefix(body, []byte("\ufeff")), &v); err != nil {
		ct, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
		if ct == "" {
			ct = "none"
		}
		return nil, &requestError{Reason: fmt.Sprintf("the answer is not JSON (status 200, Content-Type %s): ias-tenant probably points to something other than the IAS tenant, e.g. a login page or proxy; the passcode, if one was issued, is used up", ct)}
	}
	value := passcodeValue(v.Passcode)
	if value == "" {
		return nil, &requestError{Reason: "the answer holds no passcode: ias-tenant probably points to something other than the IAS passcode service"}
	}
	p := &passcodeAnswer{Value: value, Lifetime: defaultLifetime}
	if d, ok, warning := flow.ExpiresIn(v.ExpiresIn); ok {
		p.Lifetime = d
		p.Warning = warning
	} else if warning != "" {
		p.Warning = warning + "; the passcode is taken to last 300 s"
	}
	return p, nil
}

// passcodeValue reads the passcode as a JSON string or number; anything
// else, or only white space, gives "".
func passcodeValue(raw json.RawMessage) string {
	var s string
	if json.Unmarshal(raw, &s) == nil {
		if strings.TrimSpace(s) == "" {
			return ""
		}
		return s
	}
	var n json.Number
	if json.Unmarshal(raw, &n) == nil {
		return n.String()
	}
	return ""
}

// lockoutWarning is appended to 401/403 answers: IAS locks a user after
// repeated failed logons (SAP: error and success codes, PASSWORD_LOCKED;
// unlock client id), so a pipeline must not keep retrying.
const lockoutWarning = "; do not re-run blindly: repeated failed logons lock the user for 60 minutes"

func statusReason(resp *http.Response, body []byte) string {
	if hint := flow.StatusHint(resp.StatusCode, body); hint != "" {
		return hint
	}
	switch s := resp.StatusCode; {
	case s == http.StatusUnauthorized:
		return "the tenant did not accept the client certificate: it is not registered for a user of this tenant, was revoked, or its issuer is not trusted (check ias-tenant and the certificate)" + lockoutWarning
	case s == http.StatusForbidden:
		return "certificate login is not allowed: enable it for the user's type under Tenant Settings > Certificate Authentication, and check that the certificate was generated for user login (not API authentication)" + lockoutWarning
	case s == http.StatusNotFound:
		return "no passcode service at this address: ias-tenant must be the IAS tenant (e.g. mytenant.accounts.ondemand.com), not a BTP subaccount or application URL"
	case s >= 300 && s < 400:
		return "the tenant redirected the request (to a login page?): check ias-tenant and that certificate authentication is enabled"
	case s == http.StatusTooManyRequests:
		return "too many requests (IAS allows 50 per second per source IP): retry later"
	case s >= 500:
		return "IAS failed or is unavailable: retry later"
	}
	return "unexpected answer: check ias-tenant and the certificate"
}
