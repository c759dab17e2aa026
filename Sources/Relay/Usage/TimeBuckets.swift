import Foundation

/// The date parts of Node's usage keys, in the configured timezone offset (`TIMEZONE_OFFSET`, default +8):
/// `YYYY-MM-DD`, `YYYY-MM`, `YYYY-MM-DD:HH`, ISO week `YYYY-Www`, and the Unix minute.
public struct TimeBuckets: Sendable, Equatable {
    public let date: String
    public let month: String
    public let hour: String
    public let week: String
    public let unixMinute: Int64

    public init(_ instant: Date, offsetHours: Int) {
        var seconds = time_t(instant.timeIntervalSince1970.rounded(.down)) + time_t(offsetHours * 3600)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let year = Int(parts.tm_year) + 1900, month = Int(parts.tm_mon) + 1, day = Int(parts.tm_mday)
        self.month = DecimalText.padded(year, 4) + "-" + DecimalText.padded(month, 2)
        date = self.month + "-" + DecimalText.padded(day, 2)
        hour = date + ":" + DecimalText.padded(Int(parts.tm_hour), 2)
        // ISO week: the week with the year's first Thursday is week 1; weeks start on Monday.
        let weekday = (Int(parts.tm_wday) + 6) % 7  // Monday = 0
        let thursday = seconds - time_t(weekday * 86400) + time_t(3 * 86400)
        var thursdayParts = tm()
        var thursdaySeconds = thursday
        gmtime_r(&thursdaySeconds, &thursdayParts)
        week = DecimalText.padded(Int(thursdayParts.tm_year) + 1900, 4) + "-W" + DecimalText.padded(Int(thursdayParts.tm_yday) / 7 + 1, 2)
        unixMinute = Int64(instant.timeIntervalSince1970 / 60)
    }
}
