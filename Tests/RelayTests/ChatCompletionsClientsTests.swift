import FakeUpstreams
import Foundation
import Relay
import Scenario
import Testing

/// The official `openai` SDK and LangChain's `ChatOpenAI` (from PyPI, unmodified) through the Chat Completions
/// routes to a Claude subscription (OAuth) account, a Claude Console account, a Google-OAuth Gemini account and a
/// ChatGPT (Codex) account on the fakes: text, streaming with usage, a tool call round trip and an image. Usage recorded in Redis must equal what
/// the fake emitted, and what the clients were told.
@Suite("openai SDK and LangChain ChatOpenAI through Chat Completions", .serialized)
struct ChatCompletionsClientsTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("python/openai_chat_check.py").path

    /// The order of the script's upstream calls: the third and eighth are answered with a tool call.
    static var behaviours: [FakeBehavior] {
        (0..<9).map { index in
            var behaviour = FakeBehavior()
            behaviour.toolUse = index == 2 || index == 7 ? true : nil
            return behaviour
        }
    }

    @Test(arguments: [
        ("claude-accounts", "/openai/claude/v1", "claude-sonnet-4-5-20250929"),
        ("claude-console-accounts", "/api/v1", "claude-sonnet-4-5-20250929"),
        ("gemini-accounts", "/openai/gemini/v1", "gemini-2.5-pro"),
        ("gemini-accounts", "/openai/v1", "gemini-2.5-flash"),
        ("openai-accounts", "/openai/v1", "gpt-5-codex"),
    ])
    func clientsSucceedAndUsageMatches(accountPath: String, route: String, model: String) async throws {
        try await RelayHarness.with { harness in
            harness.fakes.state.addCredentials(FakeCredentials(oauthTokens: ["sk-ant-oat01-chat", "ya29.chat-token", "chatgpt-access-chat"], apiKeys: ["sk-console-chat"]))
            let admin = try await RelayClient.login(harness)
            let accountBody: [String: Any]
            switch accountPath {
            case "claude-accounts":
                accountBody = ["name": "oauth", "claudeAiOauth": ["accessToken": "sk-ant-oat01-chat", "refreshToken": "r", "expiresAt": 4102444800000, "scopes": ["user:inference"]]]
            case "openai-accounts":
                accountBody = ["name": "codex", "openaiOauth": ["accessToken": "chatgpt-access-chat", "refreshToken": "", "expires_in": 864000],
                               "accountInfo": ["accountId": "acct-chat"]]
            case "claude-console-accounts":
                accountBody = ["name": "console", "apiUrl": harness.fakes.baseURL + "/console/api", "apiKey": "sk-console-chat"]
            default:
                accountBody = ["name": "gemini", "projectId": "fake-codeassist-project",
                               "geminiOauth": ["access_token": "ya29.chat-token", "refresh_token": "", "expiry_date": 4_102_444_800_000]]
            }
            if accountPath == "gemini-accounts" { _ = harness.fakes.state.onboardCodeAssistForTests() }
            let account = try await admin.call("POST", "/admin/\(accountPath)", accountBody)
            #expect(account.status == 200, "\(account.body)")
            let permission = accountPath.hasPrefix("gemini") ? "gemini" : accountPath.hasPrefix("openai") ? "openai" : "claude"
            let key = try await admin.call("POST", "/admin/api-keys", ["name": "chat", "permissions": permission])
            let rawKey = try #require(admin.data(key)["key"] as? String)
            let keyID = try #require(admin.data(key)["id"] as? String)
            harness.fakes.state.enqueue(Self.behaviours)

            let result = try await sdkCheckResult(["python3", Self.script, harness.relay.baseURL + route, rawKey, model])
            // Nine calls at the fake's default usage (input 18, output 42), as the clients were told and Redis recorded.
            #expect(result["requests"] as? Int == 9)
            #expect(result["prompt"] as? Int == 9 * 18)
            #expect(result["completion"] as? Int == 9 * 42)
            try await expectRecordedUsage(harness, keyID: keyID, requests: 9, input: 9 * 18, output: 9 * 42)

            let seen = harness.fakes.state.requests.filter { $0.path.hasSuffix("/v1/messages") || $0.path.contains("Content") || $0.path.hasSuffix("/responses") }
            #expect(seen.count == 9, "\(harness.fakes.state.requests.map(\.path))")
            #expect(seen.allSatisfy { $0.status == 200 }, "\(seen.map { "\($0.path) \($0.status)" })")
            #expect(!harness.fakes.state.requests.contains { $0.headers.flatMap { $0 }.contains { $0.contains(rawKey) } })
            // The subscription account got Claude Code's identity ahead of the client's own system prompt.
            if accountPath == "claude-accounts", let first = seen.first {
                let texts = ((first.jsonBody?["system"] as? [Any]) ?? []).compactMap { ($0 as? [String: Any])?["text"] as? String }
                #expect(texts.first == "You are Claude Code, Anthropic's official CLI for Claude." && texts.last == "Be brief.", "\(texts)")
            }
        }
    }

    static let completionsScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("python/openai_completions_check.py").path

    /// The SDK's legacy `completions.create` (non-stream and stream) on /openai/claude/v1/completions, Console account.
    @Test func legacyCompletionsClientSucceeds() async throws {
        try await RelayHarness.with { harness in
            harness.fakes.state.addCredentials(FakeCredentials(apiKeys: ["sk-console-legacy"]))
            let admin = try await RelayClient.login(harness)
            let account = try await admin.call("POST", "/admin/claude-console-accounts",
                                               ["name": "console", "apiUrl": harness.fakes.baseURL + "/console/api", "apiKey": "sk-console-legacy"])
            #expect(account.status == 200, "\(account.body)")
            let key = try await admin.call("POST", "/admin/api-keys", ["name": "legacy", "permissions": "claude"])
            let rawKey = try #require(admin.data(key)["key"] as? String)
            let keyID = try #require(admin.data(key)["id"] as? String)
            let result = try await sdkCheckResult(["python3", Self.completionsScript, harness.relay.baseURL + "/openai/claude/v1", rawKey, "claude-sonnet-4-5-20250929"])
            #expect(result["prompt"] as? Int == 18 && result["completion"] as? Int == 42)
            try await expectRecordedUsage(harness, keyID: keyID, requests: 2, input: 36, output: 84)
        }
    }
}
