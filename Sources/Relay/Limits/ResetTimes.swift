import Foundation

/// When the date-keyed cost accumulators roll over, in the configured timezone offset: the daily counter at the
/// next local midnight, the weekly (ISO week) counter at the next local Monday 00:00.
public struct ResetTimes: Sendable, Equatable {
    public let nextDay: Date
    public let nextWeek: Date

    public init(_ instant: Date, offsetHours: Int) {
        let offset = Double(offsetHours * 3600)
        let local = instant.timeIntervalSince1970 + offset
        let dayStart = (local / 86400).rounded(.down) * 86400
        nextDay = Date(timeIntervalSince1970: dayStart + 86400 - offset)
        // 1970-01-01 was a Thursday: days since the epoch + 3, mod 7, is the weekday with Monday = 0.
        let weekday = (Int(dayStart / 86400) + 3) % 7
        let mondayStart = dayStart - Double((weekday + 7) % 7) * 86400
        nextWeek = Date(timeIntervalSince1970: mondayStart + 7 * 86400 - offset)
    }
}
