import FakeUpstreams
import Foundation
import Relay
import Scenario
import Testing

/// Issue #11: a Prometheus scrape after traffic parses as the text exposition format and holds every metric
/// family the relay documents, with values that match the traffic; the endpoint honours its bearer token.
@Suite("Prometheus metrics", .serialized)
struct MetricsTests {
    static let families: [String: String] = [
        "crs_requests_total": "counter", "crs_upstream_requests_total": "counter", "crs_upstream_response_seconds": "histogram",
        "crs_stream_first_byte_seconds": "histogram", "crs_active_streams": "gauge", "crs_tokens_total": "counter",
        "crs_cost_usd_total": "counter", "crs_failovers_total": "counter", "crs_token_refresh_total": "counter",
        "crs_alerts_total": "counter", "crs_leases_held": "gauge", "crs_accounts": "gauge", "crs_redis_round_trips": "gauge",
        "crs_usage_writes_pending": "gauge",
    ]

    @Test func aScrapeAfterTrafficHoldsEveryFamily() async throws {
        try await RelayHarness.with(overrides: ["CRS_METRICS_TOKEN": "scrape-token-0123456789"]) { harness in
            harness.fakes.state.addCredentials(FakeCredentials(apiKeys: ["sk-console-A", "sk-console-B"], refreshTokens: ["sk-ant-ort01-metrics"]))
            let admin = try await RelayClient.login(harness)
            let base = harness.fakes.baseURL
            _ = try await admin.call("POST", "/admin/claude-console-accounts", ["name": "A", "apiUrl": base + "/a", "apiKey": "sk-console-A", "priority": 1])
            _ = try await admin.call("POST", "/admin/claude-console-accounts", ["name": "B", "apiUrl": base + "/b", "apiKey": "sk-console-B", "priority": 2])
            // Two OAuth accounts that must refresh first: one can, one's refresh token was revoked (an alert).
            for (name, refresh) in [("refreshes", "sk-ant-ort01-metrics"), ("revoked", "sk-ant-ort01-gone")] {
                _ = try await admin.call("POST", "/admin/claude-accounts", ["name": name, "accountType": "dedicated",
                    "claudeAiOauth": ["accessToken": "sk-ant-oat01-old", "refreshToken": refresh, "expiresAt": 0]])
            }
            let accounts = try await admin.call("GET", "/admin/claude-accounts")
            for account in (accounts.object["data"] as? [[String: Any]] ?? []) {
                _ = try await admin.call("POST", "/admin/claude-accounts/\(account["id"] as? String ?? "")/refresh")
            }
            let key = try #require(admin.data(try await admin.call("POST", "/admin/api-keys", ["name": "m"]))["key"] as? String)
            let client = RelayClient(baseURL: harness.relay.baseURL)
            let headers = ["x-api-key": key, "anthropic-version": "2023-06-01"]
            let body: [String: Any] = ["model": "claude-sonnet-4-5-20250929", "max_tokens": 5, "messages": [["role": "user", "content": "hi"]]]
            harness.fakes.state.enqueue([FakeBehavior(status: 429, pathPrefix: "/a")])
            #expect(try await client.call("POST", "/api/v1/messages", body, headers: headers).status == 200)  // A 429 → B
            #expect(try await client.call("POST", "/api/v1/messages", body.merging(["stream": true]) { _, new in new }, headers: headers).status == 200)
            #expect(try await client.call("POST", "/api/v1/messages", ["model": "x"], headers: headers).status == 400)

            let refused = try await HTTPExchange.send(method: "GET", url: harness.relay.baseURL + "/metrics")
            #expect(refused.status == 401)
            var text = ""
            let complete = await eventually {
                text = (try? await HTTPExchange.send(method: "GET", url: harness.relay.baseURL + "/metrics",
                                                     headers: ["Authorization": "Bearer scrape-token-0123456789"]).body) ?? ""
                return Self.sum(text, "crs_tokens_total", ["type": "output"]) == 84
            }
            #expect(complete, "tokens never reached the metrics:\n\(text)")

            let types = Self.types(text)
            for (family, type) in Self.families { #expect(types[family] == type, "family \(family): \(types[family] ?? "missing")") }
            #expect(Self.sum(text, "crs_requests_total", ["family": "anthropic", "status": "200"]) == 2)
            #expect(Self.sum(text, "crs_requests_total", ["family": "anthropic", "status": "400"]) == 1)
            #expect(Self.sum(text, "crs_upstream_requests_total", ["account_kind": "claude-console", "status": "429"]) == 1)
            #expect(Self.sum(text, "crs_failovers_total", ["family": "anthropic"]) == 1)
            #expect(Self.sum(text, "crs_tokens_total", ["type": "input"]) == 36)
            #expect(Self.sum(text, "crs_token_refresh_total", ["outcome": "refreshed"]) == 1)
            #expect(Self.sum(text, "crs_token_refresh_total", ["outcome": "refused"]) == 1)
            #expect(Self.sum(text, "crs_alerts_total", ["type": "token_refresh_failed"]) == 1)
            #expect(Self.sum(text, "crs_alerts_total", ["type": "account_rate_limited"]) == 1)
            #expect(Self.sum(text, "crs_accounts", ["account_kind": "claude-console"]) == 2)
            #expect(Self.sum(text, "crs_accounts", ["account_kind": "claude-official", "state": "unavailable"]) == 1)
            #expect(Self.sum(text, "crs_stream_first_byte_seconds_count", [:]) == 1)
            #expect(Self.sum(text, "crs_active_streams", [:]) == 0)
            #expect((Self.sum(text, "crs_cost_usd_total", [:]) ?? 0) > 0)
        }
    }

    /// Without CRS_METRICS_TOKEN the endpoint serves this host only: a request a local proxy forwarded is refused.
    @Test func withoutATokenOnlyThisHostScrapes() async throws {
        try await RelayHarness.with { harness in
            let local = try await HTTPExchange.send(method: "GET", url: harness.relay.baseURL + "/metrics")
            #expect(local.status == 200 && local.body.contains("# TYPE"))
            for header in ["X-Forwarded-For", "Forwarded", "X-Real-IP"] {
                let proxied = try await HTTPExchange.send(method: "GET", url: harness.relay.baseURL + "/metrics", headers: [header: "for=203.0.113.9"])
                #expect(proxied.status == 403, "\(header): \(proxied.status)")
            }
        }
    }

    /// `# TYPE name type` lines; every other line must be a comment or a `name{labels} value` sample.
    static func types(_ text: String) -> [String: String] {
        var types: [String: String] = [:]
        for line in text.split(separator: "\n") {
            if line.hasPrefix("# TYPE ") {
                let parts = line.split(separator: " ")
                if parts.count == 4 { types[String(parts[2])] = String(parts[3]) }
            } else if !line.hasPrefix("#") {
                #expect(sample(line) != nil, "not a sample line: \(line)")
            }
        }
        return types
    }

    static func sample(_ line: Substring) -> (name: String, labels: [String: String], value: Double)? {
        guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...]) else { return nil }
        let series = line[..<space]
        guard let brace = series.firstIndex(of: "{") else { return (String(series), [:], value) }
        var labels: [String: String] = [:]
        for pair in series[series.index(after: brace)...].dropLast().split(separator: ",") {
            let kv = pair.split(separator: "=", maxSplits: 1)
            guard kv.count == 2 else { return nil }
            labels[String(kv[0])] = String(kv[1].dropFirst().dropLast())
        }
        return (String(series[..<brace]), labels, value)
    }

    /// The sum of a family's samples whose labels include `labels`; nil when none.
    static func sum(_ text: String, _ name: String, _ labels: [String: String]) -> Double? {
        let matches = text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap(sample)
            .filter { sample in sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value } }
        return matches.isEmpty ? nil : matches.reduce(0) { $0 + $1.value }
    }
}
