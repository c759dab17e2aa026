import ArgumentParser
import AsyncHTTPClient
import FakeUpstreams
import Foundation
import NIOCore
import Relay
import Scenario

/// Relayed requests (relay + Redis + fake) next to direct-to-fake requests, in the same run, on the same box.
struct BenchRelay: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "relay",
        abstract: "Added latency and throughput of the relay vs direct-to-fake, non-stream and stream, at several concurrencies; with a key without limits and one with every limit enabled.")

    @Option(help: "Requests per measurement.") var requests = 2000
    @Option(parsing: .upToNextOption, help: "Concurrencies to measure.") var concurrency: [Int] = [1, 64]

    struct Sample {
        var total: [Double] = []
        var firstByte: [Double] = []
        var seconds: Double = 0
    }

    func run() async throws {
        let harness = try await RelayHarness.start(logLevel: .critical)
        do {
            try await measure(harness)
        } catch {
            await harness.stop()
            throw error
        }
        await harness.stop()
    }

    private func measure(_ harness: RelayHarness) async throws {
        harness.fakes.state.addCredentials(FakeCredentials(apiKeys: ["sk-ant-bench"]))
        let admin = try await login(harness.relay.baseURL)
        _ = try await post(harness.relay.baseURL + "/admin/claude-console-accounts", token: admin,
                           ["name": "bench", "apiUrl": harness.fakes.baseURL + "/console/api", "apiKey": "sk-ant-bench"])
        let created = try await post(harness.relay.baseURL + "/admin/api-keys", token: admin, ["name": "bench", "permissions": "all"])
        guard let key = (created["data"] as? [String: Any])?["key"] as? String else { throw HarnessError("could not create a key") }
        // Every per-key limit on, none of them reached: what enabling limits costs on the hot path.
        let limitedReply = try await post(harness.relay.baseURL + "/admin/api-keys", token: admin, [
            "name": "bench-all-limits", "permissions": ["claude"], "concurrencyLimit": 100_000, "rateLimitWindow": 60,
            "rateLimitRequests": 1_000_000_000, "tokenLimit": 100_000_000_000, "rateLimitCost": 1_000_000, "dailyCostLimit": 1_000_000,
            "totalCostLimit": 1_000_000_000, "weeklyOpusCostLimit": 1_000_000, "enableModelRestriction": true,
            "restrictedModels": ["claude-3-opus-20240229"], "enableClientRestriction": true, "allowedClients": ["claude_code"],
            "expirationMode": "activation", "activationDays": 30,
        ])
        guard let limited = (limitedReply["data"] as? [String: Any])?["key"] as? String else { throw HarnessError("could not create the limited key: \(limitedReply)") }

        let direct = (url: harness.fakes.baseURL + "/console/api/v1/messages", key: "sk-ant-bench")
        let relayURL = harness.relay.baseURL + "/api/v1/messages"
        print("")
        print(pad("workload", 20) + pad("c", 4) + pad("direct p50/p99", 17) + pad("relay p50/p99", 17) + pad("+limits p50/p99", 17)
              + pad("added p50", 11) + pad("limits cost p50", 17) + pad("rps direct/relay/+limits", 26) + pad("+TTFB p50", 11) + "Redis RT/req relay/+limits")
        for stream in [false, true] {
            for c in concurrency {
                _ = try await load(direct.url, key: direct.key, stream: stream, concurrency: c, count: min(200, requests))  // warm-up
                let d = try await load(direct.url, key: direct.key, stream: stream, concurrency: c, count: requests)
                let (r, trips) = try await relayed(harness, relayURL, key: key, stream: stream, concurrency: c)
                let (l, limitedTrips) = try await relayed(harness, relayURL, key: limited, stream: stream, concurrency: c)
                let dp = (percentile(d.total, 0.5), percentile(d.total, 0.99))
                let rp = (percentile(r.total, 0.5), percentile(r.total, 0.99))
                let lp = (percentile(l.total, 0.5), percentile(l.total, 0.99))
                let ttfb = stream ? String(format: "%.3f", percentile(r.firstByte, 0.5) - percentile(d.firstByte, 0.5)) : "-"
                print(pad(stream ? "SSE (7 events)" : "non-stream (small)", 20) + pad("\(c)", 4)
                      + pad(String(format: "%.2f / %.2f", dp.0, dp.1), 17) + pad(String(format: "%.2f / %.2f", rp.0, rp.1), 17)
                      + pad(String(format: "%.2f / %.2f", lp.0, lp.1), 17) + pad(String(format: "%.3f", rp.0 - dp.0), 11)
                      + pad(String(format: "%.3f", lp.0 - rp.0), 17)
                      + pad(String(format: "%.0f / %.0f / %.0f", Double(requests) / d.seconds, Double(requests) / r.seconds, Double(requests) / l.seconds), 26)
                      + pad(ttfb, 11) + String(format: "%.2f / %.2f", trips, limitedTrips))
            }
        }
        print("\n(one process: load generator, relay and fake share the machine's cores; debug builds are not representative)")
        print("Both keys send the same Claude Code request (user agent, headers, metadata.user_id), so the client validators run for both.")
    }

    /// Warm-up, then a measured run; returns the samples and the relay's Redis round trips per request.
    private func relayed(_ harness: RelayHarness, _ url: String, key: String, stream: Bool, concurrency: Int) async throws -> (Sample, Double) {
        _ = try await load(url, key: key, stream: stream, concurrency: concurrency, count: min(200, requests))
        try await Task.sleep(for: .milliseconds(300))
        let before = harness.relay.services.redis.roundTripCount
        let sample = try await load(url, key: key, stream: stream, concurrency: concurrency, count: requests)
        try await Task.sleep(for: .milliseconds(500))  // usage writes happen after the reply
        return (sample, Double(harness.relay.services.redis.roundTripCount - before) / Double(requests))
    }

    private func load(_ url: String, key: String, stream: Bool, concurrency: Int, count: Int) async throws -> Sample {
        let userID = "user_" + String(repeating: "ab", count: 32) + "_account__session_bench-session-1"
        let body = ByteBuffer(string: #"{"model":"claude-sonnet-4-5-20250929","max_tokens":16,"stream":\#(stream),"metadata":{"user_id":"\#(userID)"},"messages":[{"role":"user","content":"ping"}]}"#)
        let perTask = max(1, count / concurrency)
        let clock = ContinuousClock()
        let start = clock.now
        var merged = Sample()
        try await withThrowingTaskGroup(of: Sample.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var sample = Sample()
                    for _ in 0..<perTask {
                        var request = HTTPClientRequest(url: url)
                        request.method = .POST
                        request.headers.add(name: "content-type", value: "application/json")
                        request.headers.add(name: "anthropic-version", value: "2023-06-01")
                        request.headers.add(name: "x-api-key", value: key)
                        request.headers.add(name: "user-agent", value: "claude-cli/2.0.14 (external, cli)")
                        request.headers.add(name: "x-app", value: "cli")
                        request.headers.add(name: "anthropic-beta", value: "claude-code-20250219")
                        request.body = .bytes(body)
                        let began = clock.now
                        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
                        var first: Double?
                        for try await _ in response.body where first == nil { first = Self.milliseconds(clock.now - began) }
                        guard response.status == .ok else { throw HarnessError("status \(response.status.code) from \(url)") }
                        sample.total.append(Self.milliseconds(clock.now - began))
                        sample.firstByte.append(first ?? Self.milliseconds(clock.now - began))
                    }
                    return sample
                }
            }
            for try await sample in group {
                merged.total += sample.total
                merged.firstByte += sample.firstByte
            }
        }
        merged.seconds = Self.milliseconds(clock.now - start) / 1000
        return merged
    }

    private func login(_ base: String) async throws -> String {
        let reply = try await post(base + "/web/auth/login", token: nil, ["username": RelayHarness.adminUsername, "password": RelayHarness.adminPassword])
        guard let token = reply["token"] as? String else { throw HarnessError("login failed") }
        return token
    }

    private func post(_ url: String, token: String?, _ object: [String: Any]) async throws -> [String: Any] {
        var headers: [String: String] = [:]
        if let token { headers["Authorization"] = "Bearer \(token)" }
        let exchange = try await HTTPExchange.send(method: "POST", url: url, headers: headers, body: try JSONSerialization.data(withJSONObject: object))
        return (exchange.json as? [String: Any]) ?? [:]
    }

    private func percentile(_ values: [Double], _ p: Double) -> Double {
        guard !values.isEmpty else { return 0 }
        let sorted = values.sorted()
        return sorted[min(sorted.count - 1, Int(Double(sorted.count - 1) * p))]
    }

    static func milliseconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) * 1000 + Double(duration.components.attoseconds) / 1e15
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
