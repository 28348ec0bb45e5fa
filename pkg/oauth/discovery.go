package oauth

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/flow"
)

// discoveryPath is the OpenID Connect discovery document under an
// authorization server's URL (OpenID Connect Discovery 1.0 §4; XSUAA
// serves it, with the mTLS token endpoint in mtls_endpoint_aliases, RFC
// 8705 §5: SAP-docs btp-cloud-platform "Parameters for Self-Managed X.509
// Certificates").
const discoveryPath = "/.well-known/openid-configuration"

// discoveryURL is the discovery document of the server at base.
func discoveryURL(base string) (string, error) {
	if _, err := checkHTTPS(base, msgRequestInClear); err != nil {
		return "", err
	}
	return strings.TrimSuffix(base, "/") + discoveryPath, nil
}

// mtlsTokenEndpoint reads mtls_endpoint_aliases.token_endpoint from the
// discovery document at docURL (one GET), else its token_endpoint.
func mtlsTokenEndpoint(ctx context.Context, hc *http.Client, docURL string) (string, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, docURL, nil)
	if err != nil {
		return "", fmt.Errorf(msgDiscoveryRequest, err)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := hc.Do(req)
	if err != nil {
		return "", fmt.Errorf(msgDiscoveryFailed, flow.RequestError(err))
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return "", fmt.Errorf(msgDiscoveryStatus+"%s", resp.StatusCode, flow.FirstAttempt(resp))
	}
	var doc struct {
		TokenEndpoint string `json:"token_endpoint"`
		Aliases       struct {
			TokenEndpoint string `json:"token_endpoint"`
		} `json:"mtls_endpoint_aliases"`
	}
	if err := json.NewDecoder(io.LimitReader(resp.Body, maxAnswer)).Decode(&doc); err != nil {
		return "", errors.New(msgDiscoveryNotJSON)
	}
	u := doc.Aliases.TokenEndpoint
	if u == "" {
		u = doc.TokenEndpoint
	}
	if err := checkTokenURL(u); err != nil {
		return "", fmt.Errorf(msgDiscoveryBadEndpoint, err)
	}
	return u, nil
}
