import Foundation
import Relay
import Testing

@Suite("Time parsing and usage buckets")
struct TimeTests {
    @Test(arguments: [
        ("2026-11-27T02:26:24.123Z", 1_795_746_384.123),
        ("2026-11-27T02:26:24Z", 1_795_746_384.0),
        ("2026-11-27T10:26:24+08:00", 1_795_746_384.0),
        ("2026-11-26T21:26:24.5-05:00", 1_795_746_384.5),
        ("1795746384123", 1_795_746_384.123),
    ])
    func parsesNodeAndISOForms(text: String, epoch: Double) throws {
        let date = try #require(ISOTime.parse(text))
        #expect(abs(date.timeIntervalSince1970 - epoch) < 0.0005)
    }

    @Test func rejectsGarbage() {
        #expect(ISOTime.parse("2026-13-01T00:00:00Z") == nil)
        #expect(ISOTime.parse("yesterday") == nil)
        #expect(ISOTime.parse("") == nil)
    }

    @Test func roundTripsNodeFormat() throws {
        let date = Date(timeIntervalSince1970: 1_795_746_384.123)
        #expect(ISOTime.string(date) == "2026-11-27T02:26:24.123Z")
        #expect(ISOTime.parse(ISOTime.string(date)).map { abs($0.timeIntervalSince(date)) < 0.001 } == true)
    }

    @Test func costLimitsResetAtLocalMidnightAndLocalMonday() {
        // 2026-11-27T20:00Z is Saturday 04:00 at +8: the day ends at Sunday 00:00+08, the week at Monday 00:00+08.
        let resets = ResetTimes(Date(timeIntervalSince1970: 1_795_809_600), offsetHours: 8)
        #expect(ISOTime.string(resets.nextDay) == "2026-11-28T16:00:00.000Z")
        #expect(ISOTime.string(resets.nextWeek) == "2026-11-29T16:00:00.000Z")
        // At UTC, the same instant is still Friday.
        let utc = ResetTimes(Date(timeIntervalSince1970: 1_795_809_600), offsetHours: 0)
        #expect(ISOTime.string(utc.nextDay) == "2026-11-28T00:00:00.000Z")
        #expect(ISOTime.string(utc.nextWeek) == "2026-11-30T00:00:00.000Z")
        // On a Monday, the week ends on the next Monday, not today.
        let monday = ResetTimes(Date(timeIntervalSince1970: 1_796_000_400), offsetHours: 0)  // 2026-11-30T01:00Z
        #expect(ISOTime.string(monday.nextWeek) == "2026-12-07T00:00:00.000Z")
    }

    @Test func bucketsFollowTheTimezoneOffsetAndISOWeeks() {
        // 2026-11-27T20:00Z is already the 28th at +8.
        let instant = Date(timeIntervalSince1970: 1_795_809_600)
        let utc8 = TimeBuckets(instant, offsetHours: 8)
        #expect(utc8.date == "2026-11-28" && utc8.hour == "2026-11-28:04" && utc8.month == "2026-11")
        #expect(TimeBuckets(instant, offsetHours: 0).date == "2026-11-27")
        #expect(utc8.week == "2026-W48")
        // ISO week edge cases: 2027-01-01 is a Friday → week 53 of 2026; 2024-12-30 (Monday) → 2025-W01.
        #expect(TimeBuckets(Date(timeIntervalSince1970: 1_798_761_600), offsetHours: 0).week == "2026-W53")
        #expect(TimeBuckets(Date(timeIntervalSince1970: 1_735_516_800), offsetHours: 0).week == "2025-W01")
    }
}
