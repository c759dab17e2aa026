import FakeUpstreams
import Foundation
import Relay
import Scenario
import Testing

/// Issue #11: one trace per relayed request — a server span continuing the client's W3C `traceparent`, children
/// for admission, scheduling, the credential and the upstream call — exported over OTLP/HTTP JSON to a (fake)
/// collector, and continued upstream only when `CRS_TRACE_FORWARD` says so. No secret in any span.
@Suite("Tracing", .serialized)
struct TracingTests {
    static let clientTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
    static let clientSpan = "00f067aa0ba902b7"

    private func setUp(_ harness: RelayHarness) async throws -> (key: String, keyID: String, client: RelayClient) {
        harness.fakes.state.addCredentials(FakeCredentials(apiKeys: ["sk-console-trace-secret"]))
        let admin = try await RelayClient.login(harness)
        _ = try await admin.call("POST", "/admin/claude-console-accounts",
                                 ["name": "T", "apiUrl": harness.fakes.baseURL + "/t", "apiKey": "sk-console-trace-secret"])
        let created = admin.data(try await admin.call("POST", "/admin/api-keys", ["name": "traced"]))
        return (try #require(created["key"] as? String), try #require(created["id"] as? String), RelayClient(baseURL: harness.relay.baseURL))
    }

    private func send(_ client: RelayClient, key: String, stream: Bool, traceparent: String?) async throws -> HTTPExchange {
        var headers = ["x-api-key": key, "anthropic-version": "2023-06-01"]
        if let traceparent { headers["traceparent"] = traceparent }
        return try await client.call("POST", "/api/v1/messages", ["model": "claude-sonnet-4-5-20250929", "max_tokens": 5, "stream": stream,
                                                                  "messages": [["role": "user", "content": "hi"]]], headers: headers)
    }

    /// Polls the fake collector until `done` holds for what it received (spans are batched about once a second).
    private func collected(_ harness: RelayHarness, until done: ([CollectedSpan]) -> Bool) async throws -> [CollectedSpan] {
        for _ in 0..<50 {
            let spans = CollectedSpan.all(in: harness.fakes.state)
            if done(spans) { return spans }
            try await Task.sleep(for: .milliseconds(100))
        }
        return CollectedSpan.all(in: harness.fakes.state)
    }

    @Test func aRelayedRequestIsOneTraceContinuedFromTheClientAndUpstream() async throws {
        let overrides = ["OTEL_EXPORTER_OTLP_ENDPOINT": "${fake}/otlp", "OTEL_SERVICE_NAME": "crs-under-test", "CRS_TRACE_FORWARD": "true"]
        try await RelayHarness.with(overrides: overrides) { harness in
            let (key, keyID, client) = try await setUp(harness)
            #expect(try await send(client, key: key, stream: false, traceparent: "00-\(Self.clientTrace)-\(Self.clientSpan)-01").status == 200)
            let streamed = try await send(client, key: key, stream: true, traceparent: nil)
            #expect(streamed.status == 200 && streamed.body.contains("message_stop"))

            // Upstream saw the client's trace, continued by a span of ours.
            let upstream = harness.fakes.state.requests.filter { $0.path.hasPrefix("/t/") }
            #expect(upstream.count == 2)
            let forwarded = try #require(upstream.first?.header("traceparent").flatMap(TraceParent.init(header:)))
            #expect(forwarded.traceID == Self.clientTrace && forwarded.spanID != Self.clientSpan && forwarded.sampled)
            let second = try #require(upstream.last?.header("traceparent").flatMap(TraceParent.init(header:)))
            #expect(second.traceID != Self.clientTrace)

            let spans = try await collected(harness) { spans in
                spans.filter { $0.traceID == Self.clientTrace }.count >= 5 && spans.filter { $0.traceID == second.traceID }.count >= 5
            }
            let first = spans.filter { $0.traceID == Self.clientTrace }
            let root = try #require(first.first { $0.parentSpanID == Self.clientSpan }, "no server span under the client's span: \(first)")
            #expect(root.name == "POST /api/v1/messages" && root.kind == 2 && root.serviceName == "crs-under-test")
            #expect(root.attributes["http.response.status_code"] == "200" && root.attributes["crs.key.id"] == keyID)
            #expect(root.attributes["gen_ai.request.model"] == "claude-sonnet-4-5-20250929" && root.attributes["gen_ai.usage.output_tokens"] == "42")
            let children = first.filter { $0.parentSpanID == root.spanID }
            #expect(Set(children.map(\.name)).isSuperset(of: ["admission", "schedule", "credential", "upstream"]), "\(children.map(\.name))")
            let call = try #require(children.first { $0.name == "upstream" })
            #expect(call.kind == 3 && call.spanID == forwarded.spanID && call.attributes["http.response.status_code"] == "200")
            #expect(children.first { $0.name == "schedule" }?.attributes["crs.account.kind"] == "claude-console")

            // The stream's server span is a new trace, ended with the stream (its usage is on it).
            let streamRoot = try #require(spans.first { $0.traceID == second.traceID && $0.parentSpanID == nil })
            #expect(streamRoot.attributes["crs.stream"] == "true" && streamRoot.attributes["gen_ai.usage.output_tokens"] == "42")

            // No secret reaches the collector.
            let exported = harness.fakes.state.requests.filter { $0.path == "/otlp/v1/traces" }.map(\.body).joined()
            #expect(!exported.contains(key) && !exported.contains("sk-console-trace-secret"))
        }
    }

    @Test func withoutForwardingUpstreamsSeeNoTraceHeaders() async throws {
        try await RelayHarness.with(overrides: ["OTEL_EXPORTER_OTLP_ENDPOINT": "${fake}/otlp"]) { harness in
            let (key, _, client) = try await setUp(harness)
            #expect(try await send(client, key: key, stream: false, traceparent: "00-\(Self.clientTrace)-\(Self.clientSpan)-01").status == 200)
            let upstream = try #require(harness.fakes.state.requests.first { $0.path.hasPrefix("/t/") })
            #expect(upstream.header("traceparent") == nil && upstream.header("tracestate") == nil)
            // The relay's own trace still continues the client's.
            let spans = try await collected(harness) { $0.contains { $0.parentSpanID == Self.clientSpan } }
            #expect(spans.contains { $0.traceID == Self.clientTrace && $0.parentSpanID == Self.clientSpan })
        }
    }

    @Test func anUnsampledClientTraceIsNotRecordedButStillAnswered() async throws {
        try await RelayHarness.with(overrides: ["OTEL_EXPORTER_OTLP_ENDPOINT": "${fake}/otlp", "CRS_TRACE_FORWARD": "true"]) { harness in
            let (key, _, client) = try await setUp(harness)
            #expect(try await send(client, key: key, stream: false, traceparent: "00-\(Self.clientTrace)-\(Self.clientSpan)-00").status == 200)
            let forwarded = try #require(harness.fakes.state.requests.first { $0.path.hasPrefix("/t/") }?.header("traceparent"))
            #expect(TraceParent(header: forwarded)?.sampled == false && TraceParent(header: forwarded)?.traceID == Self.clientTrace)
            // A sampled request afterwards is exported; the unsampled one never is.
            #expect(try await send(client, key: key, stream: false, traceparent: nil).status == 200)
            let spans = try await collected(harness) { $0.count >= 5 }
            #expect(!spans.isEmpty && !spans.contains { $0.traceID == Self.clientTrace })
        }
    }

    @Test func traceparentHeadersAreParsedStrictly() {
        #expect(TraceParent(header: "00-\(Self.clientTrace)-\(Self.clientSpan)-01") == TraceParent(traceID: Self.clientTrace, spanID: Self.clientSpan, sampled: true))
        #expect(TraceParent(header: "00-\(Self.clientTrace.uppercased())-\(Self.clientSpan)-00")?.sampled == false)
        #expect(TraceParent(header: "01-\(Self.clientTrace)-\(Self.clientSpan)-01-future")?.traceID == Self.clientTrace)  // later versions: 4 fields read
        for bad in ["", "garbage", "00-\(Self.clientTrace)-\(Self.clientSpan)", "ff-\(Self.clientTrace)-\(Self.clientSpan)-01",
                    "00-\(String(repeating: "0", count: 32))-\(Self.clientSpan)-01", "00-\(Self.clientTrace)-0000000000000000-01",
                    "00-\(Self.clientTrace)-\(Self.clientSpan)-01-extra", "00-\(Self.clientTrace.dropLast())-\(Self.clientSpan)-01",
                    "00-\(Self.clientTrace)-\(Self.clientSpan)-zz", "00-\(Self.clientTrace.dropLast())g-\(Self.clientSpan)-01"] {
            #expect(TraceParent(header: bad) == nil, "\(bad)")
        }
        let built = TraceParent(traceID: Self.clientTrace, spanID: Self.clientSpan, sampled: true)
        #expect(TraceParent(header: built.header) == built)
    }
}
