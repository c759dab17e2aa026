import Foundation
import Logging
import ServiceLifecycle

/// The scheduled account health check (one runner per interval across instances: `SET crs:health_check:lock NX EX`):
/// - marks whose time is up (rate limit, overload, temporary error) are cleared from the record — the scheduler
///   already ignores them, this makes the stored state and the admin UI say so too ("recovered");
/// - probe-able accounts (Anthropic family) are probed: a healthy answer clears any mark, including
///   `unauthorized` (the credential works again — e.g. a revoked token re-issued upstream); a failure marks the
///   account as a real request would;
/// - every check is kept in `crs:health_check:history:{id}` (newest first, 50 entries) for the admin UI.
public struct AccountHealthChecks: Service {
    static let lockKey = RedisKeys.healthCheckLock
    static func historyKey(_ id: String) -> String { RedisKeys.healthCheckHistory(id) }

    let context: RelayContext
    let intervalSeconds: Int
    let logger: Logger

    public init(context: RelayContext, intervalSeconds: Int, logger: Logger) {
        self.context = context
        self.intervalSeconds = intervalSeconds
        self.logger = logger
    }

    public func run() async throws {
        await runPeriodically(every: intervalSeconds) {
            let owner = UUID().uuidString
            let lock = try? await self.context.redis.send("SET", RedisArgument(Self.lockKey), RedisArgument(owner), "NX", "EX",
                                                          RedisArgument(max(1, self.intervalSeconds - 1)))
            if lock?.string == "OK" { _ = await self.checkAll() }
        }
    }

    /// One pass over every account; returns the entries written.
    @discardableResult
    public func checkAll() async -> [[String: Any]] {
        var results: [[String: Any]] = []
        for kind in AccountKind.all {
            guard let accounts = try? await context.accounts.reload(kind) else { continue }
            for account in accounts where account.isActive { results.append(await check(account)) }
        }
        return results
    }

    /// Checks one account now and records the result.
    public func check(_ account: AccountRecord) async -> [String: Any] {
        let now = context.clock.now
        let started = ContinuousClock.now
        var entry: [String: Any] = ["at": ISOTime.string(now), "accountId": account.id, "kind": account.kind.name]
        var changes = Self.expiredMarks(account, now: now)
        let outcome = await AccountProbe(context: context).probe(account)
        let elapsed = ContinuousClock.now - started
        entry["latencyMs"] = Int(Double(elapsed.components.seconds) * 1000 + Double(elapsed.components.attoseconds) / 1e15)
        switch outcome {
        case .healthy(let status):
            changes.merge(AccountHealth.resetFields) { _, new in new }
            entry["outcome"] = "healthy"
            entry["status"] = status
        case .failed(let status, let mark):
            if let mark { changes = AccountHealth.fields(for: mark, at: now) }
            entry["outcome"] = "failed"
            entry["status"] = status
            entry["detail"] = mark.map { "\($0)" } ?? "no mark"
        case .unreachable(let reason):
            entry["outcome"] = "unreachable"
            entry["detail"] = reason
        case .notProbed:
            entry["outcome"] = changes.isEmpty ? "not_probed" : "recovered"
        }
        let before = AccountHealth.availability(of: account, at: now)
        var after = account
        after.fields.merge(changes) { _, new in new }
        entry["health"] = Self.describe(AccountHealth.availability(of: after, at: now))
        if before != .available, AccountHealth.availability(of: after, at: now) == .available {
            entry["recovered"] = true
            logger.notice("account recovered by health check", metadata: ["account": "\(account.id)", "kind": "\(account.kind.name)"])
        }
        // The history entry goes first: whoever sees the account's new state (the admin UI, another instance) finds
        // the check that explains it. Written after the mark, a reader could see a recovered account with no entry.
        _ = try? await context.redis.pipeline([
            RedisCommand("LPUSH", RedisArgument(Self.historyKey(account.id)), RedisArgument(JSON.string(entry))),
            RedisCommand("LTRIM", RedisArgument(Self.historyKey(account.id)), 0, 49),
        ])
        let meaningful = changes.filter { account.fields[$0.key] ?? "" != $0.value }
        if !meaningful.isEmpty { await context.accounts.mark(account, meaningful) }
        return entry
    }

    /// The stored marks whose end has passed.
    static func expiredMarks(_ account: AccountRecord, now: Date) -> [String: String] {
        var changes: [String: String] = [:]
        if account.fields["rateLimitStatus"] == "limited", (account.date("rateLimitEndAt") ?? .distantFuture) <= now {
            changes["rateLimitStatus"] = ""
            changes["rateLimitEndAt"] = ""
        }
        if account.fields["overloadStatus"] == "overloaded", (account.date("overloadEndAt") ?? .distantFuture) <= now {
            changes["overloadStatus"] = ""
            changes["overloadEndAt"] = ""
        }
        if account.status == "temp_error", (account.date("tempErrorEndAt") ?? .distantFuture) <= now {
            changes["status"] = "active"
            changes["errorMessage"] = ""
            changes["tempErrorEndAt"] = ""
        }
        return changes
    }

    static func describe(_ availability: AccountHealth.Availability) -> String {
        switch availability {
        case .available: return "available"
        case .rateLimited: return "rate_limited"
        case .unavailable(let reason): return "unavailable: \(reason)"
        }
    }
}
