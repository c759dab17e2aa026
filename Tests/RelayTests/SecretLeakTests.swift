import FakeUpstreams
import Foundation
import Relay
import Scenario
import Testing

/// No secret reaches the logs: the relays' complete log (debug and up) of a session that logs in, stores account
/// secrets, relays traffic, meets upstream refusals and bad keys is searched for every secret involved.
@Suite("No secrets in logs", .serialized)
struct SecretLeakTests {
    @Test func theRelayLogNamesNoSecret() async throws {
        let consoleSecret = "sk-console-LEAKCHECK-0123456789"
        let oauthToken = "sk-ant-oat01-LEAKCHECK-token-0123456789"
        try await RelayHarness.with { harness in
            harness.anthropic.state.addCredentials(FakeCredentials(oauthTokens: [oauthToken], apiKeys: [consoleSecret]))
            let admin = try await RelayClient.login(harness)
            let token = try #require(admin.token)
            _ = try await RelayClient(baseURL: harness.relay.baseURL).call("POST", "/web/auth/login", ["username": "admin", "password": "wrong-password-LEAK"])
            _ = try await admin.call("POST", "/admin/claude-console-accounts", ["name": "A", "apiUrl": harness.anthropic.baseURL + "/a", "apiKey": consoleSecret, "priority": 1])
            let oauth = try await admin.call("POST", "/admin/claude-accounts", ["name": "O", "claudeAiOauth": ["accessToken": oauthToken, "refreshToken": "r", "expiresAt": 4_102_444_800_000]])
            let oauthID = try #require(admin.data(oauth)["id"] as? String)
            let key = try #require(admin.data(try await admin.call("POST", "/admin/api-keys", ["name": "k"]))["key"] as? String)
            let bound = try #require(admin.data(try await admin.call("POST", "/admin/api-keys", ["name": "o", "claudeAccountId": oauthID]))["key"] as? String)
            let client = RelayClient(baseURL: harness.relay.baseURL)
            let body: [String: Any] = ["model": "claude-3-5-haiku-20241022", "max_tokens": 5, "messages": [["role": "user", "content": "hi"]]]
            // Success, an upstream 401 and 529 (accounts get marked and logged), a stream, a bad key, a key-shaped garbage.
            _ = try await client.call("POST", "/api/v1/messages", body, headers: ["x-api-key": key, "anthropic-version": "2023-06-01"])
            harness.anthropic.state.enqueue([FakeBehavior(status: 401), FakeBehavior(status: 529)])
            _ = try await client.call("POST", "/api/v1/messages", body, headers: ["x-api-key": key, "anthropic-version": "2023-06-01"])
            _ = try await client.call("POST", "/api/v1/messages", body.merging(["stream": true]) { _, new in new }, headers: ["x-api-key": bound, "anthropic-version": "2023-06-01"])
            _ = try await client.call("POST", "/api/v1/messages", body, headers: ["x-api-key": key + "00", "anthropic-version": "2023-06-01"])
            _ = try await client.call("POST", "/api/v1/messages", body, headers: ["Authorization": "Bearer " + consoleSecret, "anthropic-version": "2023-06-01"])
            try await Task.sleep(for: .milliseconds(300))

            let log = harness.logs.lines(since: 0).joined(separator: "\n")
            #expect(log.contains("account selected"), "the capture must have seen the relay's log")
            for secret in [consoleSecret, oauthToken, key, bound, token, RelayHarness.adminPassword, "wrong-password-LEAK", RelayHarness.encryptionKey, RelayHarness.jwtSecret] {
                #expect(!log.contains(secret), "the relay log contains \(secret.prefix(8))…")
            }
        }
    }
}
