package secret

import (
	"encoding/base64"
	"reflect"
	"slices"
	"strings"
	"testing"
)

// fakePEM armours body like a PEM private key. The armour is assembled at run
// time so that no file in the repository looks like a committed key; body is
// not a key at all.
func fakePEM(body string) string {
	const kind = "PRIVATE" + " KEY"
	return "-----BEGIN " + kind + "-----\n" + body + "\n-----END " + kind + "-----\n"
}

func TestParts(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		in   string
		want []string
	}{
		{"single line", "s3cr3t!|x", []string{"s3cr3t!|x"}},
		{"short single line kept", "pw", []string{"pw"}},
		{"blank", "  ", nil},
		{"pem drops armour", fakePEM("MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\nabc"), []string{"MIIEvQIBADANBgkqhkiG9w0BAQEFAASC"}},
		{"json braces dropped", "{\n  \"clientsecret\": \"abcdefgh12\"\n}", []string{`"clientsecret": "abcdefgh12"`}},
		{"crlf", "line-one-long\r\nline-two-long", []string{"line-one-long", "line-two-long"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			if got := Parts(tc.in); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestForms(t *testing.T) {
	t.Parallel()
	b64 := func(s string) []string {
		return []string{
			base64.StdEncoding.EncodeToString([]byte(s)),
			base64.URLEncoding.EncodeToString([]byte(s)),
			base64.RawStdEncoding.EncodeToString([]byte(s)),
			base64.RawURLEncoding.EncodeToString([]byte(s)),
		}
	}
	cases := []struct {
		name     string
		in       string
		want     []string // exactly, in order; nil to skip
		contains []string
		excludes []string
	}{
		{
			name: "plain secret: only the secret and its base64 forms (the rest are equal, deduped)",
			in:   "abcdefghij",
			want: []string{"abcdefghij", "YWJjZGVmZ2hpag==", "YWJjZGVmZ2hpag"},
		},
		{
			name:     "special characters: every encoding a server might echo",
			in:       `s&c<r>e"t +/%x`,
			contains: append([]string{`s&c<r>e"t +/%x`, "s%26c%3Cr%3Ee%22t+%2B%2F%25x", "s&c%3Cr%3Ee%22t%20+%2F%25x", "s&amp;c&lt;r&gt;e&#34;t +/%x", `s\u0026c\u003cr\u003ee\"t +/%x`, `s&c<r>e\"t +/%x`}, b64(`s&c<r>e"t +/%x`)...),
		},
		{
			name: "short secret: kept, derived forms under 8 bytes dropped",
			in:   "pw",
			want: []string{"pw"},
		},
		{
			name:     "multi-line secret: forms of each kept line, never of the armour",
			in:       fakePEM("MIIEvQIBADANBgkq+/AAAA\nBBBBBBBBCCCC"),
			contains: []string{"MIIEvQIBADANBgkq+/AAAA", "BBBBBBBBCCCC", "MIIEvQIBADANBgkq%2B%2FAAAA"},
			excludes: []string{"-----END PRIVATE" + " KEY-----"},
		},
		{
			name: "blank secret: nothing to mask",
			in:   "   ",
			want: nil,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := Forms(tc.in)
			if tc.want != nil || tc.contains == nil {
				if !reflect.DeepEqual(got, tc.want) {
					t.Errorf("got %q, want %q", got, tc.want)
				}
			}
			for _, w := range tc.contains {
				if !slices.Contains(got, w) {
					t.Errorf("got %q, want it to contain %q", got, w)
				}
			}
			for _, w := range tc.excludes {
				if slices.Contains(got, w) {
					t.Errorf("got %q, want it not to contain %q", got, w)
				}
			}
			seen := map[string]bool{}
			for _, f := range got {
				if seen[f] {
					t.Errorf("form %q repeated", f)
				}
				seen[f] = true
				if len(f) < minFormLen && f != strings.TrimSpace(tc.in) {
					t.Errorf("form %q is shorter than %d bytes", f, minFormLen)
				}
			}
		})
	}
}

func TestRedact(t *testing.T) {
	t.Parallel()
	const pw = "Pa55w0rd!:&%-long-enough"
	cases := []struct {
		name, text, want string
		wantOK           bool
	}{
		{"nothing to hide", "Bad credentials", "Bad credentials", true},
		{"verbatim", "password " + pw + " is wrong", "password *** is wrong", true},
		{"query-escaped", "password=Pa55w0rd%21%3A%26%25-long-enough", "password=***", true},
		{"truncated echo", "got Pa55w0rd!:&%-lo…", "", false},
		{"tail fragment", "…w0rd!:&%-long-enough", "", false},
		{"short secret whole", "pin 12345678 refused", "pin *** refused", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, ok := Redact(tc.text, []string{pw, "12345678"})
			if got != tc.want || ok != tc.wantOK {
				t.Errorf("Redact(%q) = %q, %v; want %q, %v", tc.text, got, ok, tc.want, tc.wantOK)
			}
		})
	}
}

func TestRedactURLs(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, in, want string }{
		{"url.Error text", `Post "https://uaa.example/oauth/token?client_secret=s3cr3t": dial tcp: refused`, `Post "https://uaa.example/oauth/token": dial tcp: refused`},
		{"user info", `Get "https://sb-client:pw-s3cr3t@uaa.example/x": EOF`, `Get "https://uaa.example/x": EOF`},
		{"net/http's masked password", `Get "https://user:***@host/p?secret=s3cr3t#frag": EOF`, `Get "https://host/p": EOF`},
		{"fragment", "see https://host/p#access_token=s3cr3t now", "see https://host/p now"},
		{"proxy URL", "proxyconnect tcp: http://proxyuser:proxy-s3cr3t@proxy.corp:3128 refused", "proxyconnect tcp: http://proxy.corp:3128 refused"},
		{"two URLs", "a https://h1/p?x=1 and b https://u@h2/q?y=2", "a https://h1/p and b https://h2/q"},
		{"no URL", "the server refused the connection: 127.0.0.1:1?x", "the server refused the connection: 127.0.0.1:1?x"},
		{"the advice's placeholder login is kept", "set it as http://user:password@host:port", "set it as http://user:password@host:port"},
		{"a login that merely starts like the placeholder", "http://user:password-s3cr3t@proxy:3128 refused", "http://proxy:3128 refused"},
		{"empty", "", ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got := RedactURLs(tc.in)
			if got != tc.want {
				t.Errorf("RedactURLs(%q) = %q, want %q", tc.in, got, tc.want)
			}
			if strings.Contains(got, "s3cr3t") {
				t.Errorf("RedactURLs(%q) = %q, holds the secret", tc.in, got)
			}
		})
	}
}
