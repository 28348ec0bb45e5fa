package ias

// The texts of package ias. msg… constants are messages, each listed in
// TROUBLESHOOTING.md; text… constants are other texts users see.
const (
	// The flow's line in --help and its report in `sap-ci-auth inspect`.
	textSummary     = "GET /service/users/passcode on the IAS tenant over mutual TLS"
	textPasscodeURL = "passcode URL"

	// Fixes of the inputs (prepare).
	msgMissingTenant  = "name the IAS tenant (id, host or https URL)"
	msgTenantFix      = "give a tenant id (mytenant), a host (mytenant.accounts.ondemand.com) or an https URL"
	msgCertificateFix = "%s (or certificate-file) to give the user's PKCS#12 or PEM certificate"

	// Errors of ParseTenant: msgNotTenant, then why.
	msgNotTenant          = "not an IAS tenant"
	msgTenantEmpty        = "%w: empty"
	msgTenantHTTP         = "%w: http:// is not allowed; use https://"
	msgTenantBadURL       = "%w: not a valid https URL"
	msgTenantURLExtras    = "%w: the URL must not carry credentials, a query or a fragment"
	msgTenantPort         = "%w: the port is not between 1 and 65535"
	msgTenantScheme       = "%w: only https:// URLs are allowed"
	msgTenantBadHost      = "%w: not a valid host name"
	msgTenantUnrecognized = "%w: neither a tenant id, a host name nor an https URL"

	// A failed passcode request (requestError) and the reasons of failures
	// without an answer or with an unusable one.
	msgStatus           = "IAS answered %d %s: %s"
	msgBuildRequest     = "failed to build the passcode request: %w"
	msgRequestFailed    = "the passcode request failed"
	msgReadFailed       = "failed to read the passcode answer (a passcode is single use: if one was issued it is lost; run the step again)"
	msgReadFailedStatus = "failed to read the answer (HTTP %d)"
	msgTooLarge         = "the answer is larger than %d bytes, so it is not a passcode: ias-tenant probably points to something other than the IAS tenant"
	msgNotJSON          = "the answer is not JSON (status 200, Content-Type %s): ias-tenant probably points to something other than the IAS tenant, e.g. a login page or proxy; the passcode, if one was issued, is used up"
	msgNoPasscode       = "the answer holds no passcode: ias-tenant probably points to something other than the IAS passcode service"
	msgPasscodeTooLong  = "the answer's passcode is longer than %d bytes, so it is not a passcode: ias-tenant probably points to something other than the IAS passcode service"

	// msgDefaultLifetime follows a warning of flow.ExpiresIn when the
	// answer's expires_in was ignored.
	msgDefaultLifetime = "%s; the passcode is taken to last 300 s"

	// msgLockout is appended to 401/403 answers: IAS locks a user after
	// repeated failed logons (SAP: error and success codes, PASSWORD_LOCKED;
	// unlock client id), so a pipeline must not keep retrying.
	msgLockout = "; do not re-run blindly: repeated failed logons lock the user for 60 minutes"

	// Reasons of the statuses of the passcode service (statusReason).
	msgCertRefused       = "the tenant did not accept the client certificate: it is not registered for a user of this tenant, was revoked, or its issuer is not trusted (check ias-tenant and the certificate)" + msgLockout
	msgCertLoginDisabled = "certificate login is not allowed: enable it for the user's type under Tenant Settings > Certificate Authentication, and check that the certificate was generated for user login (not API authentication)" + msgLockout
	msgNoPasscodeService = "no passcode service at this address: ias-tenant must be the IAS tenant (e.g. mytenant.accounts.ondemand.com), not a BTP subaccount or application URL"
	msgRedirected        = "the tenant redirected the request (to a login page?): check ias-tenant and that certificate authentication is enabled"
	msgTooManyRequests   = "too many requests (IAS allows 50 per second per source IP): retry later"
	msgServerFailed      = "IAS failed or is unavailable: retry later"
	msgUnexpectedAnswer  = "unexpected answer: check ias-tenant and the certificate"
)
