import Foundation

/// An account as the admin API shows it: typed values, secrets masked (never the plaintext), health spelled out.
enum AccountPresenter {
    /// What a stored secret is shown as. An edit that sends it back unchanged keeps the stored value.
    static let maskedSecret = "********"

    /// A proxy edited with its masked password (the form shown it, the user changed other fields) keeps the stored
    /// password; any other value replaces it.
    static func keepingStoredProxyPassword(_ edited: String?, stored: String?) -> String? {
        guard let edited, var object = JSON.object(Data(edited.utf8)), object["password"] as? String == maskedSecret else { return edited }
        if let previous = stored.flatMap({ JSON.object(Data($0.utf8)) })?["password"] as? String {
            object["password"] = previous
        } else {
            object.removeValue(forKey: "password")
        }
        return JSON.string(object)
    }

    static func json(_ account: AccountRecord, store: AccountStore, now: Date) -> [String: Any] {
        var object: [String: Any] = [:]
        for (name, value) in account.fields {
            if account.kind.secretFields.contains(name) {
                object[name] = mask((try? store.secret(account, name)) ?? nil)
                continue
            }
            if name == account.kind.keyListField {
                let entries = AccountKeyList.masked(value)
                object[name] = entries
                object["apiKeyCount"] = entries.count
                continue
            }
            switch name {
            case "priority", "rateLimitDuration", "maxConcurrentTasks": object[name] = Int(value) ?? 0
            case "dailyQuota", "dailyUsage": object[name] = Double(value) ?? 0
            case "isActive", "schedulable", "autoStopOnWarning", "rateLimitAutoStopped": object[name] = value == "true"
            case "supportedModels": object[name] = account.modelMapping
            case "subscriptionInfo", "extInfo": object[name] = JSON.object(Data(value.utf8)) ?? NSNull()
            case "proxy":
                var proxy = JSON.object(Data(value.utf8))
                if proxy?["password"] != nil { proxy?["password"] = Self.maskedSecret }
                object[name] = proxy ?? NSNull()
            default: object[name] = value
            }
        }
        if object["accountType"] == nil { object["accountType"] = account.accountType }
        object["platform"] = account.kind.platform
        // The type name usage records and the error history use (`claude`, `claude-console`, `gemini-api`, …).
        object["usageType"] = account.kind.usageType
        if let presented = account.kind.presented { object.merge(presented(account, now)) { _, new in new } }
        if let quota = AccountQuota.of(account) {
            // The spend of the window in force (0 once the stored one is over), and the stop with its end.
            object["dailyUsage"] = AccountQuota.spent(account, at: now)
            let stopped = AccountQuota.stoppedUntil(account, at: now)
            object["quota"] = ["dailyQuota": quota.limit, "used": AccountQuota.spent(account, at: now), "resetTime": quota.resetTime,
                               "exceeded": stopped != nil, "resetAt": stopped.map { ISOTime.string($0) as Any } ?? NSNull()]
        }
        switch AccountHealth.availability(of: account, at: now) {
        case .available:
            object["health"] = ["state": "available"]
        case .rateLimited(let until):
            object["health"] = ["state": "rate_limited", "until": ISOTime.string(until)]
            object["rateLimitStatus"] = ["isRateLimited": true, "rateLimitEndAt": ISOTime.string(until),
                                         "minutesRemaining": max(0, Int(until.timeIntervalSince(now) / 60))]
        case .unavailable(let reason):
            object["health"] = ["state": "unavailable", "reason": reason]
        }
        return object
    }

    /// `****abcd` for long secrets, `****` otherwise; nil stays nil.
    static func mask(_ secret: String?) -> Any {
        guard let secret, !secret.isEmpty else { return NSNull() }
        return secret.count >= 16 ? "****" + secret.suffix(4) : "****"
    }
}
