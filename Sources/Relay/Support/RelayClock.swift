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
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let millis = Int((date.timeIntervalSince1970 - Double(seconds)) * 1000) % 1000
        return String(format: "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", parts.tm_year + 1900, parts.tm_mon + 1, parts.tm_mday,
                      parts.tm_hour, parts.tm_min, parts.tm_sec, max(0, millis))
    }

    /// Parses ISO-8601 (with or without fractional seconds, `Z` or an offset) and epoch milliseconds.
    public static func parse(_ text: String) -> Date? {
        let trimmed = text.trimmingCharacters(in: .whitespaces)
        if trimmed.isEmpty { return nil }
        if let millis = Double(trimmed), trimmed.allSatisfy({ $0.isNumber || $0 == "." }) {
            return Date(timeIntervalSince1970: millis > 1e11 ? millis / 1000 : millis)
        }
        let withFraction = ISO8601DateFormatter()
        withFraction.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let date = withFraction.date(from: trimmed) { return date }
        let plain = ISO8601DateFormatter()
        plain.formatOptions = [.withInternetDateTime]
        return plain.date(from: trimmed)
    }
}
