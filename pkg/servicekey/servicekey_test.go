package servicekey

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"math/big"
	"regexp"
	"strings"
	"testing"
	"time"
)

// The PEM markers are split so that no file of the repository looks like it
// holds a private key; the bodies are not keys at all.
const (
	certKind = "CERTIFICATE"
	keyKind  = "PRIVATE " + "KEY"
)

func fakePEM(kind, body string) string {
	return "-----BEGIN " + kind + "-----\n" + body + "\n-----END " + kind + "-----\n"
}

var (
	certPEM = fakePEM(certKind, "TUlJQ2VydGlmaWNhdGVCb2R5TGluZU9uZQ==\nTm90QVJlYWxDZXJ0aWZpY2F0ZQ==")
	keyPEM  = fakePEM(keyKind, "Tm90QVJlYWxLZXlMaW5lT25lTm90QVJl\nYWxLZXlMaW5lVHdvU2VjcmV0UGFydA==")
)

// jsonString quotes s as JSON does: line breaks become \n escapes, which is
// how service keys carry PEM.
func jsonString(s string) string {
	b, err := json.Marshal(s)
	if err != nil {
		panic(err)
	}
	return string(b)
}

// literalNewlines quotes s with its line breaks written as a literal
// backslash-n (JSON "\\n"), as some tools and hand edits leave them.
func literalNewlines(s string) string {
	return jsonString(strings.ReplaceAll(s, "\n", `\n`))
}

const xsCockpit = `Getting service key "demo-cockpit-uaa" for service instance "cockpit-uaa" ...

{
  "tenantmode" : "dedicated",
  "clientid" : "sb-cockpit!i1",
  "verificationkey" : "-----BEGIN PUBLIC KEY-----MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAverif-----END PUBLIC KEY-----",
  "xsappname" : "cockpit!i1",
  "identityzone" : "uaa",
  "identityzoneid" : "uaa",
  "clientsecret" : "XsCockpitS3cret+/=",
  "url" : "https://hana.example.com:30032/uaa-security"
}

OK
`

// seed000Broken is the HANA cockpit tutorial's sample as printed by xs: its
// url is not quoted.
const seed000Broken = `Getting service key "demo-cockpit-uaa" for service instance "cockpit-uaa" ...

{
  "tenantmode" : "dedicated",
  "clientid" : "sb-cockpit!i1",
  "verificationkey" : "VerificationKeyValue123",
  "xsappname" : "cockpit!i1",
  "identityzone" : "uaa",
  "identityzoneid" : "uaa",
  "clientsecret" : "BrokenSampleS3cret",
  "url" : https://host:30032/uaa-security
}

OK
`

// seed000NoBraces is the same sample as the tutorial page shows it: the web
// page lost the braces.
const seed000NoBraces = `  "tenantmode" : "dedicated",
  "clientid" : "sb-cockpit!i1",
  "clientsecret" : "NoBracesS3cret",
  "url" : https://host:30032/uaa-security
`

// cfV7 is `cf service-key` output before cf CLI v8, with "as user".
const cfV7 = `Getting key ci-key for service instance my-xsuaa as ci-bot@example.com...

{
 "apiurl": "https://api.authentication.eu10.hana.ondemand.com",
 "clientid": "sb-my-app!t12345",
 "clientsecret": "a}b{c\"d\\e-CfV7S3cret",
 "credential-type": "binding-secret",
 "identityzone": "acme-dev",
 "identityzoneid": "5a7e2f0c-0000-4000-8000-000000000001",
 "sburl": "https://internal-xsuaa.authentication.eu10.hana.ondemand.com",
 "tenantid": "5a7e2f0c-0000-4000-8000-000000000001",
 "tenantmode": "dedicated",
 "uaadomain": "authentication.eu10.hana.ondemand.com",
 "url": "https://acme-dev.authentication.eu10.hana.ondemand.com",
 "verificationkey": "-----BEGIN PUBLIC KEY-----\nMIIBIjANBgkqhkiG9w0B\n-----END PUBLIC KEY-----",
 "xsappname": "my-app!t12345",
 "zoneid": "5a7e2f0c-0000-4000-8000-000000000001"
}
`

// cfNoUser is `cf service-key` output without "as user" and with CRLF line
// ends, as pasted from a Windows terminal.
const cfNoUser = "Getting key ci-key for service instance my-uaa...\r\n\r\n{\r\n \"clientid\": \"ci-client\",\r\n \"clientsecret\": \"CrLfS3cret\",\r\n \"url\": \"https://uaa.example.com/\"\r\n}\r\n"

// cfV8CPI is cf CLI v8 output for a Cloud Integration plan api key: the
// credentials wrapper around the oauth wrapper.
const cfV8CPI = `Getting key cpi-key for service instance cpi-api as ci-bot@example.com...

{
  "credentials": {
    "oauth": {
      "clientid": "sb-1c2d3e4f-0000-4000-8000-000000000002!b12345|it!b67890",
      "clientsecret": "CpiV8S3cret=",
      "createdate": "2025-01-01 10:00:00.000",
      "tokenurl": "https://acme.authentication.eu10.hana.ondemand.com/oauth/token",
      "url": "https://acme.it-cpi018.cfapps.eu10-003.hana.ondemand.com"
    }
  }
}
`

// cfBraces is cf CLI output for a key and an instance whose names hold
// braces: the header line is no JSON.
const cfBraces = `Getting key {ci} for service instance {my-uaa} as admin...

{
 "clientid": "sb-braces!t1",
 "clientsecret": "Braces}S3cret{",
 "url": "https://acme.authentication.eu10.hana.ondemand.com"
}
`

// xsBraces is xs output with braces in the quoted names, an empty pair
// among them, and the trailing OK.
const xsBraces = `Getting service key "{}" for service instance "{cockpit-uaa}" ...

{
  "uaa" : {
    "clientid" : "sb-cockpit!i1",
    "clientsecret" : "XsBracesS3cret",
    "url" : "https://hana.example.com:30032/uaa-security"
  }
}

OK
`

// vcapOne is a VCAP_SERVICES document with one binding, as `cf env`
// prints it after its header.
const vcapOne = `Getting env variables for app my-app in org acme / space dev as admin...
System-Provided:
VCAP_SERVICES: {
  "xsuaa": [
    {
      "binding_guid": "0f0e0d0c-0000-4000-8000-000000000003",
      "credentials": {
        "clientid": "sb-my-app!t1",
        "clientsecret": "VcapOneS3cret",
        "url": "https://acme.authentication.eu10.hana.ondemand.com"
      },
      "label": "xsuaa",
      "name": "my-uaa",
      "plan": "application",
      "tags": ["xsuaa"]
    }
  ]
}

VCAP_APPLICATION: {
  "application_name": "my-app"
}
`

// vcapWrapped is {"VCAP_SERVICES": …} holding one binding whose
// credentials carry the client under "uaa".
const vcapWrapped = `{"VCAP_SERVICES":{"destination":[{"name":"my-dest","label":"destination","credentials":{"uaa":{"clientid":"sb-dest!b1","clientsecret":"VcapDestS3cret","url":"https://acme.authentication.eu10.hana.ondemand.com"},"uri":"https://destination.cfapps.eu10.hana.ondemand.com"}}]}}`

const cpiOAuth = `{"oauth":{"clientid":"sb-1c2d!b1|it!b2","clientsecret":"CpiPlainS3cret","tokenurl":"https://acme.authentication.us10.hana.ondemand.com/oauth/token","url":"https://acme.it-cpi001.cfapps.us10.hana.ondemand.com"}}`

const cfV8XSUAA = `{
  "credentials": {
    "clientid": "sb-app!t1",
    "clientsecret": "CfV8XsuaaS3cret",
    "credential-type": "instance-secret",
    "url": "https://acme.authentication.eu10.hana.ondemand.com"
  }
}`

const uaaWrapped = `{"uaa":{"clientid":"sb-dest!b1","clientsecret":"UaaWrappedS3cret","url":"https://acme.authentication.eu10.hana.ondemand.com"},"uri":"https://destination.cfapps.eu10.hana.ondemand.com"}`

var (
	xsuaaX509 = `{
  "clientid": "sb-x509-app!t1",
  "credential-type": "x509",
  "certificate": ` + jsonString(certPEM) + `,
  "key": ` + jsonString(keyPEM) + `,
  "certurl": "https://acme.authentication.cert.eu10.hana.ondemand.com/",
  "url": "https://acme.authentication.eu10.hana.ondemand.com",
  "xsappname": "x509-app!t1"
}`
	xsuaaX509Literal = `{
  "clientid": "sb-x509-app!t1",
  "credential-type": "x509",
  "certificate": ` + literalNewlines(certPEM) + `,
  "key": ` + literalNewlines(keyPEM) + `,
  "certurl": "https://acme.authentication.cert.eu10.hana.ondemand.com",
  "url": "https://acme.authentication.eu10.hana.ondemand.com"
}`
	cpiCertificate = `{
  "oauth": {
    "clientid": "sb-cert-client!b1|it!b2",
    "certificate": ` + literalNewlines(certPEM) + `,
    "key": ` + literalNewlines(keyPEM) + `,
    "certificatedetails": {"issuerdn": "CN=SAP Cloud Platform Client CA", "subjectdn": "CN=cert-client", "validuntil": "2026-12-31 23:59:59", "serialnumber": "0a1b2c"},
    "tokenurl": "https://acme.authentication.cert.eu10.hana.ondemand.com/oauth/token",
    "url": "https://acme.it-cpi018.cfapps.eu10-003.hana.ondemand.com"
  }
}`
	cpiExternal = `{
  "oauth": {
    "clientid": "sb-ext-client!b1|it!b2",
    "certificate": ` + jsonString(certPEM) + `,
    "tokenurl": "https://acme.authentication.cert.eu10.hana.ondemand.com/oauth/token",
    "url": "https://acme.it-cpi018.cfapps.eu10-003.hana.ondemand.com"
  }
}`
)

func TestParse(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name      string
		in        string
		want      Key
		wantX509  bool
		wantToken string
		secrets   []string
	}{
		{
			name: "raw xs service-key output of cockpit-uaa",
			in:   xsCockpit,
			want: Key{
				ClientID:     "sb-cockpit!i1",
				ClientSecret: "XsCockpitS3cret+/=",
				URL:          "https://hana.example.com:30032/uaa-security",
			},
			wantToken: "https://hana.example.com:30032/uaa-security/oauth/token",
			secrets:   []string{"XsCockpitS3cret+/="},
		},
		{
			name: "raw cf service-key output with as user, braces in the secret",
			in:   cfV7,
			want: Key{
				ClientID:       "sb-my-app!t12345",
				ClientSecret:   `a}b{c"d\e-CfV7S3cret`,
				URL:            "https://acme-dev.authentication.eu10.hana.ondemand.com",
				CredentialType: "binding-secret",
			},
			wantToken: "https://acme-dev.authentication.eu10.hana.ondemand.com/oauth/token",
			secrets:   []string{`a}b{c"d\e-CfV7S3cret`},
		},
		{
			name: "raw cf service-key output without as user, CRLF, trailing slash",
			in:   cfNoUser,
			want: Key{
				ClientID:     "ci-client",
				ClientSecret: "CrLfS3cret",
				URL:          "https://uaa.example.com/",
			},
			wantToken: "https://uaa.example.com/oauth/token",
			secrets:   []string{"CrLfS3cret"},
		},
		{
			name: "raw cf service-key output with braces in the header",
			in:   cfBraces,
			want: Key{
				ClientID:     "sb-braces!t1",
				ClientSecret: "Braces}S3cret{",
				URL:          "https://acme.authentication.eu10.hana.ondemand.com",
			},
			wantToken: "https://acme.authentication.eu10.hana.ondemand.com/oauth/token",
			secrets:   []string{"Braces}S3cret{"},
		},
		{
			name: "raw xs service-key output with braces in the header",
			in:   xsBraces,
			want: Key{
				ClientID:     "sb-cockpit!i1",
				ClientSecret: "XsBracesS3cret",
				URL:          "https://hana.example.com:30032/uaa-security",
			},
			wantToken: "https://hana.example.com:30032/uaa-security/oauth/token",
			secrets:   []string{"XsBracesS3cret"},
		},
		{
			name: "VCAP_SERVICES with one binding, as cf env prints it",
			in:   vcapOne,
			want: Key{
				ClientID:     "sb-my-app!t1",
				ClientSecret: "VcapOneS3cret",
				URL:          "https://acme.authentication.eu10.hana.ondemand.com",
			},
			wantToken: "https://acme.authentication.eu10.hana.ondemand.com/oauth/token",
			secrets:   []string{"VcapOneS3cret"},
		},
		{
			name: "VCAP_SERVICES wrapper around one binding with a uaa wrapper",
			in:   vcapWrapped,
			want: Key{
				ClientID:     "sb-dest!b1",
				ClientSecret: "VcapDestS3cret",
				URL:          "https://acme.authentication.eu10.hana.ondemand.com",
			},
			wantToken: "https://acme.authentication.eu10.hana.ondemand.com/oauth/token",
			secrets:   []string{"VcapDestS3cret"},
		},
		{
			name: "cf v8 credentials around CPI oauth",
			in:   cfV8CPI,
			want: Key{
				ClientID:     "sb-1c2d3e4f-0000-4000-8000-000000000002!b12345|it!b67890",
				ClientSecret: "CpiV8S3cret=",
				URL:          "https://acme.it-cpi018.cfapps.eu10-003.hana.ondemand.com",
				TokenURL:     "https://acme.authentication.eu10.hana.ondemand.com/oauth/token",
			},
			wantToken: "https://acme.authentication.eu10.hana.ondemand.com/oauth/token",
			secrets:   []string{"CpiV8S3cret="},
		},
		{
			name: "CPI plan api oauth wrapper",
			in:   cpiOAuth,
			want: Key{
				ClientID:     "sb-1c2d!b1|it!b2",
				ClientSecret: "CpiPlainS3cret",
				URL:          "https://acme.it-cpi001.cfapps.us10.hana.ondemand.com",
				TokenURL:     "https://acme.authentication.us10.hana.ondemand.com/oauth/token",
			},
			wantToken: "https://acme.authentication.us10.hana.ondemand.com/oauth/token",
			secrets:   []string{"CpiPlainS3cret"},
		},
		{
			name: "cf v8 credentials around XSUAA",
			in:   cfV8XSUAA,
			want: Key{
				ClientID:       "sb-app!t1",
				ClientSecret:   "CfV8XsuaaS3cret",
				URL:            "https://acme.authentication.eu10.hana.ondemand.com",
				CredentialType: "instance-secret",
			},
			wantToken: "https://acme.authentication.eu10.hana.ondemand.com/oauth/token",
			secrets:   []string{"CfV8XsuaaS3cret"},
		},
		{
			name: "uaa wrapper",
			in:   uaaWrapped,
			want: Key{
				ClientID:     "sb-dest!b1",
				ClientSecret: "UaaWrappedS3cret",
				URL:          "https://acme.authentication.eu10.hana.ondemand.com",
			},
			wantToken: "https://acme.authentication.eu10.hana.ondemand.com/oauth/token",
			secrets:   []string{"UaaWrappedS3cret"},
		},
		{
			name: "XSUAA x509 with JSON newline escapes",
			in:   xsuaaX509,
			want: Key{
				ClientID:       "sb-x509-app!t1",
				URL:            "https://acme.authentication.eu10.hana.ondemand.com",
				CertURL:        "https://acme.authentication.cert.eu10.hana.ondemand.com/",
				Certificate:    strings.TrimSpace(certPEM),
				PrivateKey:     strings.TrimSpace(keyPEM),
				CredentialType: "x509",
			},
			wantX509:  true,
			wantToken: "https://acme.authentication.cert.eu10.hana.ondemand.com/oauth/token",
			secrets:   []string{strings.TrimSpace(keyPEM)},
		},
		{
			name: "XSUAA x509 with literal backslash-n",
			in:   xsuaaX509Literal,
			want: Key{
				ClientID:       "sb-x509-app!t1",
				URL:            "https://acme.authentication.eu10.hana.ondemand.com",
				CertURL:        "https://acme.authentication.cert.eu10.hana.ondemand.com",
				Certificate:    strings.TrimSpace(certPEM),
				PrivateKey:     strings.TrimSpace(keyPEM),
				CredentialType: "x509",
			},
			wantX509:  true,
			wantToken: "https://acme.authentication.cert.eu10.hana.ondemand.com/oauth/token",
			secrets:   []string{strings.TrimSpace(keyPEM), strings.ReplaceAll(keyPEM, "\n", `\n`)},
		},
		{
			name: "CPI certificate key uses its tokenurl",
			in:   cpiCertificate,
			want: Key{
				ClientID:    "sb-cert-client!b1|it!b2",
				URL:         "https://acme.it-cpi018.cfapps.eu10-003.hana.ondemand.com",
				TokenURL:    "https://acme.authentication.cert.eu10.hana.ondemand.com/oauth/token",
				Certificate: strings.TrimSpace(certPEM),
				PrivateKey:  strings.TrimSpace(keyPEM),
			},
			wantX509:  true,
			wantToken: "https://acme.authentication.cert.eu10.hana.ondemand.com/oauth/token",
			secrets:   []string{strings.TrimSpace(keyPEM), strings.ReplaceAll(keyPEM, "\n", `\n`)},
		},
		{
			name: "CPI external certificate key has no private key",
			in:   cpiExternal,
			want: Key{
				ClientID:    "sb-ext-client!b1|it!b2",
				URL:         "https://acme.it-cpi018.cfapps.eu10-003.hana.ondemand.com",
				TokenURL:    "https://acme.authentication.cert.eu10.hana.ondemand.com/oauth/token",
				Certificate: strings.TrimSpace(certPEM),
			},
			wantX509:  true,
			wantToken: "https://acme.authentication.cert.eu10.hana.ondemand.com/oauth/token",
		},
		{
			name:      "url already ends with /oauth/token",
			in:        `{"clientid":"c","clientsecret":"UrlHasPathS3cret","url":"https://uaa.example.com/oauth/token/"}`,
			want:      Key{ClientID: "c", ClientSecret: "UrlHasPathS3cret", URL: "https://uaa.example.com/oauth/token/"},
			wantToken: "https://uaa.example.com/oauth/token",
			secrets:   []string{"UrlHasPathS3cret"},
		},
		{
			name:      "camelCase clientId and null fields",
			in:        `{"clientId":"c","clientSecret":"CamelS3cret","url":"https://uaa.example.com","tokenurl":null}`,
			want:      Key{ClientID: "c", ClientSecret: "CamelS3cret", URL: "https://uaa.example.com"},
			wantToken: "https://uaa.example.com/oauth/token",
			secrets:   []string{"CamelS3cret"},
		},
		{
			// A partial key: the client-id input completes it.
			name:      "no clientid",
			in:        `{"clientsecret":"NoIdS3cret","url":"https://uaa.example.com"}`,
			want:      Key{ClientSecret: "NoIdS3cret", URL: "https://uaa.example.com"},
			wantToken: "https://uaa.example.com/oauth/token",
			secrets:   []string{"NoIdS3cret"},
		},
		{
			name:      "blank clientid inside a wrapper",
			in:        `{"credentials":{"clientid":"  ","clientsecret":"EmptyIdS3cret","url":"https://uaa.example.com"}}`,
			want:      Key{ClientSecret: "EmptyIdS3cret", URL: "https://uaa.example.com"},
			wantToken: "https://uaa.example.com/oauth/token",
			secrets:   []string{"EmptyIdS3cret"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, err := Parse([]byte(tc.in))
			if err != nil {
				t.Fatalf("Parse() error = %v", err)
			}
			if got.ClientID != tc.want.ClientID || got.ClientSecret != tc.want.ClientSecret ||
				got.URL != tc.want.URL || got.TokenURL != tc.want.TokenURL || got.CertURL != tc.want.CertURL ||
				got.Certificate != tc.want.Certificate || got.PrivateKey != tc.want.PrivateKey ||
				got.CredentialType != tc.want.CredentialType {
				t.Errorf("Parse() =\n%#v\nwant\n%#v", *got, tc.want)
			}
			if got, want := got.IsX509(), tc.wantX509; got != want {
				t.Errorf("IsX509() = %v, want %v", got, want)
			}
			tok, err := got.TokenEndpoint()
			if err != nil {
				t.Fatalf("TokenEndpoint() error = %v", err)
			}
			if tok != tc.wantToken {
				t.Errorf("TokenEndpoint() = %q, want %q", tok, tc.wantToken)
			}
			if got, want := got.Secrets(), tc.secrets; strings.Join(got, "\x00") != strings.Join(want, "\x00") {
				t.Errorf("Secrets() = %q, want %q", got, want)
			}
		})
	}
}

// mintPair returns a real self-signed ECDSA certificate and its PKCS#8 key as
// PEM, minted for the test.
func mintPair(t *testing.T) (certPEM, keyPEM string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "x509 client"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour)}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	pk, err := x509.MarshalPKCS8PrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: certKind, Bytes: der})), string(pem.EncodeToMemory(&pem.Block{Type: keyKind, Bytes: pk}))
}

func TestTLSCertificate(t *testing.T) {
	t.Parallel()
	realCert, realKey := mintPair(t)
	_, otherKey := mintPair(t)
	x509Key := func(cert, key string) string {
		return `{"clientid":"sb-x","credential-type":"x509","certurl":"https://a.authentication.cert.eu10.hana.ondemand.com","certificate":` +
			literalNewlines(cert) + `,"key":` + literalNewlines(key) + `}`
	}
	cases := []struct {
		name    string
		in      string
		wantErr string // "" means success
	}{
		{name: "real pair with literal \\n", in: x509Key(realCert, realKey)},
		{name: "key of another certificate", in: x509Key(realCert, otherKey), wantErr: `service key field "key" cannot be used with the certificate (private key does not match public key)`},
		{name: "not parseable", in: xsuaaX509Literal, wantErr: `service key field "key" cannot be used with the certificate`},
		{name: "external certificate", in: cpiExternal, wantErr: `service key has no "key": it is an External Certificate key, so the private key of its certificate must be supplied separately`},
		{name: "secret key", in: cpiOAuth, wantErr: `service key has no "certificate": it is not an X.509 key`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k, err := Parse([]byte(tc.in))
			if err != nil {
				t.Fatalf("Parse() error = %v", err)
			}
			c, err := k.TLSCertificate()
			if tc.wantErr == "" {
				if err != nil || c.Leaf == nil || c.Leaf.Subject.CommonName != "x509 client" {
					t.Fatalf("TLSCertificate() = %v, %v; want the minted certificate", c.Leaf, err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.wantErr) {
				t.Fatalf("TLSCertificate() error = %v, want prefix %q", err, tc.wantErr)
			}
			assertNoValues(t, err.Error(), tc.in)
		})
	}
}

func TestExternalCertificateIsMissingField(t *testing.T) {
	t.Parallel()
	k, err := Parse([]byte(cpiExternal))
	if err != nil {
		t.Fatal(err)
	}
	if _, err = k.TLSCertificate(); !errors.Is(err, errMissingField) {
		t.Errorf("errors.Is(%v, ErrMissingField) = false, want true", err)
	}
}

func TestParseErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		in      string
		wantErr error  // for errors.Is; nil to skip
		want    string // the exact message
	}{
		{
			name: "seed 000 unquoted url in raw xs output",
			in:   seed000Broken,
			want: "service key is not valid JSON at line 11, column 11: a value is not quoted; put it in double quotes",
		},
		{
			name:    "seed 000 as the tutorial page shows it, without braces",
			in:      seed000NoBraces,
			wantErr: errNoJSON,
			want:    "no JSON object found in the service key; paste the key with its { and }: the { and } around its fields are missing",
		},
		{
			name: "trailing comma",
			in:   "{\n  \"clientid\": \"c\",\n  \"clientsecret\": \"TrailingS3cret\",\n}\n",
			want: "service key is not valid JSON at line 4, column 1: a comma is followed by } or ]; remove the trailing comma",
		},
		{
			name: "trailing comma in an array",
			in:   `{"clientid":"c","scopes":["a","b",],"clientsecret":"ArrayS3cret"}`,
			want: "service key is not valid JSON at line 1, column 35: a comma is followed by } or ]; remove the trailing comma",
		},
		{
			name: "single quotes",
			in:   "{\n  'clientid': 'c',\n  'clientsecret': 'SingleS3cret'\n}",
			want: "service key is not valid JSON at line 2, column 3: single quotes are used; JSON needs double quotes",
		},
		{
			name: "single quoted value",
			in:   `{"clientid": 'SingleValueS3cret'}`,
			want: "service key is not valid JSON at line 1, column 14: single quotes are used; JSON needs double quotes",
		},
		{
			name: "typographic quotes",
			in:   "{\n  \u201cclientid\u201d: \u201cSmartS3cret\u201d\n}",
			want: "service key is not valid JSON at line 2, column 3: typographic quotes are used; JSON needs plain double quotes (\")",
		},
		{
			name: "unquoted word value",
			in:   `{"clientid": "c", "clientsecret": testS3cret}`,
			want: "service key is not valid JSON at line 1, column 35: a value is not quoted; put it in double quotes",
		},
		{
			name: "unquoted field name",
			in:   `{clientsecret: "UnquotedNameS3cret"}`,
			want: "service key is not valid JSON at line 1, column 2: a field name is not quoted; put it in double quotes",
		},
		{
			name: "missing comma at line end",
			in:   "{\n  \"clientsecret\": \"MissingCommaS3cret\"\n  \"clientid\": \"c\"\n}",
			want: "service key is not valid JSON at line 3, column 3: a comma is missing before this point, between two fields",
		},
		{
			name: "missing colon",
			in:   `{"clientsecret" "MissingColonS3cret"}`,
			want: "service key is not valid JSON at line 1, column 17: a colon is missing after a field name",
		},
		{
			name: "missing value",
			in:   `{"clientsecret": , "clientid": "MissingValueId"}`,
			want: "service key is not valid JSON at line 1, column 18: a value is missing",
		},
		{
			name: "real line break inside the private key",
			in:   "{\"clientid\":\"c\",\n\"key\":\"" + keyPEM + "\"}",
			want: "service key is not valid JSON at line 2, column 35: a value runs past the end of its line; add its closing double quote, or write the line breaks inside it as \\n",
		},
		{
			name: "invalid escape",
			in:   `{"clientid":"c","clientsecret":"Bad\qEscapeS3cret"}`,
			want: `service key is not valid JSON at line 1, column 37: a value contains an invalid backslash escape; write a backslash as \\`,
		},
		{
			name: "closing brace missing before OK",
			in:   "Getting service key \"k\" for service instance \"cockpit-uaa\" ...\n\n{\n  \"clientid\": \"c\",\n  \"clientsecret\": \"UnclosedS3cret\"\n\nOK\n",
			want: "service key is not valid JSON at line 3, column 1: the key is not closed; add the missing }",
		},
		{
			// The position is in the key, not at the header's {ci}.
			name: "unquoted value after a header with braces",
			in:   "Getting key {ci} for service instance {my-uaa} as admin...\n\n{\n \"clientid\": \"c\",\n \"clientsecret\": HeaderS3cret\n}\n",
			want: "service key is not valid JSON at line 5, column 18: a value is not quoted; put it in double quotes",
		},
		{
			name: "text ends inside a value",
			in:   `{"clientid": "c", "clientsecret": "CutOffS3cret`,
			want: "service key is not valid JSON at line 1, column 35: a double-quoted value or field name is not closed; add the missing \"",
		},
		{
			name: "closing quote missing at line end",
			in:   "{\n  \"clientsecret\": \"MissingQuoteS3cret,\n  \"clientid\": \"c\"\n}\n\nOK\n",
			want: "service key is not valid JSON at line 2, column 39: a value runs past the end of its line; add its closing double quote, or write the line breaks inside it as \\n",
		},
		{
			name: "missing quote pairs the rest up wrongly",
			in:   `{"clientsecret": "MissingQuoteS3cret, "clientid": "c"}`,
			want: "service key is not valid JSON at line 1, column 40: a double quote is missing or misplaced before this point",
		},
		{
			name: "tab inside a value",
			in:   "{\"clientid\": \"c\", \"clientsecret\": \"Tab\tS3cret\"}",
			want: "service key is not valid JSON at line 1, column 39: a value contains a control character such as a tab; remove it or write it as an escape (\\t)",
		},
		{
			name:    "empty input",
			in:      "",
			wantErr: errEmpty,
			want:    "service key is empty",
		},
		{
			name:    "blank input",
			in:      " \n\t\n",
			wantErr: errEmpty,
			want:    "service key is empty",
		},
		{
			name:    "no JSON at all",
			in:      "Getting service key \"k\" for service instance \"cockpit-uaa\" ...\nFAILED\nNoJsonServiceNotFound\n",
			wantErr: errNoJSON,
			want:    "no JSON object found in the service key; paste the key with its { and }",
		},
		{
			name:    "clientid is a number",
			in:      `{"clientid":123456789,"clientsecret":"NumberIdS3cret"}`,
			wantErr: &fieldError{Field: "clientid", Reason: "is not a string"},
			want:    `service key field "clientid" is not a string`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k, err := Parse([]byte(tc.in))
			if err == nil {
				t.Fatalf("Parse() = %+v, want an error", k)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("Parse() error =\n%q\nwant\n%q", got, tc.want)
			}
			if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
				t.Errorf("errors.Is(%v, %v) = false, want true", err, tc.wantErr)
			}
			if tc.wantErr == nil {
				var se *jsonSyntaxError
				if !errors.As(err, &se) {
					t.Errorf("Parse() error is %T, want *SyntaxError", err)
				}
			}
			assertNoValues(t, err.Error(), tc.in)
		})
	}
}

func TestTokenEndpointErrors(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name    string
		in      string
		wantErr error
		want    string
	}{
		{
			name:    "no url",
			in:      `{"clientid":"c","clientsecret":"NoUrlS3cret"}`,
			wantErr: errMissingField,
			want:    `service key has no "url": the token URL comes from "tokenurl" or "url"`,
		},
		{
			name:    "x509 without certurl",
			in:      `{"clientid":"c","credential-type":"x509","certificate":` + jsonString(certPEM) + `,"key":` + jsonString(keyPEM) + `,"url":"https://acme.authentication.eu10.hana.ondemand.com"}`,
			wantErr: errMissingField,
			want:    `service key has no "certurl": an X.509 key needs "certurl" or "tokenurl" for its token URL`,
		},
		{
			name:    "url without scheme",
			in:      `{"clientid":"c","clientsecret":"NoSchemeS3cret","url":"uaa.example.com/uaa-security"}`,
			wantErr: &fieldError{Field: "url", Reason: "is not an absolute https URL"},
			want:    `service key field "url" is not an absolute https URL`,
		},
		{
			name:    "tokenurl not a URL",
			in:      `{"clientid":"c","clientsecret":"BadTokenUrlS3cret","tokenurl":"::not-a-url::"}`,
			wantErr: &fieldError{Field: "tokenurl", Reason: "is not an absolute https URL"},
			want:    `service key field "tokenurl" is not an absolute https URL`,
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k, err := Parse([]byte(tc.in))
			if err != nil {
				t.Fatalf("Parse() error = %v", err)
			}
			u, err := k.TokenEndpoint()
			if err == nil {
				t.Fatalf("TokenEndpoint() = %q, want an error", u)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("TokenEndpoint() error =\n%q\nwant\n%q", got, tc.want)
			}
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("errors.Is(%v, %v) = false, want true", err, tc.wantErr)
			}
			assertNoValues(t, err.Error(), tc.in)
		})
	}
}

// valueRE finds the values of a JSON-ish text: quoted (double, single or
// typographic quotes) or bare after a colon.
var valueRE = regexp.MustCompile(`:\s*(?:"((?:[^"\\]|\\.)*)"|'([^']*)'|\x{201c}([^\x{201d}]*)\x{201d}|([^\s",}\]]+))`)

// assertNoValues fails if msg contains any value of in, or any line of a
// PEM value, that is longer than 3 characters.
func assertNoValues(t *testing.T, msg, in string) {
	t.Helper()
	var values []string
	for _, m := range valueRE.FindAllStringSubmatch(in, -1) {
		for _, v := range m[1:] {
			values = append(values, v)
			values = append(values, strings.Split(strings.ReplaceAll(v, `\n`, "\n"), "\n")...)
		}
	}
	values = append(values, strings.Split(keyPEM, "\n")[1:3]...)
	for _, v := range values {
		v = strings.TrimSpace(v)
		if len(v) > 3 && strings.Contains(msg, v) {
			t.Errorf("error %q contains %q from the input", msg, v)
		}
	}
}

// TestParseBindings: a VCAP_SERVICES document (or {"<service>": [binding,
// …]}) with several bindings names them, and only them, and asks for one.
func TestParseBindings(t *testing.T) {
	t.Parallel()
	binding := func(name, secret string) string {
		return `{"name":"` + name + `","label":"xsuaa","credentials":{"clientid":"sb-` + name + `","clientsecret":"` + secret +
			`","url":"https://acme.authentication.eu10.hana.ondemand.com"}}`
	}
	cases := []struct {
		name    string
		in      string
		want    string
		secrets []string
	}{
		{
			name:    "two services",
			in:      `{"xsuaa":[` + binding("my-uaa", "TwoServicesS3cret1") + `],"destination":[` + binding("my-dest", "TwoServicesS3cret2") + `]}`,
			want:    `service key is a VCAP_SERVICES document with 2 bindings (destination "my-dest", xsuaa "my-uaa"); paste the "credentials" of one of them, or the output of cf service-key`,
			secrets: []string{"TwoServicesS3cret1", "TwoServicesS3cret2"},
		},
		{
			name: "two bindings of a service, one without a usable name",
			in: `{"VCAP_SERVICES":{"xsuaa":[` + binding("my-uaa", "TwoBindingsS3cret1") + `,` +
				binding(`a name with spaces\nand TwoBindingsS3cret2`, "TwoBindingsS3cret3") + `]}}`,
			want:    `service key is a VCAP_SERVICES document with 2 bindings (xsuaa "my-uaa", xsuaa #2); paste the "credentials" of one of them, or the output of cf service-key`,
			secrets: []string{"TwoBindingsS3cret1", "TwoBindingsS3cret2", "TwoBindingsS3cret3"},
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			k, err := Parse([]byte(tc.in))
			if err == nil {
				t.Fatalf("Parse() = %+v, want an error", k)
			}
			if got := err.Error(); got != tc.want {
				t.Errorf("Parse() error =\n%q\nwant\n%q", got, tc.want)
			}
			for _, s := range tc.secrets {
				if strings.Contains(err.Error(), s) {
					t.Errorf("error %q holds a secret of the bindings", err)
				}
			}
		})
	}
}
