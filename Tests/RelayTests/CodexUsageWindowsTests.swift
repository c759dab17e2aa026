import Foundation
import NIOHTTP1
@testable import Relay
import Testing

/// Codex usage windows: read from the reply's headers, written only when something a person would see changed.
@Suite("Codex usage windows")
struct CodexUsageWindowsTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let headers = HTTPHeaders([("x-codex-primary-used-percent", "12"), ("x-codex-primary-reset-after-seconds", "9000"),
                                      ("x-codex-primary-window-minutes", "300"), ("x-codex-secondary-used-percent", "40.5")])

    @Test func firstReplyWritesTheWindowsThenOnlyChangesDo() {
        let fresh = AccountRecord(kind: .openAI, fields: ["id": "a"])
        let first = CodexUsageWindows.changes(for: fresh, headers: Self.headers, at: Self.now)
        #expect(first["codexPrimaryUsedPercent"] == "12" && first["codexSecondaryUsedPercent"] == "40.5" && first["codexPrimaryWindowMinutes"] == "300")
        #expect(first["codexUsageUpdatedAt"] == ISOTime.string(Self.now))
        let stored = AccountRecord(kind: .openAI, fields: first.merging(["id": "a"]) { $1 })
        // Ten seconds on, the countdown is ten seconds shorter: the same reset, nothing to write.
        let later = HTTPHeaders(Self.headers.map { ($0.name, $0.name == "x-codex-primary-reset-after-seconds" ? "8990" : $0.value) })
        #expect(CodexUsageWindows.changes(for: stored, headers: later, at: Self.now.addingTimeInterval(10)).isEmpty)
        // A percentage moved: written.
        let used = HTTPHeaders(Self.headers.map { ($0.name, $0.name == "x-codex-primary-used-percent" ? "13" : $0.value) })
        #expect(CodexUsageWindows.changes(for: stored, headers: used, at: Self.now.addingTimeInterval(10))["codexPrimaryUsedPercent"] == "13")
        // The window was reset (a new countdown): written.
        let reset = HTTPHeaders(Self.headers.map { ($0.name, $0.name == "x-codex-primary-reset-after-seconds" ? "18000" : $0.value) })
        #expect(!CodexUsageWindows.changes(for: stored, headers: reset, at: Self.now.addingTimeInterval(10)).isEmpty)
        // Five minutes on, the snapshot is refreshed even unchanged.
        let stale = HTTPHeaders(Self.headers.map { ($0.name, $0.name == "x-codex-primary-reset-after-seconds" ? "8600" : $0.value) })
        #expect(!CodexUsageWindows.changes(for: stored, headers: stale, at: Self.now.addingTimeInterval(400)).isEmpty)
        // No headers (an API-key account, an old backend): nothing.
        #expect(CodexUsageWindows.changes(for: stored, headers: HTTPHeaders(), at: Self.now).isEmpty)
    }

    @Test func snapshotShowsResetTimesAndRemainingSeconds() {
        let account = AccountRecord(kind: .openAI, fields: ["id": "a", "codexUsageUpdatedAt": ISOTime.string(Self.now),
                                                            "codexPrimaryUsedPercent": "12", "codexPrimaryResetAfterSeconds": "9000"])
        let usage = CodexUsageWindows.snapshot(account, now: Self.now.addingTimeInterval(1000))["codexUsage"] as? [String: Any]
        let primary = usage?["primary"] as? [String: Any]
        #expect(primary?["usedPercent"] as? Double == 12 && primary?["remainingSeconds"] as? Int == 8000)
        #expect(primary?["resetAt"] as? String == ISOTime.string(Self.now.addingTimeInterval(9000)))
        #expect((usage?["secondary"] as? [String: Any])?["usedPercent"] is NSNull)
        #expect(CodexUsageWindows.snapshot(AccountRecord(kind: .openAI, fields: ["id": "b"]), now: Self.now).isEmpty)
    }
}
