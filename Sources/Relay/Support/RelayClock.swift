import Foundation
import NIOConcurrencyHelpers

/// The relay's notion of "now". Production uses the system clock; scenarios can shift it (a simulated next day)
/// without touching the machine's clock.
public final class RelayClock: Sendable {
    private let offset = NIOLockedValueBox<TimeInterval>(0)

    public init() {}

    public var now: Date { Date().addingTimeInterval(offset.withLockedValue { $0 }) }

    public var nowMilliseconds: Int64 { Int64((now.timeIntervalSince1970 * 1000).rounded()) }

    /// Moves "now" forward (or back) by `seconds`, for scenarios that need time to pass.
    public func advance(by seconds: TimeInterval) {
        offset.withLockedValue { $0 += seconds }
    }

    public var currentOffset: TimeInterval { offset.withLockedValue { $0 } }
}

/// Timestamps as Node writes them (`new Date().toISOString()`): UTC with milliseconds.
public enum ISOTime {
    public static func string(_ date: Date) -> String {
        let totalMillis = Int64((date.timeIntervalSince1970 * 1000).rounded())
        var seconds = time_t(totalMillis >= 0 ? totalMillis / 1000 : (totalMillis - 999) / 1000)
        let millis = Int(totalMillis - Int64(seconds) * 1000)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let pad = DecimalText.padded
        return pad(Int(parts.tm_year) + 1900, 4) + "-" + pad(Int(parts.tm_mon) + 1, 2) + "-" + pad(Int(parts.tm_mday), 2) + "T"
            + pad(Int(parts.tm_hour), 2) + ":" + pad(Int(parts.tm_min), 2) + ":" + pad(Int(parts.tm_sec), 2) + "." + pad(max(0, millis), 3) + "Z"
    }

    /// Parses ISO-8601 (with or without fractional seconds, `Z` or an offset) and epoch milliseconds.
    /// The common `YYYY-MM-DDTHH:MM:SS[.fff](Z|±HH:MM)` forms are parsed by hand (no formatter per call: this
    /// runs on the request path); anything else falls back to Foundation.
    public static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return nil }
        if trimmed.allSatisfy({ $0.isNumber || $0 == "." }), let millis = Double(trimmed) {
            return Date(timeIntervalSince1970: millis > 1e11 ? millis / 1000 : millis)
        }
        if let fast = fastParse(Array(trimmed.utf8)) { return fast }
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = formatter.date(from: trimmed) { return date }
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.date(from: trimmed)
    }

    private static func fastParse(_ b: [UInt8]) -> Date? {
        func digits(_ start: Int, _ count: Int) -> Int? {
            guard start + count <= b.count else { return nil }
            var value = 0
            for index in start..<(start + count) {
                let c = b[index]
                guard c >= 48, c <= 57 else { return nil }
                value = value * 10 + Int(c - 48)
            }
            return value
        }
        guard b.count >= 20, b[4] == 45, b[7] == 45, b[10] == 84 || b[10] == 32, b[13] == 58, b[16] == 58,
              let year = digits(0, 4), let month = digits(5, 2), let day = digits(8, 2),
              let hour = digits(11, 2), let minute = digits(14, 2), let second = digits(17, 2),
              (1...12).contains(month), (1...31).contains(day), hour < 24, minute < 60, second < 61 else { return nil }
        var index = 19
        var fraction = 0.0
        if index < b.count, b[index] == 46 {
            index += 1
            var scale = 0.1
            while index < b.count, b[index] >= 48, b[index] <= 57 {
                fraction += Double(b[index] - 48) * scale
                scale /= 10
                index += 1
            }
        }
        guard index < b.count else { return nil }
        var offset = 0
        if b[index] == 90 || b[index] == 122 {
            index += 1
        } else if b[index] == 43 || b[index] == 45, let oh = digits(index + 1, 2) {
            let sign = b[index] == 43 ? 1 : -1
            var om = 0
            if index + 3 < b.count, b[index + 3] == 58, let m = digits(index + 4, 2) { om = m; index += 6 }
            else if let m = digits(index + 3, 2) { om = m; index += 5 }
            else { index += 3 }
            offset = sign * (oh * 3600 + om * 60)
        } else {
            return nil
        }
        guard index == b.count else { return nil }
        var parts = tm()
        parts.tm_year = Int32(year - 1900)
        parts.tm_mon = Int32(month - 1)
        parts.tm_mday = Int32(day)
        parts.tm_hour = Int32(hour)
        parts.tm_min = Int32(minute)
        parts.tm_sec = Int32(second)
        let seconds = timegm(&parts)
        return Date(timeIntervalSince1970: Double(seconds - offset) + fraction)
    }
}
