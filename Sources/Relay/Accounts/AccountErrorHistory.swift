import Foundation

/// Upstream failures per account in Node's layout (`error_history:{accountType}:{id}`, a list of JSON entries
/// `{time, status, errorType, context: {message, errorBody}}`, newest first, kept 3 days): what an operator reads to
/// see why an account was marked. Written only on failures that say something about the account (marks, 5xx,
/// unreachable), never on the success path; the body is cut to 500 characters.
struct AccountErrorHistory: Sendable {
    static let kept = 1_000
    static let ttlSeconds = 3 * 24 * 3600
    static let bodyCharacters = 500

    let redis: RedisClient

    /// Node's error types.
    static func errorType(status: Int) -> String {
        switch status {
        case 0: return "timeout"
        case 401, 403: return "auth_error"
        case 429: return "rate_limit"
        case 503: return "service_unavailable"
        case 504: return "timeout"
        case 529: return "overload"
        default: return status >= 500 ? "server_error" : "client_error"
        }
    }

    func record(_ account: AccountRecord, status: Int, message: String, body: String?, at now: Date) async {
        var context: [String: Any] = ["message": message]
        if let body, !body.isEmpty { context["errorBody"] = String(body.prefix(Self.bodyCharacters)) }
        let entry: [String: Any] = ["time": ISOTime.string(now), "status": status, "errorType": Self.errorType(status: status), "context": context]
        let key = RedisArgument(RedisKeys.errorHistory(account.kind.usageType, account.id))
        _ = try? await redis.pipeline([
            RedisCommand("LPUSH", key, RedisArgument(JSON.string(entry))),
            RedisCommand("LTRIM", key, "0", RedisArgument(Self.kept - 1)),
            RedisCommand("EXPIRE", key, RedisArgument(Self.ttlSeconds)),
        ])
    }
}
