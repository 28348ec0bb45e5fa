package saptest

import (
	"crypto/subtle"
	"net/http"
)

// AzureTokenRequestPath is the path of [Issuer]'s Azure DevOps token
// service, SYSTEM_OIDCREQUESTURI without its query, shaped like the
// agent's: /<org>/<project id>/_apis/distributedtask/hubs/build/plans/<plan
// id>/jobs/<job id>/oidctoken.
const AzureTokenRequestPath = "/" + AzureOrganization + "/" + AzureProjectID +
	"/_apis/distributedtask/hubs/build/plans/5c2d4f1a-7b8e-4e0f-9a6b-1d2c3e4f5a6b/jobs/9e8d7c6b-5a4f-4e3d-8c2b-1a0f9e8d7c6b/oidctoken"

// The claims of the jobs [Issuer] speaks for on Azure Pipelines, CircleCI and
// Bitbucket Pipelines; the ids are made up, shaped as each CI documents
// them.
const (
	// AzureAudience is the fixed "aud" of Azure Pipelines' ID tokens.
	AzureAudience     = "api://AzureADTokenExchange"
	AzureOrganization = "contoso"
	AzureOrgID        = "2f1e4d3c-6b5a-4c7d-9e8f-0a1b2c3d4e5f"
	AzureProjectID    = "7a6b5c4d-3e2f-4a1b-8c9d-0e1f2a3b4c5d"
	// AzurePipelineID is the pipeline's definition id (def_id).
	AzurePipelineID = "42"
	// AzureSubject is the sub of a token requested without a
	// serviceConnectionId, as sap-ci-auth requests it:
	// p://<organisation>/<project>/<pipeline> (a service connection's token
	// has sc://… instead).
	AzureSubject = "p://" + AzureOrganization + "/sap-landscape/btp-deploy"

	CircleCIOrgID     = "b3c4d5e6-f7a8-4b9c-8d0e-1f2a3b4c5d6e"
	CircleCIProjectID = "c4d5e6f7-a8b9-4c0d-9e1f-2a3b4c5d6e7f"
	CircleCIUserID    = "d5e6f7a8-b9c0-4d1e-8f2a-3b4c5d6e7f8a"
	CircleCISubject   = "org/" + CircleCIOrgID + "/project/" + CircleCIProjectID + "/user/" + CircleCIUserID +
		"/vcs-origin/github.com/octo-org/octo-repo/vcs-ref/refs/heads/main"

	BitbucketSubject  = "{a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c5d}:{e5f6a7b8-c9d0-4e1f-8a2b-3c4d5e6f7a8b}"
	BitbucketAudience = "ari:cloud:bitbucket::workspace/f6a7b8c9-d0e1-4f2a-9b3c-4d5e6f7a8b9c"
)

// AzureRequestURI returns the value for SYSTEM_OIDCREQUESTURI: URL +
// [AzureTokenRequestPath], no query.
func (i *Issuer) AzureRequestURI() string { return i.URL + AzureTokenRequestPath }

// AzureAccessToken returns the value for SYSTEM_ACCESSTOKEN, the bearer
// token that the Azure token service accepts. It is secret.
func (i *Issuer) AzureAccessToken() string { return i.azureAccessToken }

// MintAzure mints an Azure Pipelines-shaped ID token as its token service
// answers a request without a serviceConnectionId: sub [AzureSubject], aud
// [AzureAudience], org_id, prj_id, def_id, rpo_id, rpo_uri, rpo_ref, run_id
// and the registered claims (iss is the issuer's URL; Azure's own is
// https://vstoken.dev.azure.com/<org id>, see [IssuedBy]). The shape is
// that of a token shown in sigstore/fulcio#1803 (Microsoft documents the
// request, not the claims).
func (i *Issuer) MintAzure(opts ...TokenOption) string {
	return i.mint(map[string]any{
		"sub": AzureSubject, "aud": AzureAudience,
		"org_id": AzureOrgID, "prj_id": AzureProjectID, "def_id": AzurePipelineID,
		"rpo_id":  "3b4c5d6e-7f8a-4b9c-8d0e-1f2a3b4c5d6e",
		"rpo_uri": "https://dev.azure.com/" + AzureOrganization + "/sap-landscape/_git/btp-deploy",
		"rpo_ref": "refs/heads/main", "run_id": "1234",
	}, opts)
}

// MintCircleCI mints a CircleCI-shaped ID token as CIRCLE_OIDC_TOKEN_V2
// holds it: sub [CircleCISubject], aud the organisation ID, and
// oidc.circleci.com/org-id, project-id, vcs-origin, vcs-ref, context-ids.
func (i *Issuer) MintCircleCI(opts ...TokenOption) string {
	return i.mint(map[string]any{
		"sub":                                      CircleCISubject,
		"aud":                                      CircleCIOrgID,
		"oidc.circleci.com/org-id":                 CircleCIOrgID,
		"oidc.circleci.com/project-id":             CircleCIProjectID,
		"oidc.circleci.com/vcs-origin":             "github.com/octo-org/octo-repo",
		"oidc.circleci.com/vcs-ref":                "refs/heads/main",
		"oidc.circleci.com/context-ids":            []string{"e6f7a8b9-c0d1-4e2f-9a3b-4c5d6e7f8a9b"},
		"oidc.circleci.com/ssh-rerun":              false,
		"oidc.circleci.com/pipeline-id":            "f7a8b9c0-d1e2-4f3a-8b4c-5d6e7f8a9b0c",
		"oidc.circleci.com/pipeline-definition-id": "a8b9c0d1-e2f3-4a4b-9c5d-6e7f8a9b0c1d",
	}, opts)
}

// MintBitbucket mints a token as BITBUCKET_STEP_OIDC_TOKEN holds one, with
// only the claims Bitbucket's documentation lets a test rely on: sub, aud
// and the registered claims. Atlassian's page
// (https://support.atlassian.com/bitbucket-cloud/docs/integrate-pipelines-with-resource-servers-using-oidc/)
// names the workspace, repository and environment UUIDs to copy from the
// settings page, not the claims that carry them; the names seen elsewhere
// (workspaceUuid, repositoryUuid, …) are third parties' only, so none is
// minted here. docs/ci-id-tokens.md lists what was searched.
func (i *Issuer) MintBitbucket(opts ...TokenOption) string {
	return i.mint(map[string]any{"sub": BitbucketSubject, "aud": BitbucketAudience}, opts)
}

// azureTokenRequest serves "Oidctoken - Create": POST with
// "Authorization: Bearer <AzureAccessToken>" and one api-version,
// 7.1-preview.1 (as issue 21 and the REST reference name it, and as
// sap-ci-auth sends it) or 7.1 (which the service accepts too), gets 200
// {"oidcToken": "<jwt>"}; a missing or wrong access token 401, another,
// missing or repeated api-version 400, another method 405.
func (i *Issuer) azureTokenRequest(w http.ResponseWriter, r *http.Request, req *Request) {
	if r.Method != http.MethodPost {
		methodNotAllowed(w, http.MethodPost)
		return
	}
	want := "Bearer " + i.azureAccessToken
	if subtle.ConstantTimeCompare([]byte(req.Header.Get("Authorization")), []byte(want)) != 1 {
		writeJSON(w, http.StatusUnauthorized, "application/json", githubMessage{"TF400813: the user is not authorized to access this resource"})
		return
	}
	if v := req.Query["api-version"]; len(v) != 1 || v[0] != "7.1-preview.1" && v[0] != "7.1" {
		writeJSON(w, http.StatusBadRequest, "application/json", githubMessage{"VS800071: api-version 7.1-preview.1 is required"})
		return
	}
	i.mu.Lock()
	opts := append([]TokenOption(nil), i.tokenOpts...)
	i.mu.Unlock()
	writeJSON(w, http.StatusOK, "application/json", map[string]string{"oidcToken": i.MintAzure(opts...)})
}
