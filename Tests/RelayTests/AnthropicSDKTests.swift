import FakeUpstreams
import Foundation
import Relay
import Scenario
import Testing

/// The official `anthropic` Python SDK (from PyPI, unmodified) against the relay, for a Console account and an
/// OAuth account backed by the fake; usage recorded in Redis must equal what the fake emitted.
@Suite("Official anthropic SDK against the relay", .serialized)
struct AnthropicSDKTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("python/anthropic_sdk_check.py").path

    @Test(arguments: ["claude-console-accounts", "claude-accounts"])
    func sdkCallsSucceedAndUsageMatches(accountPath: String) async throws {
        try await RelayHarness.with { harness in
            harness.fakes.state.addCredentials(FakeCredentials(oauthTokens: ["sk-ant-oat01-sdk"], apiKeys: ["sk-console-sdk"]))
            let admin = try await RelayClient.login(harness)
            let accountBody: [String: Any] = accountPath == "claude-accounts"
                ? ["name": "oauth", "claudeAiOauth": ["accessToken": "sk-ant-oat01-sdk", "refreshToken": "r", "expiresAt": 4102444800000, "scopes": ["user:inference"]]]
                : ["name": "console", "apiUrl": harness.fakes.baseURL + "/console/api", "apiKey": "sk-console-sdk"]
            let account = try await admin.call("POST", "/admin/\(accountPath)", accountBody)
            #expect(account.status == 200, "\(account.body)")
            let key = try await admin.call("POST", "/admin/api-keys", ["name": "sdk", "permissions": "claude"])
            let rawKey = try #require(admin.data(key)["key"] as? String)
            let keyID = try #require(admin.data(key)["id"] as? String)

            let result = try await sdkCheckResult(["python3", Self.script, harness.relay.baseURL + "/api", rawKey])
            #expect((result["nonStream"] as? [String: Any])?["input"] as? Int == 18)
            #expect((result["stream"] as? [String: Any])?["output"] as? Int == 42)

            // The fake saw three upstream calls (create, stream, count_tokens); the relay key reached none.
            let seen = harness.fakes.state.requests
            #expect(seen.map(\.path).filter { $0.hasSuffix("/v1/messages") }.count == 2)
            #expect(seen.contains { $0.path.hasSuffix("/v1/messages/count_tokens") })
            #expect(!seen.contains { $0.headers.flatMap { $0 }.contains { $0.contains(rawKey) } })

            // On the subscription account the SDK's bodies went out shaped: the identity block first, its own prompt after.
            if accountPath == "claude-accounts" {
                let created = try #require(seen.first { $0.path.hasSuffix("/v1/messages") })
                let texts = ((created.jsonBody?["system"] as? [Any]) ?? []).compactMap { ($0 as? [String: Any])?["text"] as? String }
                #expect(texts == ["You are Claude Code, Anthropic's official CLI for Claude.", "Be brief."])
                #expect(seen.allSatisfy { $0.status == 200 }, "\(seen.map(\.status))")
            }
            // Usage recorded equals what the fake emitted (2 × input 18 / output 42); count_tokens is not usage.
            try await expectRecordedUsage(harness, keyID: keyID, requests: 2, input: 36, output: 84)
        }
    }
}
