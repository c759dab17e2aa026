import FakeUpstreams
import Foundation
import Relay
import Scenario
import Testing

/// Lease renewal and sweeping, driven through the keeper's own entry points with the relays' clock moved on, so
/// minutes of lease life pass in a second of test time.
@Suite("Concurrency leases", .serialized)
struct ConcurrencyLeaseTests {
    @Test func aLiveStreamKeepsItsSlotByRenewalAndFreesItWhenTheClientHangsUp() async throws {
        try await RelayHarness.with { harness in
            harness.fakes.state.addCredentials(FakeCredentials(apiKeys: ["sk-console-A"]))
            let admin = try await RelayClient.login(harness)
            _ = try await admin.call("POST", "/admin/claude-console-accounts", ["name": "A", "apiUrl": harness.fakes.baseURL + "/a", "apiKey": "sk-console-A"])
            let created = try await admin.call("POST", "/admin/api-keys", ["name": "one", "concurrencyLimit": 1])
            let rawKey = try #require(admin.data(created)["key"] as? String)
            let keyID = try #require(admin.data(created)["id"] as? String)
            // A stream that sends message_start, then stays silent for a minute (until the client hangs up).
            harness.fakes.state.enqueue([FakeBehavior(pauseAfterEvents: 1, pauseMs: 60_000)])
            let client = RelayClient(baseURL: harness.relay.baseURL)
            let headers = ["x-api-key": rawKey, "anthropic-version": "2023-06-01"]
            let body: [String: Any] = ["model": "claude-3-5-haiku-20241022", "max_tokens": 5, "messages": [["role": "user", "content": "hi"]]]
            let stream = Task {
                let streaming: [String: Any] = ["model": "claude-3-5-haiku-20241022", "max_tokens": 5, "stream": true, "messages": [["role": "user", "content": "hi"]]]
                return try await client.call("POST", "/api/v1/messages", streaming, headers: headers)
            }
            // In Redis and held by this instance's keeper (the keeper takes it over only once Redis answered: under a
            // loaded machine that can come after Redis already shows it, and renewAll below would miss it).
            let leased = await eventually {
                (try? await harness.redis.send("ZCARD", RedisArgument("concurrency:\(keyID)")).int) == 1 && harness.relay.services.leases.liveCount == 1
            }
            #expect(leased)

            // 200 s in, the keeper renews; 400 s in, the original 300 s lease would have run out — the renewed one has not.
            harness.relay.services.clock.advance(by: 200)
            await harness.relay.services.leases.renewAll()
            harness.relay.services.clock.advance(by: 200)
            let refused = try await client.call("POST", "/api/v1/messages", body, headers: headers)
            #expect(refused.status == 429)
            #expect(refused.object["code"] as? String == "concurrency_limit_exceeded")

            // The client hangs up: the lease goes at once, not when it would expire.
            stream.cancel()
            _ = try? await stream.value
            let released = await eventually { (try? await harness.redis.send("EXISTS", RedisArgument("concurrency:\(keyID)")).int) == 0 }
            #expect(released)
            #expect(harness.relay.services.leases.liveCount == 0)
            let admitted = try await client.call("POST", "/api/v1/messages", body, headers: headers)
            #expect(admitted.status == 200)
        }
    }

    @Test func theSweeperDropsExpiredMembersOfEveryConcurrencySet() async throws {
        try await RelayHarness.with { harness in
            let now = harness.relay.services.clock.nowMilliseconds
            try await harness.redis.send("ZADD", "concurrency:key-a", RedisArgument(now - 1000), "dead-1", RedisArgument(now + 60_000), "alive-1")
            try await harness.redis.send("ZADD", "concurrency:account:acct-b", RedisArgument(now - 5), "dead-2")
            let removed = try await harness.relay.services.leases.sweep()
            #expect(removed == 2)
            #expect(try await harness.redis.send("ZRANGE", "concurrency:key-a", 0, -1).array?.compactMap(\.string) == ["alive-1"])
            #expect(try await harness.redis.send("EXISTS", "concurrency:account:acct-b").int == 0)
        }
    }
}
