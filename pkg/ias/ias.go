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
var errTenant = errors.New(msgNotTenant)

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
		return nil, fmt.Errorf(msgTenantEmpty, errTenant)
	case strings.HasPrefix(strings.ToLower(s), "http://"):
		return nil, fmt.Errorf(msgTenantHTTP, errTenant)
	case strings.HasPrefix(strings.ToLower(s), "https://"):
		u, err := url.Parse(s)
		if err != nil || u.Host == "" || !hostPort.MatchString(u.Host) && !isIPHost(u.Host) {
			return nil, fmt.Errorf(msgTenantBadURL, errTenant)
		}
		if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf(msgTenantURLExtras, errTenant)
		}
		if !portInRange(u.Host) {
			return nil, fmt.Errorf(msgTenantPort, errTenant)
		}
		u.Scheme = "https"
		u.Path = strings.TrimSuffix(strings.TrimSuffix(u.Path, "/"), passcodePath)
		u.Path = strings.TrimSuffix(u.Path, "/")
		u.RawPath = ""
		return u, nil
	case strings.Contains(s, "://"):
		return nil, fmt.Errorf(msgTenantScheme, errTenant)
	case strings.Contains(s, ".") || strings.Contains(s, ":"):
		if !hostPort.MatchString(s) && !isIPHost(s) {
			return nil, fmt.Errorf(msgTenantBadHost, errTenant)
		}
		if !portInRange(s) {
			return nil, fmt.Errorf(msgTenantPort, errTenant)
		}
		return &url.URL{Scheme: "https", Host: strings.ToLower(s)}, nil
	case tenantID.MatchString(s):
		return &url.URL{Scheme: "https", Host: strings.ToLower(s) + "." + defaultDomain}, nil
	}
	return nil, fmt.Errorf(msgTenantUnrecognized, errTenant)
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
		return fmt.Sprintf(msgStatus, e.Status, http.StatusText(e.Status), e.Reason)
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

// maxPasscode bounds the passcode itself. IAS passcodes are a few dozen
// characters; a value of kilobytes is something else (a page or a token
// from another service), which would otherwise be masked and written as
// the passcode output.
const maxPasscode = 4 << 10

// fetch asks the tenant at base for a passcode. hc must present the user's
// client certificate (see pkg/transport).
func fetch(ctx context.Context, hc *http.Client, base *url.URL) (*passcodeAnswer, error) {
	u := *base
	u.Path = strings.TrimSuffix(u.Path, "/") + passcodePath
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u.String(), nil)
	if err != nil {
		return nil, fmt.Errorf(msgBuildRequest, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return nil, &requestError{Reason: msgRequestFailed, Err: flow.RequestError(err)}
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxBody+1))
	if err != nil {
		// Never retried: the tenant may have issued the passcode already.
		// The status and headers arrived, so the certificate was accepted;
		// the transport's read error says what cut the answer short.
		reason := msgReadFailed
		if resp.StatusCode != http.StatusOK {
			reason = fmt.Sprintf(msgReadFailedStatus, resp.StatusCode)
		}
		return nil, &requestError{Reason: reason, Err: err}
	}
	if resp.StatusCode != http.StatusOK {
		return nil, &requestError{Status: resp.StatusCode, Reason: statusReason(resp, body) + flow.FirstAttempt(resp)}
	}
	if len(body) > maxBody {
		return nil, &requestError{Reason: fmt.Sprintf(msgTooLarge, maxBody)}
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
		return nil, &requestError{Reason: fmt.Sprintf(msgNotJSON, ct)}
	}
	value := passcodeValue(v.Passcode)
	if value == "" {
		return nil, &requestError{Reason: msgNoPasscode}
	}
	if len(value) > maxPasscode {
		return nil, &requestError{Reason: fmt.Sprintf(msgPasscodeTooLong, maxPasscode)}
	}
	p := &passcodeAnswer{Value: value, Lifetime: defaultLifetime}
	if d, ok, warning := flow.ExpiresIn(v.ExpiresIn); ok {
		p.Lifetime = d
		p.Warning = warning
	} else if warning != "" {
		p.Warning = fmt.Sprintf(msgDefaultLifetime, warning)
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

func statusReason(resp *http.Response, body []byte) string {
	if hint := flow.StatusHint(resp.StatusCode, body); hint != "" {
		return hint
	}
	switch s := resp.StatusCode; {
	case s == http.StatusUnauthorized:
		return msgCertRefused
	case s == http.StatusForbidden:
		return msgCertLoginDisabled
	case s == http.StatusNotFound:
		return msgNoPasscodeService
	case s >= 300 && s < 400:
		return msgRedirected
	case s == http.StatusTooManyRequests:
		return msgTooManyRequests
	case s >= 500:
		return msgServerFailed
	}
	return msgUnexpectedAnswer
}
