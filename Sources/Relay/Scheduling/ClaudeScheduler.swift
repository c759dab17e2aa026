import Foundation

/// Picks the upstream account for an Anthropic Messages request:
/// 1. a dedicated binding on the key (`claudeAccountId`, `group:<id>`, `claudeConsoleAccountId`) — never falling
///    over silently to the shared pool;
/// 2. the sticky session mapping (`unified_claude_session_mapping:{hash}`), if that account is still usable;
/// 3. the shared pool, by priority then least recently used.
/// Accounts are filtered by active/schedulable/health and by whether they serve the model.
public final class ClaudeScheduler: Sendable {
    public struct Selection: Sendable {
        public let account: AccountRecord
        public let upstreamModel: String
        public let source: Source
        public enum Source: String, Sendable { case binding, group, sticky, pool }
        /// A bound account (or group member) must not be replaced by a pool account on failure.
        public var isDedicated: Bool { source == .binding || source == .group }
    }

    public enum Failure: Error, Equatable {
        case boundAccountRateLimited(name: String, until: Date)
        case boundAccountUnavailable(name: String, reason: String)
        case boundAccountMissing(String)
        case noAccount(model: String)
    }

    let store: AccountStore
    let redis: RedisClient
    let clock: RelayClock
    let stickyTTLSeconds: Int
    let renewalThresholdSeconds: Int

    public init(store: AccountStore, redis: RedisClient, clock: RelayClock, stickyTTLSeconds: Int = 3600, renewalThresholdSeconds: Int = 0) {
        self.store = store
        self.redis = redis
        self.clock = clock
        self.stickyTTLSeconds = stickyTTLSeconds
        self.renewalThresholdSeconds = renewalThresholdSeconds
    }

    public func select(key: APIKeyRecord, model: String, sessionHash: String?, excluding excluded: Set<String> = []) async throws -> Selection {
        let now = clock.now
        if let bound = key.binding(AccountKind.claudeOfficial.bindingField) {
            if bound.hasPrefix("group:") {
                return try await fromGroup(String(bound.dropFirst(6)), model: model, excluded: excluded, now: now)
            }
            return try await dedicated(.claudeOfficial, bound, model: model, excluded: excluded, now: now)
        }
        if let bound = key.binding(AccountKind.claudeConsole.bindingField) {
            return try await dedicated(.claudeConsole, bound, model: model, excluded: excluded, now: now)
        }
        if let sessionHash, let sticky = try await stickyAccount(sessionHash, model: model, excluded: excluded, now: now) {
            return sticky
        }
        var candidates: [(AccountRecord, String)] = []
        for kind in AccountKind.claudeFamily {
            for account in try await store.all(kind) where account.accountType == "shared" && !excluded.contains(account.id) {
                guard AccountHealth.availability(of: account, at: now) == .available,
                      let upstream = account.upstreamModel(for: model) else { continue }
                candidates.append((account, upstream))
            }
        }
        guard let (account, upstream) = candidates.min(by: Self.preferred) else { throw Failure.noAccount(model: model) }
        let selection = Selection(account: touch(account, now: now), upstreamModel: upstream, source: .pool)
        if let sessionHash { await remember(sessionHash, selection.account) }
        return selection
    }

    /// Drops a session's sticky mapping (after its account failed).
    public func forget(sessionHash: String?) async {
        guard let sessionHash else { return }
        _ = try? await redis.send("DEL", RedisArgument(RedisKeys.claudeSessionMapping(sessionHash)))
    }

    // MARK: steps

    private func dedicated(_ kind: AccountKind, _ id: String, model: String, excluded: Set<String>, now: Date) async throws -> Selection {
        guard let account = try await store.get(kind, id) else { throw Failure.boundAccountMissing(id) }
        if excluded.contains(id) { throw Failure.boundAccountUnavailable(name: account.name, reason: "failed for this request") }
        switch AccountHealth.availability(of: account, at: now) {
        case .available: break
        case .rateLimited(let until): throw Failure.boundAccountRateLimited(name: account.name, until: until)
        case .unavailable(let reason): throw Failure.boundAccountUnavailable(name: account.name, reason: reason)
        }
        guard let upstream = account.upstreamModel(for: model) else {
            throw Failure.boundAccountUnavailable(name: account.name, reason: "does not serve model \(model)")
        }
        return Selection(account: touch(account, now: now), upstreamModel: upstream, source: .binding)
    }

    private func fromGroup(_ groupID: String, model: String, excluded: Set<String>, now: Date) async throws -> Selection {
        let members = Set(try await redis.send("SMEMBERS", RedisArgument("account_group_members:\(groupID)")).array?.compactMap(\.string) ?? [])
        var candidates: [(AccountRecord, String)] = []
        for kind in AccountKind.claudeFamily {
            for account in try await store.all(kind) where members.contains(account.id) && !excluded.contains(account.id) {
                guard AccountHealth.availability(of: account, at: now) == .available, let upstream = account.upstreamModel(for: model) else { continue }
                candidates.append((account, upstream))
            }
        }
        guard let (account, upstream) = candidates.min(by: Self.preferred) else {
            throw Failure.boundAccountUnavailable(name: "group \(groupID)", reason: "no usable member for \(model)")
        }
        return Selection(account: touch(account, now: now), upstreamModel: upstream, source: .group)
    }

    private func stickyAccount(_ hash: String, model: String, excluded: Set<String>, now: Date) async throws -> Selection? {
        let key = RedisKeys.claudeSessionMapping(hash)
        guard let text = try await redis.send("GET", RedisArgument(key)).string,
              let mapping = JSON.object(Data(text.utf8)), let id = mapping["accountId"] as? String else { return nil }
        let kind = (mapping["accountType"] as? String).flatMap { type in AccountKind.claudeFamily.first { $0.name == type } } ?? .claudeOfficial
        guard let account = try await store.get(kind, id), !excluded.contains(id),
              AccountHealth.availability(of: account, at: now) == .available,
              let upstream = account.upstreamModel(for: model) else {
            _ = try? await redis.send("DEL", RedisArgument(key))
            return nil
        }
        if renewalThresholdSeconds > 0, let ttl = try? await redis.send("TTL", RedisArgument(key)).int, ttl >= 0, ttl < renewalThresholdSeconds {
            _ = try? await redis.send("EXPIRE", RedisArgument(key), RedisArgument(stickyTTLSeconds))
        }
        return Selection(account: touch(account, now: now), upstreamModel: upstream, source: .sticky)
    }

    private func remember(_ hash: String, _ account: AccountRecord) async {
        let value = JSON.string(["accountId": account.id, "accountType": account.kind.name])
        _ = try? await redis.send("SET", RedisArgument(RedisKeys.claudeSessionMapping(hash)), RedisArgument(value), "EX", RedisArgument(stickyTTLSeconds))
    }

    /// Marks the account used now in the directory, so concurrent selections spread by least-recently-used
    /// before the usage write reaches Redis.
    private func touch(_ account: AccountRecord, now: Date) -> AccountRecord {
        var touched = account
        touched.fields["lastUsedAt"] = ISOTime.string(now)
        store.remember(touched)
        return touched
    }

    /// Lower priority number first; then never used, then least recently used.
    static func preferred(_ a: (AccountRecord, String), _ b: (AccountRecord, String)) -> Bool {
        if a.0.priority != b.0.priority { return a.0.priority < b.0.priority }
        switch (a.0.lastUsedAt, b.0.lastUsedAt) {
        case (nil, nil): return a.0.id < b.0.id
        case (nil, _): return true
        case (_, nil): return false
        case (let x?, let y?): return x == y ? a.0.id < b.0.id : x < y
        }
    }
}
