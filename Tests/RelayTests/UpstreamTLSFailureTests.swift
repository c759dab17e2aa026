import FakeUpstreams
import Foundation
import Relay
import Scenario
import Testing

/// #10: an upstream whose TLS handshake fails (here: an https URL whose server speaks plain HTTP) is an unreachable
/// upstream — the attempt fails over to the next account, counts as the account's server error, and with no account
/// left the client gets a 502 in the API's own error shape. Nothing hangs, the lease is released.
@Suite("Upstream TLS failure", .serialized)
struct UpstreamTLSFailureTests {
    @Test func aFailedHandshakeFailsOverAndIsAnsweredTruthfully() async throws {
        // A long connect timeout: the old behaviour (retrying the handshake until it) would take 30 s per request.
        try await RelayHarness.with(overrides: ["CRS_UPSTREAM_CONNECT_TIMEOUT_MS": "30000"]) { harness in
            harness.fakes.state.addCredentials(FakeCredentials(apiKeys: ["sk-console-tls", "sk-console-ok"]))
            let admin = try await RelayClient.login(harness)
            let plain = harness.fakes.baseURL
            let tls = plain.replacingOccurrences(of: "http://", with: "https://")
            let broken = admin.data(try await admin.call("POST", "/admin/claude-console-accounts",
                                                         ["name": "tls-broken", "apiUrl": tls + "/tls", "apiKey": "sk-console-tls", "priority": 1]))
            let brokenID = try #require(broken["id"] as? String)
            _ = try await admin.call("POST", "/admin/claude-console-accounts", ["name": "ok", "apiUrl": plain + "/ok", "apiKey": "sk-console-ok", "priority": 2])
            let created = admin.data(try await admin.call("POST", "/admin/api-keys", ["name": "tls"]))
            let key = try #require(created["key"] as? String)
            let keyID = try #require(created["id"] as? String)
            let client = RelayClient(baseURL: harness.relay.baseURL)
            let headers = ["x-api-key": key, "anthropic-version": "2023-06-01"]
            let body: [String: Any] = ["model": "claude-3-5-haiku-20241022", "max_tokens": 5, "messages": [["role": "user", "content": "hi"]]]

            // The handshake fails on the first account: the request is served by the second — at once, not after
            // the 30 s connect timeout (the HTTP client used to retry the handshake until then).
            let started = ContinuousClock.now
            let served = try await client.call("POST", "/api/v1/messages", body, headers: headers)
            #expect(served.status == 200)
            #expect(ContinuousClock.now - started < .seconds(15), "failover waited for the connect timeout")
            #expect(harness.fakes.state.requests.filter { $0.path.hasPrefix("/ok/") }.count == 1)
            #expect(!harness.fakes.state.requests.contains { $0.path.hasPrefix("/tls/") })  // nothing readable arrived
            let errors = try await harness.redis.send("GET", RedisArgument(RedisKeys.accountFiveXXErrors(brokenID)))
            #expect(errors.string == "1")

            // Only the broken account left (the other disabled from scheduling): a 502 in Anthropic's shape.
            let list = try await admin.call("GET", "/admin/claude-console-accounts")
            let okID = try #require((list.object["data"] as? [[String: Any]])?.first { $0["name"] as? String == "ok" }?["id"] as? String)
            #expect(try await admin.call("PUT", "/admin/claude-console-accounts/\(okID)/toggle-schedulable").status == 200)
            let refused = try await client.call("POST", "/api/v1/messages", body, headers: headers)
            #expect(refused.status == 502, "\(refused.body)")
            #expect((refused.object["type"] as? String) == "error")
            #expect(((refused.object["error"] as? [String: Any])?["message"] as? String)?.contains("Upstream unreachable") == true)
            // No lease left behind by either attempt.
            let leases = try await harness.redis.send("ZCARD", RedisArgument(RedisKeys.keyConcurrency(keyID)))
            #expect(leases.int ?? 0 == 0)
        }
    }
}
