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
            harness.fakes.state.addCredentials(FakeCredentials(oauthTokens: [oauthToken], apiKeys: [consoleSecret]))
            let admin = try await RelayClient.login(harness)
            let token = try #require(admin.token)
            _ = try await RelayClient(baseURL: harness.relay.baseURL).call("POST", "/web/auth/login", ["username": "admin", "password": "wrong-password-LEAK"])
            _ = try await admin.call("POST", "/admin/claude-console-accounts", ["name": "A", "apiUrl": harness.fakes.baseURL + "/a", "apiKey": consoleSecret, "priority": 1])
            let oauth = try await admin.call("POST", "/admin/claude-accounts", ["name": "O", "claudeAiOauth": ["accessToken": oauthToken, "refreshToken": "r", "expiresAt": 4_102_444_800_000]])
            let oauthID = try #require(admin.data(oauth)["id"] as? String)
            let key = try #require(admin.data(try await admin.call("POST", "/admin/api-keys", ["name": "k"]))["key"] as? String)
            let bound = try #require(admin.data(try await admin.call("POST", "/admin/api-keys", ["name": "o", "claudeAccountId": oauthID]))["key"] as? String)
            let client = RelayClient(baseURL: harness.relay.baseURL)
            let body: [String: Any] = ["model": "claude-3-5-haiku-20241022", "max_tokens": 5, "messages": [["role": "user", "content": "hi"]]]
            // Success, an upstream 401 and 529 (accounts get marked and logged), a stream, a bad key, a key-shaped garbage.
            _ = try await client.call("POST", "/api/v1/messages", body, headers: ["x-api-key": key, "anthropic-version": "2023-06-01"])
            harness.fakes.state.enqueue([FakeBehavior(status: 401), FakeBehavior(status: 529)])
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

    /// Issue #5: every token the fake authorization servers issue — during Claude, Gemini and OpenAI onboarding,
    /// on refreshes forced by an admin and by expiry under traffic — is absent from the relays' log and from
    /// every admin response of the session.
    @Test func oauthTokensReachNeitherLogsNorAdminResponses() async throws {
        try await RelayHarness.with(overrides: ["CRS_OAUTH_REFRESH_MARGIN_SECONDS": "3600"]) { harness in
            let admin = try await RelayClient.login(harness)
            var responses: [String] = []
            func adminCall(_ method: String, _ path: String, _ body: Any? = nil) async throws -> [String: Any] {
                let exchange = try await admin.call(method, path, body)
                responses.append(exchange.body)
                #expect(exchange.status == 200, "\(method) \(path) → \(exchange.status) \(exchange.body.prefix(200))")
                return admin.data(exchange)
            }
            func consent(_ url: String) async throws -> [String: Any] {
                (try await HTTPExchange.send(method: "GET", url: url).json as? [String: Any]) ?? [:]
            }
            var accounts: [(path: String, id: String)] = []
            for (path, blob) in [("claude-accounts", "claudeAiOauth"), ("gemini-accounts", "geminiOauth"), ("openai-accounts", "openaiOauth")] {
                let started = try await adminCall("POST", "/admin/\(path)/generate-auth-url", [String: Any]())
                let session = try #require(started["sessionId"] as? String)
                let approval = try await consent(try #require(started["authUrl"] as? String))
                _ = try await adminCall("POST", "/admin/\(path)/exchange-code", ["sessionId": session, "callbackUrl": approval["callbackUrl"] ?? ""])
                let account = try await adminCall("POST", "/admin/\(path)", ["name": "leak-\(path)", blob: ["oauthSessionId": session]])
                let id = try #require(account["id"] as? String)
                accounts.append((path, id))
                _ = try await adminCall("POST", "/admin/\(path)/\(id)/refresh")
                _ = try await adminCall("GET", "/admin/\(path)/\(id)")
                _ = try await adminCall("GET", "/admin/\(path)")
            }
            // Traffic on the Claude account: with a one-hour margin every request finds the token "expiring".
            let key = try #require(try await adminCall("POST", "/admin/api-keys", ["name": "k", "claudeAccountId": accounts[0].id])["key"] as? String)
            let body: [String: Any] = ["model": "claude-sonnet-4-5-20250929", "max_tokens": 5, "messages": [["role": "user", "content": "hi"]]]
            let reply = try await RelayClient(baseURL: harness.relay.baseURL).call("POST", "/api/v1/messages", body, headers: ["x-api-key": key, "anthropic-version": "2023-06-01"])
            #expect(reply.status == 200)
            try await Task.sleep(for: .milliseconds(300))

            let issued = harness.fakes.state.oauth.issuedTokens
            #expect(issued.count >= 14, "the fakes issued only \(issued.count) tokens: the session did not exercise every flow")
            let log = harness.logs.lines(since: 0).joined(separator: "\n")
            #expect(log.contains("oauth token refreshed"), "the capture must have seen the refresher's log")
            for token in issued {
                #expect(!log.contains(token), "the relay log contains an issued token \(token.prefix(12))…")
                for response in responses { #expect(!response.contains(token), "an admin response contains an issued token \(token.prefix(12))…") }
            }
        }
    }
}
