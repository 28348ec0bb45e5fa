package saptest

// TB is the part of testing.TB that the Must… helpers use. *testing.T,
// *testing.B and *testing.F satisfy it; declaring it here keeps package
// testing out of binaries that use saptest (such as the demo command).
type TB interface {
	Helper()
	Fatalf(format string, args ...any)
	Cleanup(func())
}

// MustPKI is [NewPKI] that fails the test on error.
func MustPKI(tb TB, serverNames ...string) *PKI {
	tb.Helper()
	p, err := NewPKI(serverNames...)
	if err != nil {
		tb.Fatalf("saptest: %v", err)
	}
	return p
}

// MustClient is [PKI.IssueClient] that fails the test on error.
func MustClient(tb TB, p *PKI, commonName string, opts ...ClientOption) *ClientCert {
	tb.Helper()
	c, err := p.IssueClient(commonName, opts...)
	if err != nil {
		tb.Fatalf("saptest: %v", err)
	}
	return c
}

// MustPKCS12 is [ClientCert.PKCS12] that fails the test on error.
func MustPKCS12(tb TB, c *ClientCert, format P12Format, password string) []byte {
	tb.Helper()
	der, err := c.PKCS12(format, password)
	if err != nil {
		tb.Fatalf("saptest: %v", err)
	}
	return der
}

// MustIAS is [NewIAS] that fails the test on error and closes the server
// when the test ends.
func MustIAS(tb TB, p *PKI, opts ...IASOption) *IAS {
	tb.Helper()
	s, err := NewIAS(p, opts...)
	if err != nil {
		tb.Fatalf("saptest: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// MustUAA is [NewUAA] that fails the test on error and closes the server
// when the test ends.
func MustUAA(tb TB, p *PKI, cfg UAAConfig) *UAA {
	tb.Helper()
	s, err := NewUAA(p, cfg)
	if err != nil {
		tb.Fatalf("saptest: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// MustCPI is [NewCPI] that fails the test on error and closes the server
// when the test ends.
func MustCPI(tb TB, p *PKI, uaa *UAA, scope string) *CPI {
	tb.Helper()
	s, err := NewCPI(p, uaa, scope)
	if err != nil {
		tb.Fatalf("saptest: %v", err)
	}
	tb.Cleanup(s.Close)
	return s
}

// MustLandscape is [NewLandscape] that fails the test on error and closes
// the landscape when the test ends.
func MustLandscape(tb TB, opts ...LandscapeOption) *Landscape {
	tb.Helper()
	l, err := NewLandscape(opts...)
	if err != nil {
		tb.Fatalf("saptest: %v", err)
	}
	tb.Cleanup(l.Close)
	return l
}
