import FakeUpstreams
import Foundation
@testable import Relay
import Scenario
import Testing

/// A multi-key Droid account whose conversation lands on a key Factory refuses: that key is set aside (Node's per-key
/// error mark, the account stays in service) and the same request is answered with another key of the account.
@Suite("Droid key lists")
struct DroidKeyListTests {
    @Test func aRefusedKeyIsSetAsideAndTheRequestGoesOnWithAnother() async throws {
        try await RelayHarness.with { harness in
            harness.fakes.state.addCredentials(FakeCredentials(apiKeys: ["fk-good-1", "fk-good-2"]))
            let admin = try await RelayClient.login(harness)
            let created = try await admin.call("POST", "/admin/droid-accounts", ["name": "multi", "apiKeys": ["fk-revoked", "fk-good-1", "fk-good-2"]])
            let id = try #require(admin.data(created)["id"] as? String)
            let entries = try #require(admin.data(created)["apiKeys"] as? [[String: Any]])
            let ids = entries.compactMap { $0["id"] as? String }
            let revoked = ids[0]  // the entries keep the order the keys were given in
            // A conversation whose key is the revoked one (the pick is a pure function of session and key ids).
            let usable = ids.map { AccountKeyList.Entry(id: $0, key: $0, status: "active") }
            let content = try #require((0..<200).map { "hello \($0)" }.first { text in
                AccountKeyList.pick(usable, session: SessionHash.of(["messages": [["role": "user", "content": text]]]))?.id == revoked
            })
            let key = try #require(admin.data(try await admin.call("POST", "/admin/api-keys", ["name": "droid", "permissions": "droid"]))["key"] as? String)

            let reply = try await RelayClient(baseURL: harness.relay.baseURL).call("POST", "/droid/claude/v1/messages",
                ["model": "claude-sonnet-4-5-20250929", "max_tokens": 16, "messages": [["role": "user", "content": content]]],
                headers: ["x-api-key": key, "anthropic-version": "2023-06-01"])
            #expect(reply.status == 200, "\(reply.body)")
            let sent = harness.fakes.state.requests.map { $0.header("authorization") ?? "" }
            #expect(sent.count == 2 && sent[0] == "Bearer fk-revoked" && sent[1].hasPrefix("Bearer fk-good-"), "\(sent)")

            let account = admin.data(try await admin.call("GET", "/admin/droid-accounts/\(id)"))
            let after = try #require(account["apiKeys"] as? [[String: Any]])
            #expect(after.map { $0["status"] as? String } == ["error", "active", "active"])
            #expect(after[0]["errorMessage"] as? String == "401")
            #expect(account["status"] as? String == "active")
            // The conversation now stays on the good key it moved to.
            let again = try await RelayClient(baseURL: harness.relay.baseURL).call("POST", "/droid/claude/v1/messages",
                ["model": "claude-sonnet-4-5-20250929", "max_tokens": 16, "messages": [["role": "user", "content": content]]],
                headers: ["x-api-key": key, "anthropic-version": "2023-06-01"])
            #expect(again.status == 200)
            #expect(harness.fakes.state.requests.last?.header("authorization") == sent[1])
        }
    }
}
