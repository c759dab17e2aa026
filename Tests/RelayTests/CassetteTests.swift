import Cassettes
import FakeUpstreams
import Foundation
import Relay
import Scenario
import Testing

/// `crs serve --record`: exchanges are written as cassettes with every secret removed, and a fake replays them.
@Suite("Record and replay", .serialized)
struct CassetteTests {
    static let consoleSecret = "sk-console-RECORD-secret-0123456789"
    static let oauthToken = "sk-ant-oat01-RECORD-token-0123456789"
    static let userHash = String(repeating: "ab", count: 32)
    static let email = "alice.jones@example.com"

    @Test func recordsRedactedCassettesAndAFakeReplaysThem() async throws {
        let directory = NSTemporaryDirectory() + "crs-cassettes-" + UUID().uuidString.prefix(8)
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var relayKey = ""
        var recordedBodies: [String] = []

        try await RelayHarness.with(overrides: ["CRS_RECORD_DIR": directory]) { harness in
            harness.fakes.state.addCredentials(FakeCredentials(oauthTokens: [Self.oauthToken], apiKeys: [Self.consoleSecret]))
            let admin = try await RelayClient.login(harness)
            _ = try await admin.call("POST", "/admin/claude-console-accounts", ["name": "A", "apiUrl": harness.fakes.baseURL + "/a", "apiKey": Self.consoleSecret, "priority": 1])
            let oauth = try await admin.call("POST", "/admin/claude-accounts", ["name": "O", "priority": 2, "claudeAiOauth": ["accessToken": Self.oauthToken, "refreshToken": "", "expiresAt": 4_102_444_800_000]])
            let oauthID = try #require(admin.data(oauth)["id"] as? String)
            relayKey = try #require(admin.data(try await admin.call("POST", "/admin/api-keys", ["name": "rec"]))["key"] as? String)
            let client = RelayClient(baseURL: harness.relay.baseURL)
            let headers = ["x-api-key": relayKey, "anthropic-version": "2023-06-01"]
            let body: [String: Any] = [
                "model": "claude-3-5-haiku-20241022", "max_tokens": 20,
                "metadata": ["user_id": "user_\(Self.userHash)_account__session_1b2c3d4e-0000-1111-2222-333344445555"],
                "messages": [["role": "user", "content": "write to \(Self.email) with key \(Self.consoleSecret)"]],
            ]
            let plain = try await client.call("POST", "/api/v1/messages", body, headers: headers)
            #expect(plain.status == 200)
            let streamed = try await client.call("POST", "/api/v1/messages", body.merging(["stream": true]) { _, new in new }, headers: headers)
            #expect(streamed.status == 200)
            recordedBodies = [plain.body, streamed.body]
            // The OAuth account too (a bound key), so its bearer token passes through the recorder.
            let bound = try #require(admin.data(try await admin.call("POST", "/admin/api-keys", ["name": "oauth", "claudeAccountId": oauthID]))["key"] as? String)
            let viaOAuth = try await client.call("POST", "/api/v1/messages", ["model": "claude-3-5-haiku-20241022", "max_tokens": 5, "messages": [["role": "user", "content": "hi"]]],
                                                 headers: ["x-api-key": bound, "anthropic-version": "2023-06-01"])
            #expect(viaOAuth.status == 200)
        }

        let names = try FileManager.default.contentsOfDirectory(atPath: directory).filter { $0.hasSuffix(".json") }
        #expect(names.count == 3)
        // Recorded traffic is the operator's alone: 0600 files (the exchanges hold prompts and replies).
        for name in names {
            let mode = try FileManager.default.attributesOfItem(atPath: directory + "/" + name)[.posixPermissions] as? Int
            #expect(mode == 0o600, "\(name): \(String(mode ?? 0, radix: 8))")
        }
        #expect(Redactor().header("X-Amz-Security-Token", "IQoJb3JpZ2luX2VjEDoaCXVzLWVhc3QtMSJHMEUCIQD") == Redactor.mask)
        let text = try names.map { try String(contentsOfFile: directory + "/" + $0, encoding: .utf8) }.joined(separator: "\n")
        for secret in [Self.consoleSecret, Self.oauthToken, relayKey, Self.userHash, Self.email, RelayHarness.adminPassword] {
            #expect(!text.contains(secret), "a cassette contains \(secret.prefix(10))…")
        }
        #expect(text.contains("[REDACTED]") && text.contains("[email]"))
        let cassettes = try Cassette.load(directory: directory)
        let stream = try #require(cassettes.first { $0.requestStreams })
        #expect(stream.apiPath == "/v1/messages")
        #expect((stream.response?.chunks.count ?? 0) >= 1 && stream.response?.outcome == "complete")
        #expect(stream.request.headers.contains { ($0.first == "x-api-key" || $0.first == "authorization") && $0.last == "[REDACTED]" })

        // Replay: a relay whose account has another secret gets the recorded answers back.
        try await RelayHarness.with { harness in
            harness.fakes.state.cassettes.load(cassettes.filter { $0.accountKind == "claude-console" }, speed: 0)
            let admin = try await RelayClient.login(harness)
            _ = try await admin.call("POST", "/admin/claude-console-accounts", ["name": "R", "apiUrl": harness.fakes.baseURL + "/replay", "apiKey": "sk-other-credential-000000000000"])
            let key = try #require(admin.data(try await admin.call("POST", "/admin/api-keys", ["name": "replay"]))["key"] as? String)
            let client = RelayClient(baseURL: harness.relay.baseURL)
            let headers = ["x-api-key": key, "anthropic-version": "2023-06-01"]
            let body: [String: Any] = ["model": "claude-3-5-haiku-20241022", "max_tokens": 20, "messages": [["role": "user", "content": "hi"]]]
            let plain = try await client.call("POST", "/api/v1/messages", body, headers: headers)
            let streamed = try await client.call("POST", "/api/v1/messages", body.merging(["stream": true]) { _, new in new }, headers: headers)
            #expect(plain.body == recordedBodies[0])
            #expect(streamed.body == recordedBodies[1])
            #expect(harness.fakes.state.requests.map(\.outcome) == ["replayed", "replayed"])
            #expect(harness.fakes.state.cassettes.remaining == 0)
        }
    }
}
