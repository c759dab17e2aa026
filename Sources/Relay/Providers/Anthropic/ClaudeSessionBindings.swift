import Foundation

/// Global session binding (Node's `original_session_binding:{sessionId}`): with the switch on, a Claude Code session
/// (the `session_id` in `metadata.user_id`) stays on the subscription account that first served it. A bound account
/// that is gone, inactive or in error refuses the session (403 `session_binding_error`) instead of moving it to
/// another account; bindings to other account kinds are ignored, as in Node.
struct ClaudeSessionBindings: Sendable {
    let redis: RedisClient
    let accounts: AccountStore
    let clock: RelayClock

    struct Binding {
        let accountID: String
        let accountType: String
    }

    static func sessionID(in json: [String: Any]) -> String? {
        guard let userID = (json["metadata"] as? [String: Any])?["user_id"] as? String, userID.utf8.count <= 1024 else { return nil }
        return SessionHash.sessionID(in: userID).flatMap { $0.utf8.count <= 128 ? $0 : nil }
    }

    func binding(_ sessionID: String) async throws -> Binding? {
        guard let text = try await redis.send("GET", RedisArgument(RedisKeys.originalSessionBinding(sessionID))).string,
              let object = JSON.object(Data(text.utf8)), let accountID = object["accountId"] as? String,
              let accountType = object["accountType"] as? String else { return nil }
        return Binding(accountID: accountID, accountType: accountType)
    }

    /// The bound subscription account if it may still serve the session; nil when it may not.
    func usableAccount(_ binding: Binding) async throws -> AccountRecord? {
        guard let account = try await accounts.get(.claudeOfficial, binding.accountID), account.isActive, account.status != "error" else { return nil }
        return account
    }

    /// Creates the binding, or renews it with its `createdAt` kept.
    func bind(_ sessionID: String, to account: AccountRecord, ttlDays: Double, createdAt: String? = nil) async {
        let now = ISOTime.string(clock.now)
        let value: [String: Any] = ["accountId": account.id, "accountType": account.kind.name, "createdAt": createdAt ?? now, "lastUsedAt": now]
        let seconds = max(60, Int(ttlDays * 86_400))
        _ = try? await redis.send("SET", RedisArgument(RedisKeys.originalSessionBinding(sessionID)), RedisArgument(JSON.string(value)),
                                  "EX", RedisArgument(String(seconds)))
    }

    func touch(_ sessionID: String, ttlDays: Double) async {
        _ = try? await redis.send("EXPIRE", RedisArgument(RedisKeys.originalSessionBinding(sessionID)), RedisArgument(String(max(60, Int(ttlDays * 86_400)))))
    }
}
