import Foundation
@testable import Relay
import Testing

/// The daily quota's window: from one reset moment (HH:mm in the relay's timezone) to the next.
@Suite("Account daily quota windows")
struct AccountQuotaTests {
    static func date(_ text: String) -> Date { ISOTime.parse(text)! }

    @Test func theWindowEndsAtTheNextResetInTheRelaysTimezone() {
        let quota = AccountQuota(limit: 5, resetTime: "08:30")
        // UTC+8: 2026-12-03T00:00Z is 08:00 local, before the reset → ends at 08:30 local the same day.
        #expect(quota.windowEnd(at: Self.date("2026-12-03T00:00:00Z"), offsetHours: 8) == Self.date("2026-12-03T00:30:00Z"))
        // At the reset moment itself a new window starts.
        #expect(quota.windowEnd(at: Self.date("2026-12-03T00:30:00Z"), offsetHours: 8) == Self.date("2026-12-04T00:30:00Z"))
        // 23:00 local on the 3rd (15:00Z) → 08:30 local on the 4th.
        #expect(quota.windowEnd(at: Self.date("2026-12-03T15:00:00Z"), offsetHours: 8) == Self.date("2026-12-04T00:30:00Z"))
        // A negative offset: UTC−5, midnight reset; 03:00Z on the 3rd is 22:00 local on the 2nd.
        let midnight = AccountQuota(limit: 1, resetTime: "00:00")
        #expect(midnight.windowEnd(at: Self.date("2026-12-03T03:00:00Z"), offsetHours: -5) == Self.date("2026-12-03T05:00:00Z"))
    }

    @Test func onlyAPositiveQuotaCounts() {
        #expect(AccountQuota.of(AccountRecord(kind: .claudeConsole, fields: ["id": "a", "dailyQuota": "0"])) == nil)
        #expect(AccountQuota.of(AccountRecord(kind: .claudeConsole, fields: ["id": "a"])) == nil)
        #expect(AccountQuota.of(AccountRecord(kind: .claudeConsole, fields: ["id": "a", "dailyQuota": "2.5"])) == AccountQuota(limit: 2.5, resetTime: "00:00"))
    }

    @Test func aStopEndsWithItsWindow() {
        let account = AccountRecord(kind: .claudeConsole, fields: ["id": "a", "dailyQuota": "1", "quotaStoppedAt": "2026-12-03T01:00:00Z",
                                                                    "quotaResetAt": "2026-12-04T00:00:00Z", "dailyUsage": "1.2",
                                                                    "quotaWindowEndAt": "2026-12-04T00:00:00Z"])
        #expect(AccountHealth.availability(of: account, at: Self.date("2026-12-03T12:00:00Z")) == .unavailable("daily quota exceeded"))
        #expect(AccountHealth.availability(of: account, at: Self.date("2026-12-04T00:00:01Z")) == .available)
        #expect(AccountQuota.spent(account, at: Self.date("2026-12-03T12:00:00Z")) == 1.2)
        #expect(AccountQuota.spent(account, at: Self.date("2026-12-04T00:00:01Z")) == 0)
    }
}
