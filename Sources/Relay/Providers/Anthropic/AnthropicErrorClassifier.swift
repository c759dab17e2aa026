import Foundation
import NIOHTTP1

/// Decides what an upstream failure says about the account that produced it, and whether another account may be
/// tried: from the status, the error `type`, the provider's headers and whole upstream-written messages — never a
/// phrase found somewhere in a body that may echo client input (docs/reliability.md, "hostile clients").
/// Time-bound marks carry their end, so accounts recover by themselves; unauthorized and blocked accounts wait for
/// an admin (or a successful token refresh).
public enum AnthropicErrorClassifier {
    public struct Settings: Sendable {
        public var overloadMinutes: Int = 10
        public var defaultRateLimitMinutes: Int = 60
        public var forbiddenMinutes: Int = 30
        public init() {}
    }

    public static func classify(status: Int, headers: HTTPHeaders, body: String, account: AccountRecord, now: Date, settings: Settings = Settings()) -> UpstreamVerdict {
        let error = UpstreamError(body)
        switch status {
        case 401:
            return UpstreamVerdict(mark: .unauthorized("upstream 401: \(snippet(body))"), failover: true)
        case 403:
            if error.saysAccountDisabled { return UpstreamVerdict(mark: .blocked("upstream 403: \(snippet(body))"), failover: true) }
            return UpstreamVerdict(mark: .temporaryError(until: now.addingTimeInterval(Double(settings.forbiddenMinutes * 60)), "upstream 403: \(snippet(body))"), failover: true)
        case 400 where error.saysAccountDisabled:
            return UpstreamVerdict(mark: .blocked("upstream 400: \(snippet(body))"), failover: true)
        case 429:
            if error.saysExtraUsageRequired { return UpstreamVerdict(mark: nil, failover: false) }
            guard let until = rateLimitEnd(headers: headers, account: account, now: now, settings: settings) else {
                return UpstreamVerdict(mark: nil, failover: true)
            }
            return UpstreamVerdict(mark: .rateLimited(until: until), failover: true)
        case 529:
            return UpstreamVerdict(mark: .overloaded(until: now.addingTimeInterval(Double(settings.overloadMinutes * 60))), failover: true)
        case 500...599:
            return UpstreamVerdict(mark: nil, failover: true, countsAsServerError: true)
        default:
            if error.saysRateLimited, let until = rateLimitEnd(headers: headers, account: account, now: now, settings: settings) {
                return UpstreamVerdict(mark: .rateLimited(until: until), failover: true)
            }
            return UpstreamVerdict(mark: nil, failover: false)
        }
    }

    /// What an upstream error body says about the account, from the parts the upstream writes: the error `type`
    /// and the message *as a whole* matched against the API's own wordings. Error messages echo client input
    /// ("model: <whatever the client sent>"), so a phrase merely contained in a message proves nothing — a client
    /// must not be able to mark a shared account blocked or rate-limited by naming its model after an error.
    struct UpstreamError {
        let type: String
        /// Lower-cased, trimmed, without trailing full stops.
        let message: String

        init(_ body: String) {
            let object = body.utf8.count <= 64 * 1024 ? JSON.object(Data(body.utf8)) : nil
            let error = object?["error"] as? [String: Any]
            type = (error?["type"] as? String) ?? ""
            var text = ((error?["message"] as? String) ?? "").lowercased().trimmingCharacters(in: .whitespacesAndNewlines)
            while text.hasSuffix(".") { text.removeLast() }
            message = text
        }

        static let disabledWordings: Set<String> = [
            "this organization has been disabled", "your organization has been disabled", "organization has been disabled",
            "this account has been disabled", "your account has been disabled", "account has been disabled", "account is disabled",
            "oauth authentication is currently not allowed for this organization", "oauth authentication is currently not allowed",
        ]

        var saysAccountDisabled: Bool {
            ["permission_error", "invalid_request_error", "authentication_error", "forbidden"].contains(type) && Self.disabledWordings.contains(message)
        }

        /// "This request would exceed your account's rate limit. Please try again later." (any status, as Node reads it).
        var saysRateLimited: Bool {
            type == "rate_limit_error" && message.hasPrefix("this request would exceed your account's rate limit")
        }

        /// A 429 for a long-context request on an account without extra usage: not a rate limit, and no other
        /// account would answer differently. (Not marking is the safe side, so a contained phrase is enough here.)
        var saysExtraUsageRequired: Bool { message.contains("extra usage") }
    }

    /// `anthropic-ratelimit-unified-reset` (Unix seconds) → `retry-after` (seconds or HTTP date) → the account's
    /// own duration (Console `rateLimitDuration`, 0 = do not mark) → the default.
    static func rateLimitEnd(headers: HTTPHeaders, account: AccountRecord, now: Date, settings: Settings) -> Date? {
        if let reset = headers.first(name: "anthropic-ratelimit-unified-reset").flatMap(Double.init), reset > now.timeIntervalSince1970 {
            return Date(timeIntervalSince1970: reset)
        }
        if let retry = headers.first(name: "retry-after") {
            if let seconds = Double(retry), seconds > 0 { return now.addingTimeInterval(seconds) }
            if let date = httpDate(retry), date > now { return date }
        }
        if account.kind == .claudeConsole {
            let minutes = Int(account.fields["rateLimitDuration"] ?? "") ?? 60
            return minutes > 0 ? now.addingTimeInterval(Double(minutes * 60)) : nil
        }
        return now.addingTimeInterval(Double(settings.defaultRateLimitMinutes * 60))
    }

    /// An HTTP date (`Sun, 06 Nov 1994 08:49:37 GMT`, RFC 9110's IMF-fixdate), read by hand: a DateFormatter per
    /// call was slow and, under the fuzzer's leak checker, leaked Foundation's character-set cache.
    static func httpDate(_ text: String) -> Date? {
        let months = ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[5] == "GMT" || parts[5] == "UTC", let day = Int(parts[1]), (1...31).contains(day),
              let month = months.firstIndex(of: parts[2].lowercased()), let year = Int(parts[3]), (1970...9999).contains(year) else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (0...23).contains(clock[0]), (0...59).contains(clock[1]), (0...60).contains(clock[2]) else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm), then seconds.
        let y = month < 2 ? year - 1 : year
        let era = y / 400
        let yearOfEra = y - era * 400
        let m = month + 1
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return Date(timeIntervalSince1970: TimeInterval(days * 86_400 + clock[0] * 3600 + clock[1] * 60 + clock[2]))
    }

    static func snippet(_ body: String) -> String {
        if let object = JSON.object(Data(body.utf8)), let error = object["error"] as? [String: Any], let message = error["message"] as? String {
            return String(message.prefix(300))
        }
        return String(body.prefix(300))
    }
}
