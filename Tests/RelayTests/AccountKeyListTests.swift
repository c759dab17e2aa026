@testable import Relay
import Testing

/// Which of a key-list account's keys a conversation uses: the same one every time (on every instance), and only the
/// sessions of a key that is set aside move to another.
@Suite("Key-list accounts: the session's key")
struct AccountKeyListTests {
    static let keys = (1...4).map { AccountKeyList.Entry(id: "key-\($0)", key: "fk-\($0)", status: "active") }

    @Test func aSessionKeepsItsKeyAndOnlyTheSetAsideKeysSessionsMove() throws {
        let sessions = (0..<400).map { "session-\($0)" }
        let before = Dictionary(uniqueKeysWithValues: sessions.map { ($0, AccountKeyList.pick(Self.keys, session: $0)!.id) })
        // Stable: asked again (another instance, a later request), the same key.
        #expect(sessions.allSatisfy { AccountKeyList.pick(Self.keys, session: $0)!.id == before[$0] })
        // Spread over every key.
        #expect(Set(before.values).count == 4)
        // key-2 set aside: its sessions move, nobody else's does.
        let remaining = Self.keys.filter { $0.id != "key-2" }
        for session in sessions {
            let after = AccountKeyList.pick(remaining, session: session)!.id
            if before[session] == "key-2" { #expect(after != "key-2") } else { #expect(after == before[session], "\(session) moved") }
        }
        #expect(AccountKeyList.pick([], session: "s") == nil)
    }

    @Test func settingAsideMarksOnlyThatEntryAsNodeDoes() throws {
        let text = #"[{"id":"a","encryptedKey":"sealed-1","status":"active"},{"id":"b","encryptedKey":"sealed-2","status":"active"}]"#
        let decrypt: (String) throws -> String = { $0 == "sealed-1" ? "fk-one" : "fk-two" }
        let entries = try #require(AccountKeyList.settingAside(text, key: "fk-two", reason: "401", decrypt: decrypt))
        #expect(entries.map { $0["status"] as? String } == ["active", "error"])
        #expect(entries[1]["errorMessage"] as? String == "401")
        #expect(AccountKeyList.settingAside(text, key: "fk-unknown", reason: "401", decrypt: decrypt) == nil)
    }
}
