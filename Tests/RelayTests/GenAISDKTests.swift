import FakeUpstreams
import Foundation
import Relay
import Scenario
import Testing

/// The official `google-genai` Python SDK (from PyPI, unmodified) against the relay's Gemini routes, for a
/// Gemini API-key account and a Google-OAuth (Code Assist) account backed by the fake; usage recorded in Redis
/// must equal what the fake emitted.
@Suite("Official google-genai SDK against the relay", .serialized)
struct GenAISDKTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("python/genai_sdk_check.py").path

    @Test(arguments: ["gemini-api-accounts", "gemini-accounts"])
    func generateStreamAndCountSucceedAndUsageMatches(accountPath: String) async throws {
        try await RelayHarness.with { harness in
            harness.fakes.state.addCredentials(FakeCredentials(oauthTokens: ["ya29.sdk-token"], apiKeys: ["AIzaSDKKey"]))
            let admin = try await RelayClient.login(harness)
            let accountBody: [String: Any] = accountPath == "gemini-accounts"
                ? ["name": "oauth", "projectId": "fake-codeassist-project", "geminiOauth": ["access_token": "ya29.sdk-token", "refresh_token": "", "expiry_date": 4_102_444_800_000]]
                : ["name": "key", "apiKey": "AIzaSDKKey", "baseUrl": harness.fakes.baseURL + "/generativelanguage"]
            if accountPath == "gemini-accounts" { _ = harness.fakes.state.onboardCodeAssistForTests() }
            let account = try await admin.call("POST", "/admin/\(accountPath)", accountBody)
            #expect(account.status == 200, "\(account.body)")
            let key = try await admin.call("POST", "/admin/api-keys", ["name": "sdk", "permissions": "gemini"])
            let rawKey = try #require(admin.data(key)["key"] as? String)
            let keyID = try #require(admin.data(key)["id"] as? String)

            let result = try await sdkCheckResult(["python3", Self.script, harness.relay.baseURL + "/gemini", rawKey])
            #expect((result["nonStream"] as? [String: Any])?["input"] as? Int == 18)
            #expect((result["stream"] as? [String: Any])?["output"] as? Int == 42)
            let seen = harness.fakes.state.requests
            #expect(!seen.contains { $0.headers.flatMap { $0 }.contains { $0.contains(rawKey) } })
            try await expectRecordedUsage(harness, keyID: keyID, requests: 2, input: 36, output: 84)
        }
    }
}
