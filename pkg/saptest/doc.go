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
// # The landscape
//
// [NewLandscape] (or [MustLandscape] in a test) brings up everything at once:
// an IAS tenant, a Cloud Integration tenant (its XSUAA and its API), a HANA
// cockpit (its own UAA under /uaa-security, whose tokens last 14399 s, and its
// API), a technical user's client certificate with its PKCS#12 file and
// password, and the service keys as SAP's CLIs print them, with random
// secrets per landscape. [Landscape.Secrets] lists every secret it handed
// out or issued, for leak checks. The demo command, test/fakesap and the
// end-to-end tests use it; a test that needs a special server (another token
// path, legacy errors) starts that one fake on the landscape's PKI.
//
// # What is faked
//
//   - [IAS]: the SAP Cloud Identity Services passcode endpoint,
//     GET /service/users/passcode behind mutual TLS. It answers
//     {"passcode":"…","expires_in":300}. With [WithOAuthClients] it also
//     serves POST /oauth2/token for the client_credentials and jwt-bearer
//     grants, its clients authenticated by secret, certificate or a JWT of
//     a trusted issuer ([IAS.TrustClientAssertion]), and
//     GET /oauth2/userinfo.
//   - [UAA]: a UAA/XSUAA token endpoint, POST /oauth/token, for the
//     client-credentials (RFC 6749 §4.4), password (§4.3) and refresh_token
//     (§6) grants, with client_secret_basic, client_secret_post and X.509
//     client authentication; users of other identity providers reached
//     with login_hint={"origin":"<key>"}; the same endpoint for X.509
//     clients under /cert/oauth/token, published as
//     mtls_endpoint_aliases.token_endpoint in
//     /.well-known/openid-configuration.
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
// Minting an RSA 2048 key costs ~70 ms, so tests that mint many client
// certificates use [WithECKey] (the landscape's default) or
// [WithSharedRSAKey], one RSA key for the whole process.
//
// # Faults and counts
//
// Every server has SetFault, SetFaults and ClearFault to answer with an
// error status, a hostile body, a Retry-After header, a delay or a hang, a
// reset connection, or an answer cut mid-way (see [Fault]), for one request,
// a scripted sequence of requests or until cleared. [UnavailableThenOK],
// [ServerErrorThenOK], [RateLimitedThenOK], [ResetThenOK] and
// [UnauthorizedForever] are the sequences a retry policy must get right;
// with [UAA.RefuseReusedJTI] or [IAS.RefuseReusedJTI] the jwt-bearer
// endpoint refuses an assertion sent again, even after a 500 (RFC 7523
// §3), as a single-use assertion must never be. Every server records the requests
// it received ([Request], Requests, and Count per path), faulted ones
// included, and the secrets it issued, so that tests can assert exact
// request counts and that a passcode or token never leaks into logs or
// outputs. Count is exact only for what reaches HTTP: net/http clients
// retry a GET on a reused connection that fails before any answer, so a
// test that counts resets should disable keep-alives.
//
// # Tests
//
// The constructors return errors and do not depend on package testing, so the
// demo command (pkg/demo) can use them. The Must… helpers in must.go take a [TB] (which
// *testing.T satisfies), fail the test on error and close servers through
// TB.Cleanup.
package saptest
