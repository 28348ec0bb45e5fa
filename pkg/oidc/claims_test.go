package oidc

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/base64"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/saptest"
)

// signed returns a JWT with claims, signed with alg by a fresh key.
func signed(t *testing.T, alg jose.SignatureAlgorithm, claims map[string]any) string {
	t.Helper()
	var key any
	switch alg {
	case jose.HS256:
		key = []byte("0123456789abcdef0123456789abcdef")
	case jose.ES256:
		k, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
		if err != nil {
			t.Fatal(err)
		}
		key = k
	default:
		t.Fatalf("no key for %s", alg)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, nil)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(s).Claims(claims).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestParseUnverifiedGitHubAndGitLab(t *testing.T) {
	t.Parallel()
	iss := testIssuer(t)
	before := time.Now().Add(-time.Second)

	tests := []struct {
		name         string
		token        string
		wantProvider string
		want         map[string]string // field name -> value
	}{
		{
			name:         "GitHub",
			token:        iss.MintGitHub("sap-ci-auth"),
			wantProvider: providerGitHub,
			want: map[string]string{
				"iss": iss.URL, "sub": saptest.GitHubSubject, "aud": "sap-ci-auth",
				"repository": saptest.GitHubRepository, "repository_id": saptest.GitHubRepositoryID,
				"repository_owner": saptest.GitHubOwner, "repository_owner_id": saptest.GitHubOwnerID,
				"ref": saptest.GitHubRef, "job_workflow_ref": saptest.GitHubWorkflowRef,
				"project_path": "", "namespace_id": "",
			},
		},
		{
			name:         "GitLab",
			token:        iss.MintGitLab("https://ias.example"),
			wantProvider: providerGitLab,
			want: map[string]string{
				"iss": iss.URL, "sub": saptest.GitLabSubject, "aud": "https://ias.example",
				"project_path": saptest.GitLabProjectPath, "project_id": saptest.GitLabProjectID,
				"namespace_path": saptest.GitLabNamespacePath, "namespace_id": saptest.GitLabNamespaceID,
				"ref": saptest.GitLabRef, "user_login": "gitlab-user",
				"repository_id": "", "job_workflow_ref": "",
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := ParseUnverified(tt.token)
			if err != nil {
				t.Fatalf("ParseUnverified() error = %v", err)
			}
			got := map[string]string{
				"iss": c.Issuer, "sub": c.Subject, "aud": strings.Join(c.Audience, ","),
				"repository": c.Repository, "repository_id": c.RepositoryID,
				"repository_owner": c.RepositoryOwner, "repository_owner_id": c.RepositoryOwnerID,
				"ref": c.Ref, "job_workflow_ref": c.JobWorkflowRef,
				"project_path": c.ProjectPath, "project_id": c.ProjectID,
				"namespace_path": c.NamespacePath, "namespace_id": c.NamespaceID, "user_login": c.UserLogin,
			}
			for k, want := range tt.want {
				if got[k] != want {
					t.Errorf("%s = %q, want %q", k, got[k], want)
				}
			}
			if got := c.provider(); got != tt.wantProvider {
				t.Errorf("Provider() = %q, want %q", got, tt.wantProvider)
			}
			exp := c.Expiry()
			if exp.Before(before.Add(saptest.IssuerTokenLifetime)) || exp.After(time.Now().Add(saptest.IssuerTokenLifetime+time.Second)) {
				t.Errorf("Expiry() = %v, want about now + %v", exp, saptest.IssuerTokenLifetime)
			}
			if c.IssuedAt.IsZero() || c.NotBefore.IsZero() {
				t.Errorf("iat = %v, nbf = %v, want both set", c.IssuedAt, c.NotBefore)
			}
			if c.Raw["jti"] == nil {
				t.Errorf("Raw lacks jti: %v", c.Raw)
			}
		})
	}
}

func TestParseUnverifiedClaimShapes(t *testing.T) {
	t.Parallel()
	tok := signed(t, jose.ES256, map[string]any{
		"iss":              "https://ghes.example/_services/token",
		"aud":              []string{"a", "b"},
		"sub":              "repo:o/r:environment:prod",
		"repository_id":    123456789012345678, // beyond float64's exact integers
		"job_workflow_ref": "o/r/.github/workflows/x.yml@refs/heads/main",
		"environment":      "prod",
	})
	c, err := ParseUnverified(tok)
	if err != nil {
		t.Fatalf("ParseUnverified() error = %v", err)
	}
	if got := strings.Join(c.Audience, ","); got != "a,b" {
		t.Errorf("aud = %q, want a,b", got)
	}
	if c.RepositoryID != "123456789012345678" {
		t.Errorf("repository_id = %q, want every digit of 123456789012345678", c.RepositoryID)
	}
	if c.Environment != "prod" {
		t.Errorf("environment = %q, want prod", c.Environment)
	}
	if !c.Expiry().IsZero() {
		t.Errorf("Expiry() = %v, want zero for a token without exp", c.Expiry())
	}
	if got := c.provider(); got != providerGitHub {
		t.Errorf("Provider() = %q, want github from the claims of a GHES token", got)
	}
}

func TestParseUnverifiedRejects(t *testing.T) {
	t.Parallel()
	const secret = "SeCrEtPaRt"
	b64 := base64.RawURLEncoding.EncodeToString
	tests := []struct {
		name    string
		token   string
		wantErr string
	}{
		{name: "empty", token: "", wantErr: "not a JWT"},
		{name: "a passcode", token: secret + "123", wantErr: "not a JWT"},
		{name: "two parts", token: secret + "." + secret, wantErr: "not a JWT"},
		{name: "four parts", token: "a.b.c." + secret, wantErr: "not a JWT"},
		{name: "three parts of garbage", token: secret + "." + secret + "." + secret, wantErr: "failed to parse the ID token"},
		{name: "header not JSON", token: b64([]byte(`{"alg":`+secret)) + "." + b64([]byte("{}")) + ".c2ln", wantErr: "malformed base64url or JSON"},
		{name: "HS256 is not accepted", token: signed(t, jose.HS256, map[string]any{"sub": secret}), wantErr: "HS256"},
		{name: "alg none", token: b64([]byte(`{"alg":"none"}`)) + "." + b64([]byte(`{"sub":"`+secret+`"}`)) + ".", wantErr: "failed to parse the ID token"},
		{name: "payload not JSON", token: b64([]byte(`{"alg":"ES256"}`)) + "." + b64([]byte(secret)) + ".c2ln", wantErr: "failed to parse the ID token's claims: malformed"},
		{name: "exp of the wrong type", token: b64([]byte(`{"alg":"ES256"}`)) + "." + b64([]byte(`{"exp":"`+secret+`"}`)) + ".c2ln", wantErr: "failed to parse the ID token's claims"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := ParseUnverified(tt.token)
			if err == nil {
				t.Fatalf("ParseUnverified() = %+v, want error", c)
			}
			if !strings.Contains(err.Error(), tt.wantErr) {
				t.Errorf("error = %q, want it to contain %q", err, tt.wantErr)
			}
			assertNoLeak(t, err.Error(), secret, tt.token)
		})
	}
}

func TestProvider(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		c    Claims
		want string
	}{
		{name: "github.com issuer", c: Claims{Issuer: "https://token.actions.githubusercontent.com"}, want: "github"},
		{name: "enterprise slug issuer", c: Claims{Issuer: "https://token.actions.githubusercontent.com/octo-ent"}, want: "github"},
		{name: "look-alike issuer", c: Claims{Issuer: "https://token.actions.githubusercontent.com.evil.example"}, want: ""},
		{name: "gitlab.com", c: Claims{Issuer: "https://gitlab.com"}, want: "gitlab"},
		{name: "self-managed GitLab by claims", c: Claims{Issuer: "https://git.corp", ProjectPath: "g/p", NamespaceID: "1"}, want: "gitlab"},
		{name: "GHES by claims", c: Claims{Issuer: "https://ghes.corp/_services/token", RepositoryID: "1", JobWorkflowRef: "o/r/w@r"}, want: "github"},
		{name: "something else", c: Claims{Issuer: "https://accounts.google.com"}, want: ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			if got := tt.c.provider(); got != tt.want {
				t.Errorf("Provider() = %q, want %q", got, tt.want)
			}
		})
	}
}

func TestTrustReport(t *testing.T) {
	t.Parallel()
	iss := testIssuer(t)
	tests := []struct {
		name     string
		token    string
		want     []string
		wantNone []string
	}{
		{
			name:  "GitHub",
			token: iss.MintGitHub("sap-ci-auth"),
			want: []string{
				"iss: " + iss.URL, "aud: sap-ci-auth", "sub: " + saptest.GitHubSubject, "exp: 20",
				"repository: " + saptest.GitHubRepository,
				"repository_id: " + saptest.GitHubRepositoryID,
				"repository_owner_id: " + saptest.GitHubOwnerID,
				"ref: " + saptest.GitHubRef,
				"job_workflow_ref: " + saptest.GitHubWorkflowRef,
				"Corporate Identity Provider of type OpenID Connect",
				"  discovery URL (issuer): " + iss.URL,
				"  subject name identifier: the claim sub",
				"  audience: the token's audience (now sap-ci-auth; set by the audience input on GitHub, by id_tokens: aud on GitLab)",
				"repository_id=" + saptest.GitHubRepositoryID + ", repository_owner_id=" + saptest.GitHubOwnerID,
				"include_claim_keys",
				"cloudfoundry/uaa#2838",
			},
			wantNone: []string{"project_path", "namespace_id:"},
		},
		{
			name:  "GitLab",
			token: iss.MintGitLab("https://ias.example"),
			want: []string{
				"iss: " + iss.URL, "aud: https://ias.example", "sub: " + saptest.GitLabSubject,
				"project_path: " + saptest.GitLabProjectPath,
				"project_id: " + saptest.GitLabProjectID,
				"namespace_id: " + saptest.GitLabNamespaceID,
				"ref: " + saptest.GitLabRef,
				"project_id=" + saptest.GitLabProjectID + ", namespace_id=" + saptest.GitLabNamespaceID,
				"cloudfoundry/uaa#2838",
			},
			wantNone: []string{"repository_id", "job_workflow_ref"},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Parallel()
			c, err := ParseUnverified(tt.token)
			if err != nil {
				t.Fatalf("ParseUnverified() error = %v", err)
			}
			lines := trustReport(c, nil)
			text := strings.Join(lines, "\n")
			for _, w := range tt.want {
				if !strings.Contains(text, w) {
					t.Errorf("report lacks %q:\n%s", w, text)
				}
			}
			for _, w := range tt.wantNone {
				if strings.Contains(text, w) {
					t.Errorf("report has %q, which is not this provider's:\n%s", w, text)
				}
			}
			// The claim lines come first, each "<claim>: <value>".
			if !strings.HasPrefix(lines[0], "iss: ") || !strings.HasPrefix(lines[1], "aud: ") || !strings.HasPrefix(lines[2], "sub: ") || !strings.HasPrefix(lines[3], "exp: ") {
				t.Errorf("first lines = %q, want iss, aud, sub, exp", lines[:4])
			}
			sig := tt.token[strings.LastIndex(tt.token, ".")+1:]
			assertNoLeak(t, text, tt.token, sig)
		})
	}
}
