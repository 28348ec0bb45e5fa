// Package saptest provides fake SAP credential endpoints and a throw-away
// public key infrastructure, in the spirit of net/http/httptest.
//
// It exists so that sap-ci-auth can be exercised end to end without a real
// SAP tenant: the project's unit and end-to-end tests use it, the
// "sap-ci-auth demo" command runs the real flows against it, and users can
// start it from their own Go tests to check pipeline scripts. Nothing here is
// reachable from a real run of sap-ci-auth: the credential flows never import
// this package (only the demo command and tests do), and every server listens
// on 127.0.0.1 only.
//
// # What is faked
//
//   - [IAS]: the SAP Cloud Identity Services passcode endpoint,
//     GET /service/users/passcode behind mutual TLS. It answers
//     {"passcode":"…","expires_in":300}.
//   - [UAA]: a UAA/XSUAA token endpoint, POST /oauth/token, for the
//     client-credentials (RFC 6749 §4.4), password (§4.3) and refresh_token
//     (§6) grants, with client_secret_basic, client_secret_post and X.509
//     client authentication.
//   - [CPI]: a resource server that accepts bearer tokens issued by a [UAA]
//     and serves a canned Cloud Integration OData call
//     (GET /api/v1/MessageProcessingLogs) and the HANA cockpit call
//     GET /resource/RegisteredResourcesGet.
//
// The wire formats (paths, methods, JSON shapes, error codes) follow the
// project's research notes in docs/sap-protocols.md; behaviour that no SAP
// source documents is marked as a guess in the comment of the type that
// implements it.
//
// # TLS
//
// All servers speak real TLS (minimum TLS 1.2) with a server certificate from
// [PKI], valid for 127.0.0.1, ::1, localhost and any extra names given to
// [NewPKI]. Clients trust it through [PKI.RootPEM] or [PKI.RootPool]; nothing
// in this package skips certificate verification. Keys and certificates are
// minted in memory at run time and are never written to disk by this package.
//
// # Faults
//
// Every server has SetFault and ClearFault to answer with an error status,
// a hostile body, a Retry-After header or a delay, for the next N requests or
// until cleared (see [Fault]). Every server records the requests it received
// (see [Request]) and the secrets it issued, so that tests can assert that a
// passcode or token never leaks into logs or outputs.
//
// # Tests
//
// The constructors return errors and do not depend on package testing, so the
// demo command can use them. The Must… helpers in must.go take a [TB] (which
// *testing.T satisfies), fail the test on error and close servers through
// TB.Cleanup.
package saptest
