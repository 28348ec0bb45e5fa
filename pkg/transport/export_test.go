package transport

// Test-only names for what the package keeps unexported: no other package
// branches on these, but the tests check errors by identity.

type ProxyError = proxyError
type RetryError = retryError
type Error = explainedError
