import AsyncHTTPClient
import FakeUpstreams
import Foundation
import NIOCore
import Relay
import Scenario
import Testing

@Suite("Client disconnect mid-stream", .serialized)
struct ClientDisconnectTests {
    @Test func upstreamRequestIsCancelledAndPartialUsageRecorded() async throws {
        try await RelayHarness.with { harness in
            let (rawKey, keyID) = try await consoleAccountAndKey(harness, keyName: "disconnect")
            // A slow stream: 40 deltas, 300 ms apart (about 12 s in all).
            harness.fakes.state.enqueue([FakeBehavior(eventIntervalMs: 300, usage: FakeUsage(input: 21, output: 99), text: String(repeating: "x", count: 40), deltaCount: 40)])

            let request = Self.streamRequest(harness, rawKey: rawKey)
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            let reader = Task {
                let response = try await client.execute(request, timeout: .seconds(30))
                var received = 0
                for try await chunk in response.body {
                    received += chunk.readableBytes
                    if received > 900 { break }  // a few events in: hang up
                }
                return received
            }
            let received = try await reader.value
            #expect(received > 900)
            try await client.shutdown()  // closes the client's connection to the relay
            let hungUp = ContinuousClock.now

            // The relay drops its upstream request promptly (long before the 12 s stream would end by itself).
            let cancelled = await eventually(timeout: .seconds(6)) {
                harness.fakes.state.requests.first?.outcome == "client went away"
            }
            #expect(cancelled, "fake outcome: \(harness.fakes.state.requests.first?.outcome ?? "none")")
            #expect(ContinuousClock.now - hungUp < .seconds(6))

            // Partial usage is recorded: the input from message_start, and the output that was delivered — counted
            // from the deltas (the upstream never reported it), flagged as estimated in the request log. Hanging up
            // after the last delta is no way to get output for free.
            let recorded = await eventually {
                (try? await harness.redis.send("HGET", RedisArgument("usage:\(keyID)"), "totalInputTokens").int) == 21
            }
            #expect(recorded)
            let output = try await harness.redis.send("HGET", RedisArgument("usage:\(keyID)"), "totalOutputTokens").int ?? 0
            #expect(output >= 1 && output < 99, "output \(output)")
            let log = try await harness.redis.send("LRANGE", RedisArgument("usage:records:\(keyID)"), "0", "0").array?.first?.string ?? ""
            #expect(log.contains(#""outputEstimated":true"#) && log.contains(#""outputTokens":\#(output)"#), "\(log)")
        }
    }

    /// A client that hangs up after the response head but before the first event: the upstream has started (and
    /// bills) the request, so the relay reads on — briefly, writing nothing — until the usage arrives, then stops.
    /// Before, it stopped at once and the request went unrecorded (the rare 1,999-of-2,000 in the load scenario).
    @Test func hangUpBeforeTheFirstEventStillRecordsTheInput() async throws {
        try await RelayHarness.with { harness in
            let (rawKey, keyID) = try await consoleAccountAndKey(harness, keyName: "early-hangup")
            // The head at once, then 800 ms before message_start, then a long slow stream.
            harness.fakes.state.enqueue([FakeBehavior(eventIntervalMs: 300, pauseAfterEvents: 0, pauseMs: 800,
                                                      usage: FakeUsage(input: 33, output: 99), text: String(repeating: "x", count: 40), deltaCount: 40)])
            let request = Self.streamRequest(harness, rawKey: rawKey)
            let client = HTTPClient(eventLoopGroupProvider: .singleton)
            let response = try await client.execute(request, timeout: .seconds(30))
            #expect(response.status == .ok)
            try await client.shutdown()  // hang up with the head only
            let hungUp = ContinuousClock.now

            let recorded = await eventually(timeout: .seconds(6)) {
                (try? await harness.redis.send("HGET", RedisArgument("usage:\(keyID)"), "totalRequests").int) == 1
            }
            #expect(recorded, "the hung-up request was not recorded")
            let input = try await harness.redis.send("HGET", RedisArgument("usage:\(keyID)"), "totalInputTokens").int
            #expect(input == 33)
            // And the upstream read still ended long before the stream would have (12 s): at the usage, not the end.
            let stopped = await eventually(timeout: .seconds(4)) { harness.fakes.state.requests.first?.outcome == "client went away" }
            #expect(stopped && ContinuousClock.now - hungUp < .seconds(4))
        }
    }

    /// A Console account on the fake and a key for it: (raw key, key id).
    private func consoleAccountAndKey(_ harness: RelayHarness, keyName: String) async throws -> (String, String) {
        harness.fakes.state.addCredentials(FakeCredentials(apiKeys: ["sk-console-A"]))
        let admin = try await RelayClient.login(harness)
        _ = try await admin.call("POST", "/admin/claude-console-accounts", ["name": "A", "apiUrl": harness.fakes.baseURL + "/a", "apiKey": "sk-console-A"])
        let key = try await admin.call("POST", "/admin/api-keys", ["name": keyName])
        return (try #require(admin.data(key)["key"] as? String), try #require(admin.data(key)["id"] as? String))
    }

    /// A streamed Messages request with the key, as an HTTP client sends it.
    static func streamRequest(_ harness: RelayHarness, rawKey: String) -> HTTPClientRequest {
        var request = HTTPClientRequest(url: harness.relay.baseURL + "/api/v1/messages")
        request.method = .POST
        request.headers.add(name: "x-api-key", value: rawKey)
        request.headers.add(name: "anthropic-version", value: "2023-06-01")
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"model":"claude-3-5-haiku-20241022","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#))
        return request
    }
}
