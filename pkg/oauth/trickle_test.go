package oauth

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
	"github.com/sap-ci-auth/sap-ci-auth/pkg/transport"
)

// TestTrickledAnswerOneMessage: a token answer whose headers arrive and
// whose body then trickles in past the timeout ends with one message, run
// after run, whichever timer fires first: the run's deadline (shorter,
// equal or longer than the client's timeout) or the client's own.
func TestTrickledAnswerOneMessage(t *testing.T) {
	t.Parallel()
	const timeout = 1500 * time.Millisecond
	const want = "token request failed: the token endpoint answered, but the answer did not arrive in full within the timeout: " +
		"check the network and any proxy (HTTPS_PROXY), or raise timeout: context deadline exceeded"
	tokenURL := saptest.MustTrickle(t, testPKI(t), 100*time.Millisecond)
	// The runs go at once, in goroutines rather than parallel subtests,
	// which -parallel would queue: they only wait.
	errs := make([]error, 10)
	var wg sync.WaitGroup
	for run := range errs {
		wg.Go(func() {
			// The run's deadline a little before, at or after the client's.
			ctx, cancel := context.WithTimeout(t.Context(), timeout+time.Duration(run%3-1)*time.Millisecond)
			defer cancel()
			hc, err := transport.New(transport.Options{Timeout: timeout, RootCAs: testPKI(t).RootPool()})
			if err != nil {
				errs[run] = err
				return
			}
			r := ccReq
			r.TokenURL = tokenURL
			_, errs[run] = fetch(ctx, hc, r, now)
		})
	}
	wg.Wait()
	for run, err := range errs {
		if err == nil || err.Error() != want {
			t.Errorf("run %d: Fetch() error = %v\nwant %s", run, err, want)
		}
	}
}
