package flow

// The texts of package flow. msg… constants are messages, each listed in
// TROUBLESHOOTING.md; text… constants are other texts; match… constants are
// texts of other programs that the code looks for.
const (
	// Warnings of ExpiresIn: why an answer's expires_in was ignored or
	// clamped.
	msgExpiresInNotNumber   = "the answer's expires_in is not a number; ignored"
	msgExpiresInNotPositive = "the answer's expires_in is zero or negative; ignored"
	msgExpiresInTooLong     = "the answer's expires_in is more than a year; taken as one year"
	msgExpiresInTooShort    = "the answer's expires_in is less than a second; ignored"

	// Texts of the error pages of nginx, a TLS-terminating proxy, when the
	// client certificate is missing or refused.
	matchNginxNoCert    = "No required SSL certificate was sent"
	matchNginxCertError = "The SSL certificate error"

	// Hints of StatusHint: the same texts as pkg/transport's for the TLS
	// alerts with the same meaning, so that TROUBLESHOOTING.md holds one
	// entry for both.
	msgNoClientCert  = "no client certificate was sent: the key/certificate input has no certificate, or this is not the certificate (mTLS) endpoint"
	msgBadClientCert = "the server refused the client certificate: it does not trust its issuer, or the chain is incomplete"

	// Problems and fixes of the certificate input (CertificateInputError).
	msgSlowParse         = "could not be decoded within the timeout (%s): its key derivation asks for an unreasonable number of iterations"
	msgSlowParseFix      = "export the PKCS#12 file again with a standard tool (openssl pkcs12 -export)"
	msgWrongPassword     = "does not open the PKCS#12 certificate"
	msgWrongPasswordFix  = "give the password chosen when the certificate was generated (empty if none)"
	msgBadCertificateFix = "give a PKCS#12 file (binary, or base64 for a CI secret) or PEM with the certificate and its private key"

	// FirstAttempt's note: a final error came to a retry, and the first
	// attempt had failed otherwise.
	msgFirstAttempt = "; the request was retried: its first attempt got %s"

	// textSlowParse is the text of errSlowParse, which no user sees:
	// CertificateInputError replaces it with msgSlowParse.
	textSlowParse = "decoding took too long"
)
