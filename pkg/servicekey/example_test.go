package servicekey_test

import (
	"fmt"

	"github.com/sap-ci-auth/sap-ci-auth/pkg/servicekey"
)

func ExampleParse() {
	out := `Getting service key "ci-key" for service instance "cockpit-uaa" ...

{"clientid":"sb-cockpit!i1","clientsecret":"...","url":"https://hana.example.com:30032/uaa-security"}

OK
`
	k, err := servicekey.Parse([]byte(out))
	if err != nil {
		fmt.Println(err)
		return
	}
	u, _ := k.TokenEndpoint()
	fmt.Println(k.ClientID, u)
	// Output: sb-cockpit!i1 https://hana.example.com:30032/uaa-security/oauth/token
}

func ExampleParse_syntaxError() {
	_, err := servicekey.Parse([]byte("{\n  \"clientid\": \"sb-cockpit!i1\",\n  \"url\" : https://host:30032/uaa-security\n}"))
	fmt.Println(err)
	// Output: service key is not valid JSON at line 3, column 11: a value is not quoted; put it in double quotes
}
