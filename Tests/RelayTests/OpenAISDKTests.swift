import FakeUpstreams
import Foundation
import Relay
import Scenario
import Testing

/// The official `openai` Python SDK (from PyPI, unmodified) against the relay's Responses API, for an API-key
/// Responses account and a ChatGPT (Codex) account backed by the fake; usage recorded in Redis must equal what
/// the fake emitted.
@Suite("Official openai SDK against the relay", .serialized)
struct OpenAISDKTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("python/openai_sdk_check.py").path

    @Test(arguments: ["openai-responses-accounts", "openai-accounts"])
    func responsesCallsSucceedAndUsageMatches(accountPath: String) async throws {
        try await RelayHarness.with { harness in
            harness.anthropic.state.addCredentials(FakeCredentials(oauthTokens: ["chatgpt-access-sdk"], apiKeys: ["sk-openai-sdk"]))
            let admin = try await RelayClient.login(harness)
            let accountBody: [String: Any] = accountPath == "openai-accounts"
                ? ["name": "codex", "openaiOauth": ["accessToken": "chatgpt-access-sdk", "refreshToken": "", "expires_in": 864000],
                   "accountInfo": ["accountId": "acct-sdk"]]
                : ["name": "api", "baseApi": harness.anthropic.baseURL + "/openai-api", "apiKey": "sk-openai-sdk"]
            let account = try await admin.call("POST", "/admin/\(accountPath)", accountBody)
            #expect(account.status == 200, "\(account.body)")
            let key = try await admin.call("POST", "/admin/api-keys", ["name": "sdk", "permissions": "openai"])
            let rawKey = try #require(admin.data(key)["key"] as? String)
            let keyID = try #require(admin.data(key)["id"] as? String)

            let result = try await sdkCheckResult(["python3", Self.script, harness.relay.baseURL + "/openai/v1", rawKey])
            #expect((result["nonStream"] as? [String: Any])?["input"] as? Int == 18)
            #expect((result["stream"] as? [String: Any])?["output"] as? Int == 42)

            let upstreamPath = accountPath == "openai-accounts" ? "/codex/responses" : "/openai-api/v1/responses"
            let seen = harness.anthropic.state.requests
            #expect(seen.filter { $0.path == upstreamPath }.count == 2, "\(seen.map(\.path))")
            #expect(!seen.contains { $0.headers.flatMap { $0 }.contains { $0.contains(rawKey) } })

            try await expectRecordedUsage(harness, keyID: keyID, requests: 2, input: 36, output: 84)
        }
    }
}
