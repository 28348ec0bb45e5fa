package oidc

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
)

// azureAPIVersion is the api-version of Azure DevOps' "Oidctoken - Create"
// that FetchAzure asks for: 7.1-preview.1, as the REST reference
// (learn.microsoft.com/rest/api/azure/devops/distributedtask/oidctoken/create)
// and issue 21 name it. The service accepts 7.1 too, which Microsoft's
// Azure Identity libraries (AzurePipelinesCredential) send; both name the
// same operation.
const azureAPIVersion = "7.1-preview.1"

// azureAudience is the fixed "aud" of every ID token Azure Pipelines
// issues; the relying party must accept it as a client ID.
const azureAudience = "api://AzureADTokenExchange"

// FetchAzure asks Azure Pipelines' token service for the job's ID token and
// returns the JWT: POST $SYSTEM_OIDCREQUESTURI?api-version=7.1-preview.1 with
// "Authorization: Bearer $SYSTEM_ACCESSTOKEN" and an empty JSON body; the
// answer is {"oidcToken": "<jwt>"} (Azure DevOps REST "Oidctoken -
// Create"). "X-TFS-FedAuthRedirect: Suppress" asks the service for a
// status instead of a redirect to a sign-in page.
//
// The access token goes to requestURI only: it must be https, and a
// redirect is an error, never followed. hc is used as is otherwise (its
// timeout and retries apply). Errors never contain the access token, the
// JWT or the answer's body.
func FetchAzure(ctx context.Context, hc *http.Client, requestURI, accessToken string) (string, error) {
	if hc == nil {
		return "", errors.New(msgAzureNoHTTPClient)
	}
	if accessToken == "" {
		return "", errors.New(msgAzureNoAccessToken)
	}
	u, err := url.Parse(requestURI)
	if err != nil || u.Scheme != "https" || u.Host == "" {
		return "", errors.New(msgAzureURIInClear)
	}
	q := u.Query()
	q.Set("api-version", azureAPIVersion)
	u.RawQuery = q.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, u.String(), http.NoBody)
	if err != nil {
		return "", fmt.Errorf(msgAzureFetchFailed, err)
	}
	req.Header.Set("Authorization", "Bearer "+accessToken)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-TFS-FedAuthRedirect", "Suppress")

	body, err := tokenServiceAnswer(hc, req, serviceErrors{failed: msgAzureFetchFailed, read: msgAzureFetchFailed, tooLarge: msgAzureAnswerTooLarge,
		refused: msgAzureAccessTokenRefused, redirect: msgAzureRedirect, status: msgAzureStatus})
	if err != nil {
		return "", err
	}
	var answer struct {
		OIDCToken *string `json:"oidcToken"`
	}
	if err := json.Unmarshal(body, &answer); err != nil || answer.OIDCToken == nil || *answer.OIDCToken == "" {
		return "", errors.New(msgAzureAnswerNoToken)
	}
	return *answer.OIDCToken, nil
}
