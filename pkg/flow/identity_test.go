package flow_test

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/config"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
)

// TestHostilePKCS12IsBounded: a PKCS#12 file sets its own MAC iteration
// count, and go-pkcs12 takes it as it comes; this 81-byte file (found by
// FuzzParse in pkg/certs) asks for 2^62 SHA-1 rounds. The run gives up at
// its timeout with an input error instead of running for ever.
func TestHostilePKCS12IsBounded(t *testing.T) {
	t.Parallel()
	p12, err := hex.DecodeString("304f020103301306092a864886f70d010701a0060404300230003035301f300706052b0e03021a041400000000000000000000000000000000000000000408000000000000000002084000000000000000")
	if err != nil {
		t.Fatal(err)
	}
	s := &config.Settings{Certificate: config.Material{Input: "certificate-file", Data: p12}, Timeout: 300 * time.Millisecond}
	env := &flow.Env{Now: time.Now, Warn: func(string) {}, Info: func(string) {}}
	start := time.Now()
	_, err = flow.ClientCertificate(s, env)
	if took := time.Since(start); took > 5*time.Second {
		t.Errorf("ClientCertificate took %v, want about the timeout", took)
	}
	if err == nil || !strings.HasPrefix(err.Error(), "certificate-file: could not be decoded within the timeout") {
		t.Errorf("got %v, want the timeout error naming certificate-file", err)
	}
}
