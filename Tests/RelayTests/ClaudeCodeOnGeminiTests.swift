import FakeUpstreams
import Foundation
import Relay
import Scenario
import Testing

/// The real Claude Code CLI (the claude-agent-sdk wheel's bundled binary) with its base URL at `/gemini-cli/api` and a
/// Gemini model: its Messages calls — system blocks, its whole tool set, the stream it reads — are translated for a
/// Google-OAuth (Code Assist) account on the fake, and it prints the model's answer. Usage lands on the key.
@Suite("Claude Code CLI on Gemini accounts", .serialized)
struct ClaudeCodeOnGeminiTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("python/claude_clients_check.py").path

    @Test func claudeCodeAnswersThroughAGeminiAccount() async throws {
        try await RelayHarness.with { harness in
            harness.fakes.state.addCredentials(FakeCredentials(oauthTokens: ["ya29.claude-code-token"]))
            _ = harness.fakes.state.onboardCodeAssistForTests()
            let admin = try await RelayClient.login(harness)
            let account = try await admin.call("POST", "/admin/gemini-accounts", [
                "name": "gemini", "projectId": "fake-codeassist-project",
                "geminiOauth": ["access_token": "ya29.claude-code-token", "refresh_token": "", "expiry_date": 4_102_444_800_000],
            ])
            #expect(account.status == 200, "\(account.body)")
            let key = try await admin.call("POST", "/admin/api-keys", ["name": "cc-on-gemini", "permissions": "gemini"])
            let rawKey = try #require(admin.data(key)["key"] as? String)
            let keyID = try #require(admin.data(key)["id"] as? String)

            let result = try await sdkCheckResult(["python3", Self.script, "cli", harness.relay.baseURL + "/gemini-cli/api", rawKey, "api-key", "gemini-2.5-pro"])
            #expect(result["result"] as? String == "pong", "\(result)")

            let calls = harness.fakes.state.requests.filter { $0.path.hasPrefix("/codeassist/v1internal:") && $0.path.contains("Content") }
            #expect(!calls.isEmpty && calls.allSatisfy { $0.status == 200 }, "\(harness.fakes.state.requests.map { "\($0.path) \($0.status)" })")
            // Claude Code's own tools reached Gemini as function declarations, its system prompt as the instruction.
            let body = try #require(calls.last?.jsonBody?["request"] as? [String: Any])
            let declarations = ((body["tools"] as? [[String: Any]])?.first?["functionDeclarations"] as? [[String: Any]]) ?? []
            #expect(declarations.contains { $0["name"] as? String == "Bash" }, "\(declarations.compactMap { $0["name"] })")
            #expect(body["systemInstruction"] != nil)
            #expect(!harness.fakes.state.requests.contains { $0.headers.flatMap { $0 }.contains { $0.contains(rawKey) } })
            let recorded = await eventually {
                ((try? await harness.redis.send("HGET", RedisArgument("usage:\(keyID)"), "totalRequests").int) ?? 0) >= Int64(calls.count)
            }
            #expect(recorded)
        }
    }
}
