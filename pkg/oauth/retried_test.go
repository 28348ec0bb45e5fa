package oauth

import (
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow/flowtest"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// TestSubRequestsNameTheFirstAttempt: when the transport's retries of
// verify-url's GET or of the discovery document end in another answer
// than the first attempt got, the message names both, as the token request
// does.
func TestSubRequestsNameTheFirstAttempt(t *testing.T) {
	t.Parallel()
	const want = "; the request was retried: its first attempt got HTTP 503 Service Unavailable"
	t.Run("verify-url", func(t *testing.T) {
		t.Parallel()
		l := flowtest.Landscape(t)
		l.CPI.SetFaults(saptest.Fault{Status: http.StatusServiceUnavailable}, saptest.Fault{Status: http.StatusUnauthorized})
		hc, err := flowtest.New(t, l.PKI.RootPool(), time.Time{}, 10*time.Second).Env.Client(nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = verify(t.Context(), hc, l.CPI.URL+saptest.MessageProcessingLogsPath, "Bearer x", nil)
		if err == nil || !strings.HasPrefix(err.Error(), "verify-url answered 401") || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("got %v, want the 401 and then %q", err, want)
		}
	})
	t.Run("discovery", func(t *testing.T) {
		t.Parallel()
		l := flowtest.Landscape(t)
		l.UAA.SetFaults(saptest.Fault{Status: http.StatusServiceUnavailable}, saptest.Fault{Status: http.StatusNotFound})
		hc, err := flowtest.New(t, l.PKI.RootPool(), time.Time{}, 10*time.Second).Env.Client(nil)
		if err != nil {
			t.Fatal(err)
		}
		_, err = mtlsTokenEndpoint(t.Context(), hc, l.UAA.URL+discoveryPath)
		if err == nil || !strings.Contains(err.Error(), "HTTP 404") || !strings.HasSuffix(err.Error(), want) {
			t.Errorf("got %v, want the 404 and then %q", err, want)
		}
	})
}
