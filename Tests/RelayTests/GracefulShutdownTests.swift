import AsyncHTTPClient
import FakeUpstreams
import Foundation
import NIOCore
import Relay
import Scenario
import Testing

/// SIGTERM-equivalent (the service group's graceful shutdown): a stream still running after
/// CRS_SHUTDOWN_GRACE_SECONDS ends with a terminal error event, and its usage and lease are not lost.
@Suite("Graceful shutdown", .serialized)
struct GracefulShutdownTests {
    @Test func aStreamOutlivingTheGracePeriodEndsTruthfullyAndKeepsItsUsage() async throws {
        try await RelayHarness.with(instances: 2, overrides: ["CRS_SHUTDOWN_GRACE_SECONDS": "1"]) { harness in
            harness.fakes.state.addCredentials(FakeCredentials(apiKeys: ["sk-console-A"]))
            let admin = try await RelayClient.login(harness, relay: 1)
            _ = try await admin.call("POST", "/admin/claude-console-accounts", ["name": "A", "apiUrl": harness.fakes.baseURL + "/a", "apiKey": "sk-console-A"])
            let created = try await admin.call("POST", "/admin/api-keys", ["name": "shutdown", "concurrencyLimit": 5])
            let rawKey = try #require(admin.data(created)["key"] as? String)
            let keyID = try #require(admin.data(created)["id"] as? String)
            // message_start at once, then a minute of silence: only the shutdown can end this stream.
            harness.fakes.state.enqueue([FakeBehavior(pauseAfterEvents: 1, pauseMs: 60_000, usage: FakeUsage(input: 23, output: 5))])

            var request = HTTPClientRequest(url: harness.relays[0].baseURL + "/api/v1/messages")
            request.method = .POST
            request.headers.add(name: "x-api-key", value: rawKey)
            request.headers.add(name: "anthropic-version", value: "2023-06-01")
            request.headers.add(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: #"{"model":"claude-3-5-haiku-20241022","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#))
            let reader = Task { () -> String in
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(60))
                var text = ""
                do {
                    for try await chunk in response.body { text += String(buffer: chunk) }
                } catch {
                    text += "\n<<client error: \(error)>>"
                }
                return text
            }
            // Generous: under the whole suite the machine is saturated and the first byte can take seconds.
            let streaming = await eventually(timeout: .seconds(30)) { harness.fakes.state.stats.inFlight == 1 }
            #expect(streaming)
            let began = ContinuousClock.now
            let stopping = Task { await harness.relays[0].stop() }

            let text = try await reader.value
            #expect(!text.contains("<<client error"), "\(text)")
            #expect(text.contains("event: message_start"))
            #expect(text.contains("event: error") && text.contains("The relay is shutting down"))
            #expect(ContinuousClock.now - began < .seconds(10), "the stream should end about 1 s after the shutdown began")
            await stopping.value

            // The instance that stopped wrote the partial usage and released the lease before it exited.
            #expect(try await harness.redis.send("HGET", RedisArgument("usage:\(keyID)"), "totalInputTokens").int == 23)
            #expect(try await harness.redis.send("EXISTS", RedisArgument("concurrency:\(keyID)")).int == 0)
            // The other instance keeps serving.
            let other = try await RelayClient(baseURL: harness.relays[1].baseURL).call(
                "POST", "/api/v1/messages", ["model": "claude-3-5-haiku-20241022", "max_tokens": 5, "messages": [["role": "user", "content": "hi"]]],
                headers: ["x-api-key": rawKey, "anthropic-version": "2023-06-01"])
            #expect(other.status == 200)
        }
    }
}
