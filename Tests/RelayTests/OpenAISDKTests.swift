import FakeUpstreams
import Foundation
import Relay
import Scenario
import Testing

/// The official `openai` Python SDK (from PyPI, unmodified) against the relay: its Responses API for an API-key
/// Responses account and a ChatGPT (Codex) account backed by the fake; usage recorded in Redis must equal what
/// the fake emitted. Its Azure client against the Azure routes.
@Suite("Official openai SDK against the relay", .serialized)
struct OpenAISDKTests {
    static let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("python/openai_sdk_check.py").path

    @Test(arguments: ["openai-responses-accounts", "openai-accounts"])
    func responsesCallsSucceedAndUsageMatches(accountPath: String) async throws {
        try await RelayHarness.with { harness in
            harness.fakes.state.addCredentials(FakeCredentials(oauthTokens: ["chatgpt-access-sdk"], apiKeys: ["sk-openai-sdk"]))
            let admin = try await RelayClient.login(harness)
            let accountBody: [String: Any] = accountPath == "openai-accounts"
                ? ["name": "codex", "openaiOauth": ["accessToken": "chatgpt-access-sdk", "refreshToken": "", "expires_in": 864000],
                   "accountInfo": ["accountId": "acct-sdk"]]
                : ["name": "api", "baseApi": harness.fakes.baseURL + "/openai-api", "apiKey": "sk-openai-sdk"]
            let account = try await admin.call("POST", "/admin/\(accountPath)", accountBody)
            #expect(account.status == 200, "\(account.body)")
            let key = try await admin.call("POST", "/admin/api-keys", ["name": "sdk", "permissions": "openai"])
            let rawKey = try #require(admin.data(key)["key"] as? String)
            let keyID = try #require(admin.data(key)["id"] as? String)

            let imagesToo = accountPath == "openai-responses-accounts"  // ChatGPT accounts cannot generate images
            let result = try await sdkCheckResult(["python3", Self.script, harness.relay.baseURL + "/openai/v1", rawKey] + (imagesToo ? ["images"] : []))
            #expect((result["nonStream"] as? [String: Any])?["input"] as? Int == 18)
            #expect((result["stream"] as? [String: Any])?["output"] as? Int == 42)

            let upstreamPath = accountPath == "openai-accounts" ? "/codex/responses" : "/openai-api/v1/responses"
            let seen = harness.fakes.state.requests
            #expect(seen.filter { $0.path == upstreamPath }.count == 2, "\(seen.map(\.path))")
            #expect(seen.filter { $0.path == upstreamPath + "/compact" }.count == 1, "\(seen.map(\.path))")
            #expect(!seen.contains { $0.headers.flatMap { $0 }.contains { $0.contains(rawKey) } })
            let compact = result["compact"] as? [String: Any]
            #expect(compact?["items"] as? Int == 2)
            // The public API's compaction reports usage and is metered; the Codex backend's reports none.
            if accountPath == "openai-accounts" {
                try await expectRecordedUsage(harness, keyID: keyID, requests: 2, input: 36, output: 84)
            } else {
                #expect(compact?["input"] as? Int == 18)
                #expect((result["images"] as? [String: Any])?["output"] as? Int == 1056)
                try await expectRecordedUsage(harness, keyID: keyID, requests: 4, input: 54 + 12, output: 126 + 1056)
            }
        }
    }

    static let azureScript = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("python/azure_sdk_check.py").path

    /// The SDK's `AzureOpenAI` client builds `/openai/deployments/{model}/chat/completions?api-version=…` and
    /// `/openai/responses` under the endpoint it is given, with the key as `api-key`.
    @Test func azureClientSucceedsAndUsageMatches() async throws {
        try await RelayHarness.with { harness in
            harness.fakes.state.addCredentials(FakeCredentials(apiKeys: ["azure-sdk-key"]))
            let admin = try await RelayClient.login(harness)
            let account = try await admin.call("POST", "/admin/azure-openai-accounts", [
                "name": "azure", "azureEndpoint": harness.fakes.baseURL + "/azure-api", "apiKey": "azure-sdk-key", "deploymentName": "gpt-4o-prod",
            ])
            #expect(account.status == 200, "\(account.body)")
            let key = try await admin.call("POST", "/admin/api-keys", ["name": "sdk", "permissions": "openai"])
            let rawKey = try #require(admin.data(key)["key"] as? String)
            let keyID = try #require(admin.data(key)["id"] as? String)

            let result = try await sdkCheckResult(["python3", Self.azureScript, harness.relay.baseURL + "/azure", rawKey])
            #expect((result["nonStream"] as? [String: Any])?["input"] as? Int == 18)
            #expect((result["stream"] as? [String: Any])?["output"] as? Int == 42)
            #expect((result["responses"] as? [String: Any])?["output"] as? Int == 42)
            let paths = harness.fakes.state.requests.map(\.path)
            #expect(paths.filter { $0 == "/azure-api/openai/deployments/gpt-4o-prod/chat/completions" }.count == 2, "\(paths)")
            #expect(paths.contains("/azure-api/openai/responses"))
            #expect(paths.contains("/azure-api/openai/deployments/gpt-4o-prod/embeddings"))
            let embedded = try #require((result["embeddings"] as? [String: Any])?["input"] as? Int)
            try await expectRecordedUsage(harness, keyID: keyID, requests: 4, input: 54 + embedded, output: 126)
        }
    }
}
