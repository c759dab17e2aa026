import Foundation

/// Why admission refused a request, with the numbers a user needs, and how each refusal is answered.
///
/// Status per limit (documented in docs/limits.md):
/// - 401 `authentication_error`: unknown, deleted, disabled or expired key — a retry cannot succeed.
/// - 403 `permission_error`: platform not permitted, model blacklisted, client not allowed.
/// - 402 `billing_error`: daily, total or weekly-Opus cost limit. 402 (as Node's current version) because
///   clients auto-retry 429s, and these only lift at a reset (`resetAt`) or when an admin raises the limit.
/// - 429 `rate_limit_error` + `Retry-After`: the rate window (seconds until it ends) and the concurrency cap
///   (1 s: a slot frees when any running request of the key ends).
public enum LimitRefusal: Error, Equatable, Sendable {
    case invalidKey
    case disabledKey
    case expiredKey(expiresAt: String)
    case platformNotPermitted(platform: String)
    case modelNotAllowed(model: String)
    case clientNotAllowed(allowedClients: [String])
    case dailyCost(current: Double, limit: Double, resetAt: Date)
    case totalCost(current: Double, limit: Double)
    case weeklyOpusCost(current: Double, limit: Double, resetAt: Date)
    case windowRequests(current: Int, limit: Int, resetAt: Date)
    case windowTokens(current: Int, limit: Int, resetAt: Date)
    case windowCost(current: Double, limit: Double, resetAt: Date)
    case concurrency(current: Int, limit: Int)

    /// Reads the script's `{"refuse", code, …}` reply; nil when it is not a refusal this relay knows (a script
    /// from another version, say), which must not be passed off to the client as a bad key.
    static func parse(_ items: [String], model: String, platform: String, now: Date, resets: ResetTimes) -> LimitRefusal? {
        guard items.first == "refuse", items.count > 1 else { return nil }
        func double(_ index: Int) -> Double { index < items.count ? Double(items[index]) ?? 0 : 0 }
        func int(_ index: Int) -> Int { Int(double(index)) }
        func date(_ index: Int) -> Date { now.addingTimeInterval(double(index) / 1000) }  // milliseconds from now
        switch items[1] {
        case "invalid": return .invalidKey
        case "disabled": return .disabledKey
        case "expired": return .expiredKey(expiresAt: items.count > 2 ? items[2] : "")
        case "permission": return .platformNotPermitted(platform: platform)
        case "model": return .modelNotAllowed(model: model)
        case "client": return .clientNotAllowed(allowedClients: JSON.stringArray(items.count > 2 ? items[2] : nil))
        case "daily_cost": return .dailyCost(current: double(2), limit: double(3), resetAt: resets.nextDay)
        case "total_cost": return .totalCost(current: double(2), limit: double(3))
        case "opus_cost": return .weeklyOpusCost(current: double(2), limit: double(3), resetAt: resets.nextWeek)
        case "window_requests": return .windowRequests(current: int(2), limit: int(3), resetAt: date(4))
        case "window_tokens": return .windowTokens(current: int(2), limit: int(3), resetAt: date(4))
        case "window_cost": return .windowCost(current: double(2), limit: double(3), resetAt: date(4))
        case "concurrency": return .concurrency(current: int(2), limit: int(3))
        default: return nil
        }
    }

    /// The refusal in the Anthropic error shape, with its numbers beside `error`.
    func relayError(now: Date, userAgent: String) -> RelayError {
        switch self {
        case .invalidKey:
            return .unauthorized("Invalid API key")
        case .disabledKey:
            return .unauthorized("API key is disabled")
        case .expiredKey(let expiresAt):
            var error = RelayError.unauthorized("API key has expired")
            error.details["expiresAt"] = .string(expiresAt)
            return error
        case .platformNotPermitted(let platform):
            return .forbidden("This API key is not permitted to use \(platform == "claude" ? "Claude" : platform)")
        case .modelNotAllowed(let model):
            return .forbidden("This API key may not use model \(model)")
        case .clientNotAllowed(let allowed):
            var error = RelayError.forbidden("Client not allowed: your client is not authorized to use this API key")
            error.details["allowedClients"] = .strings(allowed)
            error.details["userAgent"] = .string(userAgent)
            return error
        case .dailyCost(let current, let limit, let resetAt):
            return costError("daily_cost_limit_exceeded", "Daily cost limit of $\(Self.money(limit)) reached", current, limit, resetAt)
        case .totalCost(let current, let limit):
            return costError("total_cost_limit_exceeded", "Total cost limit of $\(Self.money(limit)) reached", current, limit, nil)
        case .weeklyOpusCost(let current, let limit, let resetAt):
            return costError("weekly_opus_cost_limit_exceeded", "Weekly Opus cost limit of $\(Self.money(limit)) reached", current, limit, resetAt)
        case .windowRequests(let current, let limit, let resetAt):
            var error = windowError("Rate limit exceeded: \(limit) requests per window", resetAt: resetAt, now: now)
            error.details["currentRequests"] = .integer(current)
            error.details["requestLimit"] = .integer(limit)
            return error
        case .windowTokens(let current, let limit, let resetAt):
            var error = windowError("Rate limit exceeded: \(limit) tokens per window", resetAt: resetAt, now: now)
            error.details["currentTokens"] = .integer(current)
            error.details["tokenLimit"] = .integer(limit)
            return error
        case .windowCost(let current, let limit, let resetAt):
            var error = windowError("Rate limit exceeded: $\(Self.money(limit)) per window", resetAt: resetAt, now: now)
            error.details["currentCost"] = .number(current)
            error.details["costLimit"] = .number(limit)
            return error
        case .concurrency(let current, let limit):
            var error = RelayError(429, "rate_limit_error", "Concurrency limit exceeded: at most \(limit) concurrent requests for this API key")
            error.details["code"] = .string("concurrency_limit_exceeded")
            error.details["currentConcurrency"] = .integer(current)
            error.details["concurrencyLimit"] = .integer(limit)
            error.headers["retry-after"] = "1"
            return error
        }
    }

    private func costError(_ code: String, _ message: String, _ current: Double, _ limit: Double, _ resetAt: Date?) -> RelayError {
        var error = RelayError(402, "billing_error", message + (resetAt.map { "; it resets at \(ISOTime.string($0))" } ?? ""))
        error.details["code"] = .string(code)
        error.details["currentCost"] = .number(current)
        error.details["costLimit"] = .number(limit)
        if let resetAt { error.details["resetAt"] = .string(ISOTime.string(resetAt)) }
        return error
    }

    private func windowError(_ message: String, resetAt: Date, now: Date) -> RelayError {
        let seconds = max(1, Int(resetAt.timeIntervalSince(now).rounded(.up)))
        var error = RelayError(429, "rate_limit_error", message + "; the window resets in \(seconds) s")
        error.details["code"] = .string("rate_limit_exceeded")
        error.details["resetAt"] = .string(ISOTime.string(resetAt))
        error.details["remainingMinutes"] = .integer((seconds + 59) / 60)
        error.headers["retry-after"] = String(seconds)
        return error
    }

    static func money(_ value: Double) -> String {
        value >= 1 ? String(format: "%.2f", value) : String(format: "%.4f", value)
    }
}
