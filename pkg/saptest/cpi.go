package saptest

import (
	"crypto/tls"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Paths served by [CPI].
const (
	// MessageProcessingLogsPath is the Cloud Integration OData collection
	// of message processing logs.
	MessageProcessingLogsPath = "/api/v1/MessageProcessingLogs"
	// RegisteredResourcesPath is the HANA cockpit call that lists the
	// registered databases.
	RegisteredResourcesPath = "/resource/RegisteredResourcesGet"
)

// CPI is a fake SAP resource server that wants a bearer token, issued by a
// given [UAA], carrying a given scope. It serves two canned read calls, so
// that one fake covers both the Cloud Integration API and the HANA cockpit
// API ([NewCockpit] is the same server under another name):
//
//   - GET /api/v1/MessageProcessingLogs: 200, Content-Type application/json,
//     an OData v2 collection of three logs, newest first:
//     {"d":{"results":[{"__metadata":{…},"MessageGuid":"AGYx…","Status":"COMPLETED",…},…]}}.
//     $top=N keeps the first N; other OData options ($filter, $orderby,
//     $format) are accepted and ignored. (A real tenant answers Atom XML
//     unless asked for JSON with Accept: application/json or $format=json;
//     the fake always answers JSON.)
//   - GET /api/v1/MessageProcessingLogs('<guid>')/ErrorInformation/$value:
//     200, text/plain, the error text of the FAILED canned log
//     ([CannedErrorInformation]); 404 for the other logs. (Which status a
//     real tenant sends for a log without an error is not documented.)
//   - GET /resource/RegisteredResourcesGet: 200, application/json,
//     {"result":[{"ResourceName":"SYSTEMDB@H4C","ResourceId":"1"}]}.
//
// Before routing, authorization is checked:
//
//   - no "Authorization: Bearer <token>" header (the scheme in any case, as
//     RFC 9110 §11.1 allows), or a token the UAA did not issue or that
//     expired: 401 with WWW-Authenticate: Bearer, plain text "Unauthorized".
//   - a valid token without the scope: 403, plain text "Forbidden".
//
// Then: another method on a known path: 405; another path: 404. The TLS
// server asks for no client certificate. CPI is safe for concurrent use.
type CPI struct {
	// URL is the server's base URL, https://127.0.0.1:<port>.
	URL string

	srv   *server
	uaa   *UAA
	scope string
}

// NewCPI starts a fake Cloud Integration API that accepts tokens issued by
// uaa and carrying scope (an empty scope accepts any valid token of uaa). The
// scope of a real tenant looks like "it!b182722.IntegrationOperationServer.read".
// Call Close when done.
func NewCPI(p *PKI, uaa *UAA, scope string) (*CPI, error) {
	if uaa == nil {
		return nil, fmt.Errorf("failed to start CPI: no UAA")
	}
	s := &CPI{uaa: uaa, scope: scope}
	srv, err := startServer(p, tls.NoClientCert, func(u string) { s.URL = u }, s.handle)
	if err != nil {
		return nil, fmt.Errorf("failed to start CPI: %w", err)
	}
	s.srv = srv
	return s, nil
}

// NewCockpit starts a fake HANA cockpit API. It is [NewCPI] under the name a
// HANA test reads better with: the server serves
// GET /resource/RegisteredResourcesGet (and the CPI call too).
func NewCockpit(p *PKI, uaa *UAA, scope string) (*CPI, error) {
	return NewCPI(p, uaa, scope)
}

// Close shuts the server down, ending pending delays.
func (s *CPI) Close() { s.srv.close() }

// SetFault makes the server misbehave as f describes, replacing any fault.
func (s *CPI) SetFault(f Fault) { s.srv.setFault(f) }

// SetFaults makes the server answer the next requests as seq describes,
// one fault after the other, replacing any fault: fault i covers Times
// requests (at least one). When the last fault has Times 0 it covers every
// later request until ClearFault; otherwise later requests get the normal
// answer. SetFault(f) is SetFaults(f). A zero Fault in seq gives the normal
// answer for its turn. See [UnavailableThenOK] and its siblings.
func (s *CPI) SetFaults(seq ...Fault) { s.srv.setFaults(seq) }

// ClearFault ends the current fault or sequence.
func (s *CPI) ClearFault() { s.srv.clearFault() }

// Count returns how many requests for path the server received, or for
// every path when path is empty; faulted requests (a reset included) count.
// Requests whose TLS handshake failed never reach HTTP and do not count.
func (s *CPI) Count(path string) int { return s.srv.count(path) }

// Requests returns the requests received so far, in order.
func (s *CPI) Requests() []Request { return s.srv.requests() }

// MessageProcessingLog is one entry of the canned MessageProcessingLogs
// collection, with a subset of the fields of the real OData entity.
type MessageProcessingLog struct {
	// Metadata is the OData v2 "__metadata" object (id, uri, type).
	Metadata map[string]string `json:"__metadata"`
	// MessageGUID is the log's key, as in MessageProcessingLogs('<guid>').
	MessageGUID string `json:"MessageGuid"`
	// CorrelationID groups the logs of one message exchange.
	CorrelationID string `json:"CorrelationId"`
	// IntegrationFlowName is the name of the integration flow.
	IntegrationFlowName string `json:"IntegrationFlowName"`
	// Status is COMPLETED, FAILED, PROCESSING, RETRY, ESCALATED or
	// DISCARDED on a real tenant; the canned logs use the first two.
	Status string `json:"Status"`
	// LogStart is the start time in OData v2 form, /Date(<ms>)/.
	LogStart string `json:"LogStart"`
	// LogEnd is the end time in OData v2 form, /Date(<ms>)/.
	LogEnd string `json:"LogEnd"`
	// LogLevel is the log level of the run, such as INFO.
	LogLevel string `json:"LogLevel"`
}

// CannedMessageProcessingLogs returns the logs that [CPI] serves, newest
// first (the server points the __metadata links at its own address).
func CannedMessageProcessingLogs() []MessageProcessingLog {
	mk := func(guid, status, start, end string) MessageProcessingLog {
		return MessageProcessingLog{
			Metadata: map[string]string{
				"id":   "https://127.0.0.1/api/v1/MessageProcessingLogs('" + guid + "')",
				"uri":  "https://127.0.0.1/api/v1/MessageProcessingLogs('" + guid + "')",
				"type": "com.sap.hci.api.MessageProcessingLog",
			},
			MessageGUID:         guid,
			CorrelationID:       "AGYxY29ycmVsYXRpb24tc2FwdGVzdA",
			IntegrationFlowName: "saptest_Demo_Flow",
			Status:              status,
			LogStart:            "/Date(" + start + ")/",
			LogEnd:              "/Date(" + end + ")/",
			LogLevel:            "INFO",
		}
	}
	return []MessageProcessingLog{
		mk("AGYxc2FwdGVzdC0wMDAzLWNvbXBs", "COMPLETED", "1735689600000", "1735689601234"),
		mk("AGYxc2FwdGVzdC0wMDAyLWZhaWxl", "FAILED", "1735686000000", "1735686000456"),
		mk("AGYxc2FwdGVzdC0wMDAxLWNvbXBs", "COMPLETED", "1735682400000", "1735682400789"),
	}
}

// CannedErrorInformation is the error text [CPI] serves for the FAILED
// canned log at MessageProcessingLogs('<guid>')/ErrorInformation/$value.
const CannedErrorInformation = "com.sap.it.rt.adapter.http.api.exception.HttpResponseException: An internal server error occured: the receiver answered 500"

// errorInformationSuffix ends the path of a log's error text.
const errorInformationSuffix = "')/ErrorInformation/$value"

type odataResults struct {
	D struct {
		Results []MessageProcessingLog `json:"results"`
	} `json:"d"`
}

type registeredResource struct {
	ResourceName string `json:"ResourceName"`
	ResourceID   string `json:"ResourceId"`
}

type cockpitResult struct {
	Result []registeredResource `json:"result"`
}

func (s *CPI) handle(w http.ResponseWriter, r *http.Request, req *Request) {
	scheme, token, _ := strings.Cut(r.Header.Get("Authorization"), " ")
	if !strings.EqualFold(scheme, "Bearer") || !s.uaa.Valid(strings.TrimSpace(token), "") {
		w.Header().Set("WWW-Authenticate", `Bearer realm="saptest"`)
		http.Error(w, "Unauthorized", http.StatusUnauthorized)
		return
	}
	if !s.uaa.Valid(strings.TrimSpace(token), s.scope) {
		http.Error(w, "Forbidden", http.StatusForbidden)
		return
	}
	switch r.URL.Path {
	case MessageProcessingLogsPath:
		if r.Method != http.MethodGet {
			methodNotAllowed(w, http.MethodGet)
			return
		}
		var out odataResults
		out.D.Results = CannedMessageProcessingLogs()
		for i := range out.D.Results {
			// Point the OData self links at this server.
			for _, k := range []string{"id", "uri"} {
				m := out.D.Results[i].Metadata
				m[k] = strings.Replace(m[k], "https://127.0.0.1", "https://"+r.Host, 1)
			}
		}
		if top := req.Query.Get("$top"); top != "" {
			n, err := strconv.Atoi(top)
			if err != nil || n < 0 {
				http.Error(w, "Invalid value for $top", http.StatusBadRequest)
				return
			}
			out.D.Results = out.D.Results[:min(n, len(out.D.Results))]
		}
		writeJSON(w, http.StatusOK, "application/json", out)
	case RegisteredResourcesPath:
		if r.Method != http.MethodGet {
			methodNotAllowed(w, http.MethodGet)
			return
		}
		writeJSON(w, http.StatusOK, "application/json", cockpitResult{
			Result: []registeredResource{{ResourceName: "SYSTEMDB@H4C", ResourceID: "1"}},
		})
	default:
		guid, ok := strings.CutPrefix(r.URL.Path, MessageProcessingLogsPath+"('")
		guid, ok2 := strings.CutSuffix(guid, errorInformationSuffix)
		if !ok || !ok2 {
			http.NotFound(w, r)
			return
		}
		if r.Method != http.MethodGet {
			methodNotAllowed(w, http.MethodGet)
			return
		}
		for _, l := range CannedMessageProcessingLogs() {
			if l.MessageGUID == guid && l.Status == "FAILED" {
				w.Header().Set("Content-Type", "text/plain")
				w.WriteHeader(http.StatusOK)
				_, _ = w.Write([]byte(CannedErrorInformation))
				return
			}
		}
		http.NotFound(w, r)
	}
}
