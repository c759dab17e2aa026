import Foundation

/// Reads an account's health from its stored fields, and builds the field changes that mark it after an
/// upstream failure. Every temporary mark carries its end time, so an account recovers by itself when the time
/// is up — no background job has to clear it for scheduling to resume.
public enum AccountHealth {
    public enum Availability: Equatable, Sendable {
        case available
        case rateLimited(until: Date)
        case unavailable(String)
    }

    public static func availability(of account: AccountRecord, at now: Date) -> Availability {
        if !account.isActive { return .unavailable("inactive") }
        if !account.schedulable { return .unavailable("not schedulable") }
        switch account.status {
        case "error", "unauthorized", "blocked", "quota_exceeded", "expired":
            return .unavailable(account.status)
        case "temp_error":
            if let end = account.date("tempErrorEndAt"), end > now { return .unavailable("temporary error") }
        default:
            break
        }
        if account.fields["rateLimitStatus"] == "limited", let end = account.date("rateLimitEndAt"), end > now {
            return .rateLimited(until: end)
        }
        if account.fields["overloadStatus"] == "overloaded", let end = account.date("overloadEndAt"), end > now {
            return .unavailable("overloaded")
        }
        if let expiry = account.date("subscriptionExpiresAt"), expiry <= now { return .unavailable("subscription expired") }
        if AccountQuota.stoppedUntil(account, at: now) != nil { return .unavailable("daily quota exceeded") }
        // Claude subscriptions that opted in rest from the 5-hour window's warning until the window ends.
        if account.fields["autoStopOnWarning"] == "true", account.fields["sessionWindowStatus"] == "allowed_warning",
           let end = account.date("sessionWindowEnd"), end > now {
            return .unavailable("5-hour window warning")
        }
        return .available
    }

    /// Why an upstream reply makes an account unusable, and until when.
    public enum Mark: Equatable, Sendable {
        case rateLimited(until: Date)
        case overloaded(until: Date)
        case unauthorized(String)
        case blocked(String)
        case temporaryError(until: Date, String)
    }

    /// The hash fields (Node names) that record a mark.
    public static func fields(for mark: Mark, at now: Date) -> [String: String] {
        let stamp = ISOTime.string(now)
        switch mark {
        case .rateLimited(let until):
            return ["rateLimitStatus": "limited", "rateLimitedAt": stamp, "rateLimitEndAt": ISOTime.string(until)]
        case .overloaded(let until):
            return ["overloadStatus": "overloaded", "overloadedAt": stamp, "overloadEndAt": ISOTime.string(until), "lastOverloadAt": stamp]
        case .unauthorized(let message):
            return ["status": "unauthorized", "errorMessage": message, "unauthorizedAt": stamp]
        case .blocked(let message):
            return ["status": "blocked", "errorMessage": message, "blockedAt": stamp]
        case .temporaryError(let until, let message):
            return ["status": "temp_error", "errorMessage": message, "tempErrorAt": stamp, "tempErrorEndAt": ISOTime.string(until)]
        }
    }

    /// After a success: the fields to clear, if any mark is present (so a healthy hot path writes nothing).
    public static func clearedFields(for account: AccountRecord) -> [String: String] {
        var changes: [String: String] = [:]
        if account.fields["rateLimitStatus"] == "limited" {
            changes["rateLimitStatus"] = ""
            changes["rateLimitEndAt"] = ""
        }
        if account.fields["overloadStatus"] == "overloaded" {
            changes["overloadStatus"] = ""
            changes["overloadEndAt"] = ""
        }
        if account.status == "temp_error" {
            changes["status"] = "active"
            changes["errorMessage"] = ""
        }
        return changes
    }

    /// Fields an admin's "reset status" clears.
    public static let resetFields: [String: String] = [
        "status": "active", "errorMessage": "", "rateLimitStatus": "", "rateLimitEndAt": "", "rateLimitedAt": "",
        "overloadStatus": "", "overloadEndAt": "", "tempErrorEndAt": "", "unauthorizedAt": "", "blockedAt": "",
    ]
}
