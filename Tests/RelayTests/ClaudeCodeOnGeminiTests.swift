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
            let (rawKey, keyID) = try await geminiAccountAndKey(harness, token: "ya29.claude-code-token", ["name": "gemini", "projectId": "fake-codeassist-project"])

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

    /// The same CLI at `/antigravity/api` with a Claude model Antigravity hosts: its tool schemas (JSON Schema with
    /// `$schema` and `additionalProperties`, which Antigravity refuses for Claude) arrive as Gemini `parameters`.
    @Test func claudeCodeAnswersThroughAnAntigravityAccountWithAClaudeModel() async throws {
        try await RelayHarness.with { harness in
            harness.fakes.state.addCredentials(FakeCredentials(oauthTokens: ["ya29.antigravity-cc-token"]))
            let (rawKey, _) = try await geminiAccountAndKey(harness, token: "ya29.antigravity-cc-token", ["name": "antigravity", "oauthProvider": "antigravity"])

            let result = try await sdkCheckResult(["python3", Self.script, "cli", harness.relay.baseURL + "/antigravity/api", rawKey, "api-key", "claude-sonnet-4-5"])
            #expect(result["result"] as? String == "pong", "\(result)")

            let calls = harness.fakes.state.requests.filter { $0.path.hasPrefix("/antigravity/v1internal:") && $0.path.contains("Content") }
            #expect(!calls.isEmpty && calls.allSatisfy { $0.status == 200 }, "\(harness.fakes.state.requests.map { "\($0.path) \($0.status)" })")
            let envelope = try #require(calls.last?.jsonBody)
            #expect(envelope["model"] as? String == "claude-sonnet-4-5" && envelope["userAgent"] as? String == "antigravity")
            let body = try #require(envelope["request"] as? [String: Any])
            let declarations = ((body["tools"] as? [[String: Any]])?.first?["functionDeclarations"] as? [[String: Any]]) ?? []
            #expect(declarations.contains { $0["name"] as? String == "Bash" && $0["parameters"] != nil && $0["parametersJsonSchema"] == nil },
                    "\(declarations.compactMap { $0["name"] })")
            #expect(harness.fakes.state.requests.allSatisfy { !$0.path.hasPrefix("/codeassist/") })
        }
    }

    /// A Google-OAuth account holding `token` (plus `fields`) and a key with the gemini permission: (raw key, key id).
    private func geminiAccountAndKey(_ harness: RelayHarness, token: String, _ fields: [String: Any]) async throws -> (String, String) {
        let admin = try await RelayClient.login(harness)
        var body = fields
        body["geminiOauth"] = ["access_token": token, "refresh_token": "", "expiry_date": 4_102_444_800_000]
        let account = try await admin.call("POST", "/admin/gemini-accounts", body)
        #expect(account.status == 200, "\(account.body)")
        let key = try await admin.call("POST", "/admin/api-keys", ["name": "cc-\(fields["name"] ?? "")", "permissions": "gemini"])
        return (try #require(admin.data(key)["key"] as? String), try #require(admin.data(key)["id"] as? String))
    }
}
