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
        var calendar = Calendar(identifier: .iso8601)
        calendar.timeZone = TimeZone(secondsFromGMT: offsetHours * 3600)!
        let parts = calendar.dateComponents([.year, .month, .day, .hour, .yearForWeekOfYear, .weekOfYear], from: instant)
        let year = parts.year!, month = parts.month!, day = parts.day!, hour = parts.hour!
        date = String(format: "%04d-%02d-%02d", year, month, day)
        self.month = String(format: "%04d-%02d", year, month)
        self.hour = String(format: "%@:%02d", date, hour)
        week = String(format: "%04d-W%02d", parts.yearForWeekOfYear!, parts.weekOfYear!)
        unixMinute = Int64(instant.timeIntervalSince1970 / 60)
    }
}
