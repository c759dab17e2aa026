import Foundation

/// Picks the upstream account for a request of one API family (its `SchedulingPolicy`):
/// 1. a dedicated binding on the key (Claude: `claudeAccountId` or `group:<id>`, `claudeConsoleAccountId`,
///    `bedrockAccountId`) — never falling over silently to the shared pool;
/// 2. the sticky session mapping (Claude: `unified_claude_session_mapping:{hash}`), if that account is still usable;
/// 3. the shared pool, by priority then least recently used.
/// Accounts are filtered by active/schedulable/health and by whether they serve the model. An account with its own
/// concurrency cap (`maxConcurrentTasks`) is taken only if a slot is free (a lease in `concurrency:account:{id}`,
/// atomic across instances); a full account is skipped like an unavailable one.
public final class AccountScheduler: Sendable {
    public struct Selection: Sendable {
        public let account: AccountRecord
        public let upstreamModel: String
        public let source: Source
        /// The account's concurrency slot, when it has a cap; released when the request ends.
        public let lease: ConcurrencyLease?
        public enum Source: String, Sendable { case binding, group, sticky, pool }
        /// A bound account (or group member) must not be replaced by a pool account on failure.
        public var isDedicated: Bool { source == .binding || source == .group }
    }

    public enum Failure: Error, Equatable {
        case boundAccountRateLimited(name: String, until: Date)
        case boundAccountUnavailable(name: String, reason: String)
        case boundAccountMissing(String)
        case boundAccountBusy(name: String)
        case noAccount(model: String)
        case allAccountsBusy(model: String)
    }

    /// Whether the sticky mapping still has to be read, or admission already read it in its round trip.
    public enum StickyLookup: Sendable {
        case fetch
        case prefetched(String?)
    }

    public let policy: SchedulingPolicy
    let store: AccountStore
    let redis: RedisClient
    let clock: RelayClock
    let leases: LeaseKeeper
    let stickyTTLSeconds: Int
    let renewalThresholdSeconds: Int

    public init(policy: SchedulingPolicy, store: AccountStore, redis: RedisClient, clock: RelayClock, leases: LeaseKeeper,
                stickyTTLSeconds: Int = 3600, renewalThresholdSeconds: Int = 0) {
        self.policy = policy
        self.store = store
        self.redis = redis
        self.clock = clock
        self.leases = leases
        self.stickyTTLSeconds = stickyTTLSeconds
        self.renewalThresholdSeconds = renewalThresholdSeconds
    }

    /// `pool` replaces the policy's pool kinds (a vendor prefix such as `ccr,` names its own pool); `accepts` narrows
    /// every source — pool, sticky session, group, binding — to the accounts a route may use.
    public func select(key: APIKeyRecord, model: String, sessionHash: String?, excluding excluded: Set<String> = [],
                       sticky lookup: StickyLookup = .fetch, pool: [AccountKind]? = nil, pinned: (kind: AccountKind, id: String)? = nil,
                       accepts filter: (@Sendable (AccountRecord) -> Bool)? = nil) async throws -> Selection {
        let accepts = filter ?? { _ in true }
        let now = clock.now
        if let pinned { return try await dedicated(pinned.kind, pinned.id, model: model, excluded: excluded, now: now, accepts: accepts) }
        for binding in policy.bindings {
            guard let bound = key.binding(binding.field) else { continue }
            if bound.hasPrefix("group:") {
                return try await fromGroup(String(bound.dropFirst(6)), model: model, excluded: excluded, now: now, accepts: accepts)
            }
            if let (prefix, kind) = binding.prefixed.first(where: { bound.hasPrefix($0.key) }) {
                return try await dedicated(kind, String(bound.dropFirst(prefix.count)), model: model, excluded: excluded, now: now, accepts: accepts)
            }
            return try await dedicated(binding.kind, bound, model: model, excluded: excluded, now: now, accepts: accepts)
        }
        if pool == nil, let sessionHash,
           let sticky = try await stickyAccount(sessionHash, lookup: lookup, model: model, excluded: excluded, now: now, accepts: accepts) {
            return sticky
        }
        var candidates: [(AccountRecord, String)] = []
        for kind in pool ?? policy.poolKinds {
            for account in try await store.all(kind) where account.accountType == "shared" && !excluded.contains(account.id) && accepts(account) {
                guard AccountHealth.availability(of: account, at: now) == .available,
                      let upstream = account.upstreamModel(for: model) else { continue }
                candidates.append((account, upstream))
            }
        }
        guard let (account, upstream, lease) = try await firstFree(candidates) else {
            throw candidates.isEmpty ? Failure.noAccount(model: model) : Failure.allAccountsBusy(model: model)
        }
        let selection = Selection(account: touch(account, now: now), upstreamModel: upstream, source: .pool, lease: lease)
        if pool == nil, let sessionHash { await remember(sessionHash, selection.account) }
        return selection
    }

    /// Drops a session's sticky mapping (after its account failed).
    public func forget(sessionHash: String?) async {
        guard let sessionHash else { return }
        _ = try? await redis.send("DEL", RedisArgument(policy.stickyKey(sessionHash)))
    }

    // MARK: steps

    private func dedicated(_ kind: AccountKind, _ id: String, model: String, excluded: Set<String>, now: Date,
                           accepts: @Sendable (AccountRecord) -> Bool) async throws -> Selection {
        guard let account = try await store.get(kind, id) else { throw Failure.boundAccountMissing(id) }
        guard accepts(account) else { throw Failure.boundAccountUnavailable(name: account.name, reason: "is not served on this route") }
        if excluded.contains(id) { throw Failure.boundAccountUnavailable(name: account.name, reason: "failed for this request") }
        switch AccountHealth.availability(of: account, at: now) {
        case .available: break
        case .rateLimited(let until): throw Failure.boundAccountRateLimited(name: account.name, until: until)
        case .unavailable(let reason): throw Failure.boundAccountUnavailable(name: account.name, reason: reason)
        }
        guard let upstream = account.upstreamModel(for: model) else {
            throw Failure.boundAccountUnavailable(name: account.name, reason: "does not serve model \(model)")
        }
        let (free, lease) = try await claim(account)
        guard free else { throw Failure.boundAccountBusy(name: account.name) }
        return Selection(account: touch(account, now: now), upstreamModel: upstream, source: .binding, lease: lease)
    }

    private func fromGroup(_ groupID: String, model: String, excluded: Set<String>, now: Date,
                           accepts: @Sendable (AccountRecord) -> Bool) async throws -> Selection {
        let members = Set(try await redis.send("SMEMBERS", RedisArgument(RedisKeys.accountGroupMembers(groupID))).array?.compactMap(\.string) ?? [])
        var candidates: [(AccountRecord, String)] = []
        for kind in policy.poolKinds {
            for account in try await store.all(kind) where members.contains(account.id) && !excluded.contains(account.id) && accepts(account) {
                guard AccountHealth.availability(of: account, at: now) == .available, let upstream = account.upstreamModel(for: model) else { continue }
                candidates.append((account, upstream))
            }
        }
        if candidates.isEmpty { throw Failure.boundAccountUnavailable(name: "group \(groupID)", reason: "no usable member for \(model)") }
        guard let (account, upstream, lease) = try await firstFree(candidates) else { throw Failure.boundAccountBusy(name: "group \(groupID)") }
        return Selection(account: touch(account, now: now), upstreamModel: upstream, source: .group, lease: lease)
    }

    private func stickyAccount(_ hash: String, lookup: StickyLookup, model: String, excluded: Set<String>, now: Date,
                               accepts: @Sendable (AccountRecord) -> Bool) async throws -> Selection? {
        let key = policy.stickyKey(hash)
        let stored: String?
        switch lookup {
        case .fetch: stored = try await redis.send("GET", RedisArgument(key)).string
        case .prefetched(let value): stored = value
        }
        guard let text = stored,
              let mapping = JSON.object(Data(text.utf8)), let id = mapping["accountId"] as? String else { return nil }
        let kind = (mapping["accountType"] as? String).flatMap { type in policy.poolKinds.first { $0.name == type } } ?? policy.poolKinds[0]
        // Only a shared account serves a session from its mapping: one made dedicated (or group-only) since then
        // belongs to its keys alone, whoever's session once ran on it.
        guard let account = try await store.get(kind, id), !excluded.contains(id), account.accountType == "shared",
              AccountHealth.availability(of: account, at: now) == .available,
              let upstream = account.upstreamModel(for: model) else {
            _ = try? await redis.send("DEL", RedisArgument(key))
            return nil
        }
        // The session's account is fine, just not one this route may use: the mapping stays for the routes that may.
        guard accepts(account) else { return nil }
        if renewalThresholdSeconds > 0, let ttl = try? await redis.send("TTL", RedisArgument(key)).int, ttl >= 0, ttl < renewalThresholdSeconds {
            _ = try? await redis.send("EXPIRE", RedisArgument(key), RedisArgument(stickyTTLSeconds))
        }
        let (free, lease) = try await claim(account)
        guard free else { return nil }  // the session's account is at its cap: serve this request from the pool
        return Selection(account: touch(account, now: now), upstreamModel: upstream, source: .sticky, lease: lease)
    }

    /// A slot on the account if it has a cap: (true, lease); (true, nil) without a cap; (false, nil) when full.
    private func claim(_ account: AccountRecord) async throws -> (Bool, ConcurrencyLease?) {
        let cap = account.maxConcurrentTasks
        guard cap > 0 else { return (true, nil) }
        guard let lease = try await leases.acquire(setKey: RedisKeys.accountConcurrency(account.id), limit: cap) else { return (false, nil) }
        return (true, lease)
    }

    /// The preferred candidate with a free slot.
    private func firstFree(_ candidates: [(AccountRecord, String)]) async throws -> (AccountRecord, String, ConcurrencyLease?)? {
        for (account, upstream) in candidates.sorted(by: Self.preferred) {
            let (free, lease) = try await claim(account)
            if free { return (account, upstream, lease) }
        }
        return nil
    }

    private func remember(_ hash: String, _ account: AccountRecord) async {
        let value = JSON.string(["accountId": account.id, "accountType": account.kind.name])
        _ = try? await redis.send("SET", RedisArgument(policy.stickyKey(hash)), RedisArgument(value), "EX", RedisArgument(stickyTTLSeconds))
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
