import FakeUpstreams
import Foundation
import Relay
import Scenario
import Testing

/// Real clients through the relay to a Claude subscription (OAuth) account on the strict Anthropic fake, which
/// refuses — as the real API does — anything that is not Claude Code's: LangChain's ChatAnthropic and the official
/// SDK get shaped (the identity block first, their own system prompt after it), the real Claude Code CLI goes
/// through untouched. Usage in Redis equals what the fake reported.
@Suite("Real clients on a Claude subscription account", .serialized)
struct ClaudeSubscriptionClientsTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("python/claude_clients_check.py").path
    static let token = "sk-ant-oat01-clients"

    /// An OAuth account on the fake and a key for it.
    static func subscription(_ harness: RelayHarness) async throws -> (key: String, keyID: String) {
        harness.fakes.state.addCredentials(FakeCredentials(oauthTokens: [token]))
        let admin = try await RelayClient.login(harness)
        let account = try await admin.call("POST", "/admin/claude-accounts", [
            "name": "subscription", "claudeAiOauth": ["accessToken": token, "refreshToken": "r", "expiresAt": 4102444800000, "scopes": ["user:inference"]],
        ])
        #expect(account.status == 200, "\(account.body)")
        let key = try await admin.call("POST", "/admin/api-keys", ["name": "clients", "permissions": "claude"])
        return (try #require(admin.data(key)["key"] as? String), try #require(admin.data(key)["id"] as? String))
    }

    static func systemTexts(_ request: RecordedRequest) -> [String] {
        ((request.jsonBody?["system"] as? [Any]) ?? []).compactMap { ($0 as? [String: Any])?["text"] as? String }
    }

    @Test func langchainChatAnthropicIsShapedAndMetered() async throws {
        try await RelayHarness.with { harness in
            let (key, keyID) = try await Self.subscription(harness)
            let result = try await sdkCheckResult(["python3", Self.script, "langchain", harness.relay.baseURL + "/api", key])
            #expect((result["nonStream"] as? [String: Any])?["input"] as? Int == 18)
            let seen = harness.fakes.state.requests.filter { $0.path.hasSuffix("/v1/messages") }
            #expect(seen.count == 2)
            #expect(seen.allSatisfy { $0.status == 200 }, "\(seen.map(\.status))")
            for request in seen {
                #expect(Self.systemTexts(request) == ["You are Claude Code, Anthropic's official CLI for Claude.", "You are LangChain's test assistant."])
                #expect(request.header("anthropic-beta")?.contains("oauth-2025-04-20") == true)
                #expect(request.header("user-agent")?.hasPrefix("claude-cli/") == true)
                #expect(request.header("x-app") == "cli")
                let userID = (request.jsonBody?["metadata"] as? [String: Any])?["user_id"] as? String
                #expect(userID.flatMap { JSON.object(Data($0.utf8)) }?["device_id"] is String, "\(String(describing: userID))")
            }
            try await expectRecordedUsage(harness, keyID: keyID, requests: 2, input: 36, output: 84)
        }
    }

    @Test(arguments: ["api-key", "auth-token"])
    func claudeCodeCLIPassesThroughUntouched(mode: String) async throws {
        try await RelayHarness.with { harness in
            let (key, keyID) = try await Self.subscription(harness)
            let result = try await sdkCheckResult(["python3", Self.script, "cli", harness.relay.baseURL + "/api", key, mode])
            #expect(result["result"] as? String == "pong", "\(result)")
            let seen = harness.fakes.state.requests.filter { $0.path.hasSuffix("/v1/messages") }
            #expect(!seen.isEmpty && seen.allSatisfy { $0.status == 200 }, "\(seen.map { "\($0.status) \($0.body.prefix(300))" })")
            for request in seen {
                // The CLI's own identity (after its billing header block) reaches the fake once, not a second injected copy.
                let texts = Self.systemTexts(request)
                #expect(texts.filter { $0.hasPrefix("You are Claude Code") || $0.hasPrefix("You are a Claude agent") }.count == 1, "\(texts.map { $0.prefix(80) })")
                #expect(request.header("user-agent")?.hasPrefix("claude-cli/") == true)
                #expect(!request.headers.flatMap { $0 }.contains { $0.contains(key) })
            }
            let emitted = harness.fakes.state.stats.emitted
            try await expectRecordedUsage(harness, keyID: keyID, requests: emitted.replies, input: emitted.input, output: emitted.output)
        }
    }
}
