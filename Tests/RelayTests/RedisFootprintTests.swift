import FakeUpstreams
import Foundation
import Relay
import Scenario
import Testing

/// #9's "Redis memory flat once the TTL horizon is reached", checked rather than argued: traffic on one day and again
/// 40 days later (past the daily keys' 32-day horizon) leaves the same set of keys without a TTL — nothing that
/// grows with time lives forever — every other key expires within a year, and a key's request log stops at 200.
@Suite("Redis footprint")
struct RedisFootprintTests {
    @Test func keysWithoutATTLDoNotGrowWithTimeAndEverythingElseExpires() async throws {
        try await RelayHarness.with(overrides: ["CRS_HEALTH_CHECK_INTERVAL_SECONDS": "0"]) { harness in
            harness.fakes.state.addCredentials(FakeCredentials(apiKeys: ["sk-console-A"]))
            let admin = try await RelayClient.login(harness)
            _ = try await admin.call("POST", "/admin/claude-console-accounts", ["name": "A", "apiUrl": harness.fakes.baseURL + "/a", "apiKey": "sk-console-A"])
            var rawKeys: [String] = []
            var keyIDs: [String] = []
            // A plain key, one with a request-rate window and concurrency, one with cost limits (daily, total, weekly Opus).
            for body: [String: Any] in [
                ["name": "plain"],
                ["name": "windowed", "rateLimitWindow": 1, "rateLimitRequests": 1000, "concurrencyLimit": 5],
                ["name": "costed", "dailyCostLimit": 100, "totalCostLimit": 1000, "weeklyOpusCostLimit": 100],
            ] {
                let created = admin.data(try await admin.call("POST", "/admin/api-keys", body))
                rawKeys.append(try #require(created["key"] as? String))
                keyIDs.append(try #require(created["id"] as? String))
            }
            let client = RelayClient(baseURL: harness.relay.baseURL)

            func traffic() async throws {
                for (index, rawKey) in rawKeys.enumerated() {
                    let headers = ["x-api-key": rawKey, "anthropic-version": "2023-06-01"]
                    let session = "user_\(String(repeating: "a", count: 64))_account__session_1111111\(index)-2222-3333-4444-555555555555"
                    for (model, stream) in [("claude-sonnet-4-5-20250929", false), ("claude-opus-4-1-20250805", true), ("claude-3-5-haiku-20241022", false)] {
                        let body: [String: Any] = ["model": model, "max_tokens": 5, "stream": stream, "metadata": ["user_id": session],
                                                   "messages": [["role": "user", "content": "hi"]]]
                        let reply = try await client.call("POST", "/api/v1/messages", body, headers: headers)
                        #expect(reply.status == 200, "\(model) stream=\(stream): \(reply.status)")
                    }
                }
            }
            /// Every key, split into those without a TTL and the longest TTL among the rest. Usage is written after
            /// the reply, so this first waits until every key's requests are recorded.
            func snapshot(requests: Int) async throws -> (persistent: Set<String>, longestTTL: Int) {
                let written = await eventually {
                    for id in keyIDs where (try? await harness.redis.send("HGET", RedisArgument("usage:\(id)"), "totalRequests").string) != "\(requests)" {
                        return false
                    }
                    return true
                }
                #expect(written)
                var persistent: Set<String> = []
                var longest = 0
                let keys = try await harness.redis.send("KEYS", "*").array?.compactMap(\.string) ?? []
                for key in keys {
                    let ttl = Int(try await harness.redis.send("TTL", RedisArgument(key)).int ?? -2)
                    if ttl == -1 { persistent.insert(key) } else { longest = max(longest, ttl) }
                }
                return (persistent, longest)
            }

            try await traffic()
            let first = try await snapshot(requests: 3)
            harness.relay.services.clock.advance(by: 40 * 86_400)
            try await traffic()
            let later = try await snapshot(requests: 6)

            #expect(later.persistent == first.persistent,
                    "keys without a TTL appeared: \(later.persistent.subtracting(first.persistent).sorted()), vanished: \(first.persistent.subtracting(later.persistent).sorted())")
            #expect(max(first.longestTTL, later.longestTTL) <= 366 * 86_400)
            // What may live forever is bounded by the number of keys, accounts and models — never by dates.
            let dateBucket = try Regex(#"\d{4}-\d{2}(-\d{2})?"#)
            let dated = later.persistent.filter { $0.split(separator: ":").contains { $0.wholeMatch(of: dateBucket) != nil } }
            #expect(dated.isEmpty, "\(dated.sorted())")
            #expect(later.persistent.contains("usage:\(keyIDs[0])"))

            // The request log keeps the newest 200 entries (and itself expires).
            let plain = ["x-api-key": rawKeys[0], "anthropic-version": "2023-06-01"]
            let small: [String: Any] = ["model": "claude-3-5-haiku-20241022", "max_tokens": 5, "messages": [["role": "user", "content": "hi"]]]
            for _ in 0..<200 { _ = try await client.call("POST", "/api/v1/messages", small, headers: plain) }
            let trimmed = await eventually {
                (try? await harness.redis.send("HGET", RedisArgument("usage:\(keyIDs[0])"), "totalRequests").string) == "206"
            }
            #expect(trimmed)
            #expect(try await harness.redis.send("LLEN", RedisArgument("usage:records:\(keyIDs[0])")).int == 200)
            #expect((try await harness.redis.send("TTL", RedisArgument("usage:records:\(keyIDs[0])")).int ?? 0) > 0)
        }
    }
}
