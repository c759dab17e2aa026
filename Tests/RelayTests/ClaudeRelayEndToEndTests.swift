import FakeUpstreams
import Foundation
import Relay
import Scenario
import Testing

@Suite("Claude relay end to end (harness)", .serialized)
struct ClaudeRelayEndToEndTests {
    static var message: [String: Any] { ["model": "claude-sonnet-4-5-20250929", "max_tokens": 50, "messages": [["role": "user", "content": "ping"]]] }

    @Test func consoleAccountServesNonStreamAndStreamAndUsageIsRecorded() async throws {
        try await RelayHarness.with { harness in
            harness.fakes.state.addCredentials(FakeCredentials(apiKeys: ["sk-ant-console-A"]))
            let admin = try await RelayClient.login(harness)
            #expect(admin.token != nil)
            let account = try await admin.call("POST", "/admin/claude-console-accounts", [
                "name": "A", "apiUrl": harness.fakes.baseURL + "/console-a/api", "apiKey": "sk-ant-console-A", "accountType": "shared",
            ])
            #expect(account.status == 200, "\(account.body)")
            let accountID = try #require(admin.data(account)["id"] as? String)
            #expect(admin.data(account)["apiKey"] as? String != "sk-ant-console-A")
            let created = try await admin.call("POST", "/admin/api-keys", ["name": "k", "permissions": "claude"])
            let rawKey = try #require(admin.data(created)["key"] as? String)
            let keyID = try #require(admin.data(created)["id"] as? String)

            let client = RelayClient(baseURL: harness.relay.baseURL)
            let reply = try await client.call("POST", "/api/v1/messages", Self.message, headers: ["x-api-key": rawKey, "anthropic-version": "2023-06-01"])
            #expect(reply.status == 200, "\(reply.body)")
            #expect((reply.object["content"] as? [[String: Any]])?.first?["text"] as? String == "pong")

            var streamBody = Self.message
            streamBody["stream"] = true
            let stream = try await client.call("POST", "/api/v1/messages", streamBody, headers: ["Authorization": "Bearer \(rawKey)", "anthropic-version": "2023-06-01"])
            #expect(stream.status == 200)
            #expect(stream.eventNames == ["message_start", "content_block_start", "ping", "content_block_delta", "content_block_stop", "message_delta", "message_stop"])

            let seen = harness.fakes.state.requests
            #expect(seen.count == 2)
            #expect(seen.allSatisfy { $0.path == "/console-a/api/v1/messages" && $0.credential == "sk-ant-console-A" })
            #expect(seen.allSatisfy { !$0.headers.flatMap { $0 }.contains { $0.contains(rawKey) } })

            let recorded = await eventually {
                (try? await harness.redis.send("HGET", RedisArgument("usage:\(keyID)"), "totalRequests").int) == 2
            }
            #expect(recorded)
            let totals = try await harness.redis.send("HGETALL", RedisArgument("usage:\(keyID)")).stringDictionary
            #expect(totals["totalInputTokens"] == "36")
            #expect(totals["totalOutputTokens"] == "84")
            let accountTotals = try await harness.redis.send("HGETALL", RedisArgument("account_usage:\(accountID)")).stringDictionary
            #expect(accountTotals["totalRequests"] == "2")
            #expect(try await harness.redis.send("GET", RedisArgument("usage:cost:total:\(keyID)")).string != nil)
        }
    }
}
