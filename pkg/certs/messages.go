package certs

// The texts of package certs. msg… constants are messages, each listed in
// TROUBLESHOOTING.md; text… constants are other texts users see; match…
// constants are texts of other libraries that the code looks for.
const (
	// Errors of Parse: what the data of the certificate input is (pkg/flow
	// prefixes them with "the data ").
	msgWrongPassword = "the password does not open the PKCS#12 file"
	msgNoPrivateKey  = "holds no private key"
	msgNoCertificate = "holds no certificate"
	msgUnrecognized  = "is neither a PKCS#12 file (binary or base64) nor PEM text"
	msgKeyMismatch   = "holds a private key that does not match its certificate"
	msgEmpty         = "is empty: %w"
	msgNotPKCS12     = "cannot be read as PKCS#12 (%v): %w"
	msgEncryptedKey  = "holds an encrypted PEM private key; decrypt it (openssl pkey -in key.pem -out plain.pem) or use a PKCS#12 file with certificate-password"
	msgBadCertBlock  = "holds a CERTIFICATE block that cannot be parsed: %w"
	msgBadKey        = "holds a private key that cannot be parsed: %w"

	// Texts of go-pkcs12's errors.
	matchPKCS12NoKey  = "private key missing"
	matchPKCS12NoCert = "certificate missing"

	// Texts of crypto/tls's errors from X509KeyPair.
	matchKeyMismatch      = "does not match"
	matchNoPEM            = "find any PEM data in certificate"
	matchNoCertPEM        = "find certificate PEM data"
	matchPrivateKey       = "PRIVATE KEY"
	matchCertNotKey       = "rather than a key"
	matchParseCertificate = "parse certificate"

	// The validity period of a client certificate.
	msgExpired     = "the certificate %q expired at %s (notAfter); generate a new one"
	msgNotYetValid = "the certificate %q is not valid before %s (notBefore); check the clock or wait"
	msgExpiresSoon = "the certificate %q expires at %s (in %d days); generate a new one soon"

	// The trust store.
	msgSlowSystemRoots   = "the system CA certificates could not be read within timeout: check that SSL_CERT_FILE and SSL_CERT_DIR name readable files and directories, not a FIFO or a device"
	msgNoCACertificate   = "holds no PEM certificate"
	msgSystemRootsUnread = "the system CA certificates could not be read (%s), so only ca-certificates is trusted: check SSL_CERT_FILE and SSL_CERT_DIR"

	// The report of a client certificate (Describe).
	textDescribe      = "certificate: subject %q, issuer %q, serial %s, not after %s (%d days left), %s key, chain of %d, key matches"
	textNoCertificate = "certificate: none"
)
