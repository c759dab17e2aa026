import FakeUpstreams
import Foundation
@testable import Relay
import Scenario
import Testing

/// Node's queue health check: with more than half of a key's queue taken and the 90th percentile of its known waits
/// near the timeout, a newcomer is refused at once (429 `concurrency_queue_overloaded`, Retry-After 30) instead of
/// joining a queue it would most likely time out in.
@Suite("Concurrency queue overload", .serialized)
struct QueueOverloadTests {
    @Test func aNewcomerIsRefusedAtOnceWhenWaitsRunCloseToTheTimeout() async throws {
        #expect(ConcurrencyQueue.p90([100, 200, 300, 400, 500, 600, 700, 800, 900, 1000]) == 900)
        #expect(ConcurrencyQueue.p90([5]) == 5)
        try await RelayHarness.with { harness in
            harness.fakes.state.addCredentials(FakeCredentials(apiKeys: ["sk-console-A"]))
            let admin = try await RelayClient.login(harness)
            _ = try await admin.call("POST", "/admin/claude-console-accounts", ["name": "A", "apiUrl": harness.fakes.baseURL + "/a", "apiKey": "sk-console-A"])
            let rawKey = try #require(admin.data(try await admin.call("POST", "/admin/api-keys", ["name": "q", "concurrencyLimit": 1]))["key"] as? String)
            let settings = try await admin.call("PUT", "/admin/claude-relay-config", [
                "concurrentRequestQueueEnabled": true, "concurrentRequestQueueMaxSize": 4, "concurrentRequestQueueTimeoutMs": 5000,
            ])
            #expect(settings.status == 200, "\(settings.body)")
            let bad = try await admin.call("PUT", "/admin/claude-relay-config", ["concurrentRequestQueueHealthThreshold": 1.5])
            #expect(bad.status == 400)
            // Ten earlier waits of 4.5 s against a 5 s timeout.
            let hash = harness.relay.services.relay.admission.keyHash(rawKey)
            for _ in 0..<10 { try await harness.redis.send("RPUSH", RedisArgument(ConcurrencyQueue.waitTimesKey(hash)), "4500") }

            // One stream holds the key's only slot; three requests wait in its queue (4 places).
            harness.fakes.state.enqueue([FakeBehavior(pauseAfterEvents: 1, pauseMs: 8_000)])
            let client = RelayClient(baseURL: harness.relay.baseURL)
            let headers = ["x-api-key": rawKey, "anthropic-version": "2023-06-01"]
            @Sendable func send(stream: Bool) async throws -> HTTPExchange {
                let body: [String: Any] = ["model": "claude-3-5-haiku-20241022", "max_tokens": 5, "stream": stream, "messages": [["role": "user", "content": "hi"]]]
                return try await client.call("POST", "/api/v1/messages", body, headers: headers)
            }
            let holder = Task { try await send(stream: true) }
            let held = await eventually { harness.relay.services.leases.liveCount == 1 }
            #expect(held)
            let waiting = (0..<3).map { _ in Task { try await send(stream: false) } }
            let queued = await eventually(timeout: .seconds(4)) {
                (try? await harness.redis.send("GET", RedisArgument(RedisKeys.concurrencyQueue(hash))).string) == "3"
            }
            #expect(queued)

            let refused = try await send(stream: false)
            #expect(refused.status == 429, "\(refused.body)")
            #expect(refused.header("retry-after") == "30")
            #expect(refused.body.contains("concurrency_queue_overloaded") && refused.body.contains("4500"), "\(refused.body)")
            let stats = try await harness.redis.send("HGETALL", RedisArgument(ConcurrencyQueue.statsKey(hash))).stringDictionary
            #expect(stats["rejected_overload"] == "1" && stats["entered"] == "3", "\(stats)")
            for task in waiting { task.cancel() }
            holder.cancel()
        }
    }
}
