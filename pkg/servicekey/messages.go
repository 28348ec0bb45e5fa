package servicekey

// The texts this package shows users. They never hold any part of the key:
// a service key is a secret. They read well after a caller's prefix such
// as "service-key: ".
const (
	// Keys that hold no usable JSON.
	msgEmpty     = "service key is empty"
	msgNoJSON    = "no JSON object found in the service key; paste the key with its { and }"
	msgNoBraces  = "%w: the { and } around its fields are missing"
	msgBadSyntax = "service key is not valid JSON at line %d, column %d: %s"

	// Hints for syntax errors (the <hint> of msgBadSyntax). They describe
	// the mistake, never the text.
	msgUnquotedValue = "a value is not quoted; put it in double quotes"
	msgUnquotedName  = "a field name is not quoted; put it in double quotes"
	msgSingleQuotes  = "single quotes are used; JSON needs double quotes"
	msgSmartQuotes   = "typographic quotes are used; JSON needs plain double quotes (\")"
	msgTrailingComma = "a comma is followed by } or ]; remove the trailing comma"
	msgMissingComma  = "a comma is missing before this point, between two fields"
	msgMissingQuote  = "a double quote is missing or misplaced before this point"
	msgMissingColon  = "a colon is missing after a field name"
	msgMissingValue  = "a value is missing"
	msgLineBreak     = `a value runs past the end of its line; add its closing double quote, or write the line breaks inside it as \n`
	msgControlChar   = `a value contains a control character such as a tab; remove it or write it as an escape (\t)`
	msgBadEscape     = `a value contains an invalid backslash escape; write a backslash as \\`
	msgUnclosedStr   = "a double-quoted value or field name is not closed; add the missing \""
	msgUnclosedObj   = "the key is not closed; add the missing }"
	msgCheckSyntax   = "check the JSON syntax at this point"

	// Fields that are missing or unusable: msgNoField or msgBadField (with
	// one of the reasons), then ": " and a hint when there is one.
	msgNoField         = "service key has no %q"
	msgBadField        = "service key field %q %s"
	msgNotString       = "is not a string"
	msgNotURL          = "is not an absolute https URL"
	msgKeyMismatch     = "cannot be used with the certificate (%s)"
	msgNoCertURL       = `an X.509 key needs "certurl" or "tokenurl" for its token URL`
	msgNoTokenURL      = `the token URL comes from "tokenurl" or "url"`
	msgNotX509         = "it is not an X.509 key"
	msgExternalCertKey = "it is an External Certificate key, so the private key of its certificate must be supplied separately"

	// A VCAP_SERVICES document with several bindings, and how it names
	// them: the service and the binding's name, the service and the
	// binding's place when its name is not shown, and a service whose
	// name is not shown.
	msgManyBindings   = `service key is a VCAP_SERVICES document with %d bindings (%s); paste the "credentials" of one of them, or the output of cf service-key`
	textBindingName   = "%s %q"
	textBindingNumber = "%s #%d"
	textUnnamed       = "?"
	textMore          = "…"

	// textMissingField is the text of errMissingField, a target for
	// errors.Is that is never returned itself: users see the fieldError.
	textMissingField = "service key field is missing"
)
