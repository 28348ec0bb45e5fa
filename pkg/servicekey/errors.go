package servicekey

import (
	"errors"
	"fmt"
	"strings"
)

var (
	// errEmpty is returned by Parse for empty or blank input.
	errEmpty = errors.New(msgEmpty)

	// errNoJSON is returned (possibly wrapped, with a hint) by Parse when the
	// input holds no JSON object at all.
	errNoJSON = errors.New(msgNoJSON)

	// errMissingField matches (errors.Is) every *fieldError about a field
	// that is absent.
	errMissingField = errors.New(textMissingField)

	// errNoPrivateKey is returned by X509KeyPair for an External Certificate
	// key: it has a "certificate" but no "key", so the private key that
	// belongs to the certificate must be supplied separately. It is a
	// *fieldError for "key".
	errNoPrivateKey error = &fieldError{
		Field: fieldKey,
		Hint:  msgExternalCertKey,
	}
)

// fieldError reports a missing or unusable field of a service key. It names
// the field, never its value.
type fieldError struct {
	// Field is the JSON name: "clientid", "url", "certurl", "key", ...
	Field string
	// Reason says what is wrong with a present field ("is not a string");
	// empty means the field is missing.
	Reason string
	// Hint is an optional explanation appended to the message.
	Hint string
}

// Error returns `service key has no "clientid"` for a missing field, or
// `service key field "url" is not an absolute https URL`, followed by the hint.
func (e *fieldError) Error() string {
	var s string
	if e.Reason == "" {
		s = fmt.Sprintf(msgNoField, e.Field)
	} else {
		s = fmt.Sprintf(msgBadField, e.Field, e.Reason)
	}
	if e.Hint != "" {
		s += ": " + e.Hint
	}
	return s
}

// Is reports whether target is errMissingField and the field is missing, or
// target is a *fieldError with the same field and reason.
func (e *fieldError) Is(target error) bool {
	if target == errMissingField {
		return e.Reason == ""
	}
	t, ok := target.(*fieldError)
	return ok && t.Field == e.Field && t.Reason == e.Reason
}

// jsonSyntaxError reports text that is not valid JSON. Line and Column are
// 1-based positions in the text given to Parse (columns count characters),
// and Hint is the likely fix. It holds nothing of the text itself.
type jsonSyntaxError struct {
	// Line is the 1-based line of the error in the pasted text.
	Line int
	// Column is the 1-based column (in characters) of the error.
	Column int
	// Hint names the likely mistake and its fix, such as "a value is not
	// quoted; put it in double quotes".
	Hint string
}

// Error returns "service key is not valid JSON at line L, column C: <hint>".
func (e *jsonSyntaxError) Error() string {
	return fmt.Sprintf(msgBadSyntax, e.Line, e.Column, e.Hint)
}

// bindingsError reports a VCAP_SERVICES document with several bindings
// pasted as the service key. It names the bindings (service and binding
// name, or a placeholder for a name that does not look like one), never
// their credentials.
type bindingsError struct {
	// Names are the bindings as the message lists them.
	Names []string
}

// Error returns "service key is a VCAP_SERVICES document with N bindings
// (…); …", listing at most maxBindingsListed of them.
func (e *bindingsError) Error() string {
	listed := e.Names
	if len(listed) > maxBindingsListed {
		listed = append(listed[:maxBindingsListed:maxBindingsListed], textMore)
	}
	return fmt.Sprintf(msgManyBindings, len(e.Names), strings.Join(listed, ", "))
}
