package oauth

import (
	"crypto"
	"crypto/tls"
	"crypto/x509"
	"encoding/pem"
	"errors"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/certs"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/servicekey"
)

// keyCertificate is the client certificate of an X.509 service key: its
// own certificate and key, or, for a key with a certificate but no key
// (External Certificate, self-managed XSUAA x509), that certificate with
// the private key of the certificate inputs. A certificate input that does
// not belong to the key's certificate is an input error: nothing is sent.
func keyCertificate(key *servicekey.Key, keyInput string, s *config.Settings, env *flow.Env) (*tls.Certificate, error) {
	if !s.Certificate.Given() {
		c, err := key.TLSCertificate()
		if err != nil {
			return nil, &config.InputError{Input: keyInput, Problem: err.Error()}
		}
		return flow.UseCertificate(keyInput, &certs.Identity{TLS: c, Leaf: c.Leaf}, env)
	}
	in := s.Certificate.Input
	keyLeaf, err := leafOf(key.Certificate)
	if err != nil {
		return nil, &config.InputError{Input: keyInput, Problem: msgKeyBadCertificate, Fix: msgFixKeyCertificate}
	}
	id, err := flow.ParseCertificateInput(s)
	if errors.Is(err, certs.ErrNoCertificate) {
		// Only a private key: it goes with the key's certificate.
		pair, err := tls.X509KeyPair([]byte(key.Certificate), s.Certificate.Data)
		if err != nil {
			return nil, &config.InputError{Input: in, Problem: msgNotKeyPrivateKey,
				Fix: msgFixNotKeyPrivateKey}
		}
		return flow.UseCertificate(in, &certs.Identity{TLS: pair, Leaf: pair.Leaf}, env)
	}
	if err != nil {
		return nil, flow.CertificateInputError(s, err)
	}
	if k, ok := keyLeaf.PublicKey.(interface{ Equal(crypto.PublicKey) bool }); !ok || !k.Equal(id.Leaf.PublicKey) {
		return nil, &config.InputError{Input: in, Problem: msgNotKeyCertificate,
			Fix: msgFixNotKeyCertificate}
	}
	return flow.UseCertificate(in, id, env)
}

// leafOf parses the first certificate of a PEM chain.
func leafOf(chainPEM string) (*x509.Certificate, error) {
	rest := []byte(chainPEM)
	for {
		var block *pem.Block
		if block, rest = pem.Decode(rest); block == nil {
			return nil, errors.New("no certificate")
		}
		if block.Type == "CERTIFICATE" {
			return x509.ParseCertificate(block.Bytes)
		}
	}
}
