import Foundation
import DequeModule
import Logging
import NIOConcurrencyHelpers

/// Writes one request's usage and cost into every counter of the Node layout (behaviour.md §4.1) in a single
/// pipelined round trip: per key, per model, per key+model, per account, the request log, cost counters,
/// the weekly Opus counter, the realtime minute metrics, the key's rate-window counters, the billing event
/// stream — and, in the same write, the release of the request's concurrency leases.
///
/// The write is atomic and applied at most once (`UsageWrite`). When Redis cannot take it, it waits in a bounded
/// in-memory queue (`Settings.pendingLimit`) that `replayPending()` retries in order once Redis is back; past the
/// bound the oldest waiting writes are dropped and counted in the log.
public final class UsageRecorder: Sendable {
    public struct Entry: Sendable {
        public var keyID: String
        public var accountID: String
        public var accountKind: AccountKind
        /// The model as requested by the client (what the key pays for).
        public var model: String
        public var usage: TokenUsage
        public var at: Date
        /// The key has a rate window: add tokens and cost to `rate_limit:tokens|cost:{id}`.
        public var rateWindowMinutes: Int = 0
        /// Commands that ride along (lease releases).
        public var trailing: [RedisCommand] = []

        public init(keyID: String, accountID: String, accountKind: AccountKind, model: String, usage: TokenUsage, at: Date) {
            self.keyID = keyID
            self.accountID = accountID
            self.accountKind = accountKind
            self.model = model
            self.usage = usage
            self.at = at
        }
    }

    public struct Settings: Sendable {
        public var timezoneOffsetHours = 8
        /// `XADD billing:events MAXLEN ~ N` per request (Node's BILLING_EVENTS_ENABLED).
        public var billingEvents = true
        public var billingStreamLength = 100_000
        /// Usage writes kept while Redis is unreachable (about 3 KB each).
        public var pendingLimit = 10_000
        public init() {}
    }

    let redis: RedisClient
    let prices: PriceBook
    let settings: Settings
    let logger: Logger
    private let warnedModels = NIOLockedValueBox<Set<String>>([])
    private let pending = NIOLockedValueBox<(writes: Deque<UsageWrite>, dropped: Int)>(([], 0))

    private let detached = NIOLockedValueBox(0)

    /// Writes waiting for Redis.
    public var pendingCount: Int { pending.withLockedValue { $0.writes.count } }

    /// Records off the response path (the reply has gone; the write follows). Shutdown waits for these.
    func recordDetached(_ entry: Entry, onRefused: @escaping @Sendable (Error) async -> Void) {
        detached.withLockedValue { $0 += 1 }
        Task {
            defer { detached.withLockedValue { $0 -= 1 } }
            do {
                try await record(entry)
            } catch {
                await onRefused(error)
            }
        }
    }

    /// Waits (up to `timeout`) until every detached recording has finished or been queued.
    public func drainDetached(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while detached.withLockedValue({ $0 }) > 0, ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    static let day: Int = 86400

    let metrics: RelayMetrics?

    public init(redis: RedisClient, prices: PriceBook, settings: Settings, logger: Logger, metrics: RelayMetrics? = nil) {
        self.metrics = metrics
        self.redis = redis
        self.prices = prices
        self.settings = settings
        self.logger = logger
    }

    /// Records the entry; returns the cost (nil when the model has no price). When Redis cannot take the write it
    /// is queued for `replayPending()` instead of lost; a write Redis refuses (a bug, not an outage) is thrown.
    @discardableResult
    public func record(_ entry: Entry) async throws -> CostBreakdown? {
        let cost = CostCalculator.cost(of: entry.usage, model: entry.model, table: prices.table)
        if cost == nil { warnUnpriced(entry.model) }
        metrics?.usage(entry.usage, model: entry.model, cost: cost?.total)
        let write = UsageWrite(id: UUID().uuidString.lowercased(), commands: Self.commands(for: entry, cost: cost, settings: settings),
                               queuedAt: .now)
        // Earlier writes still waiting go first, so counters are applied in order.
        if pendingCount > 0 {
            enqueue(write)
            return cost
        }
        do {
            _ = try await write.apply(on: redis)
        } catch let error as RedisError where error.isConnectionError || error.isLoading {
            enqueue(write)
            logger.warning("usage write deferred until Redis is reachable", metadata: ["key": "\(entry.keyID)", "error": "\(error)"])
        }
        return cost
    }

    private func enqueue(_ write: UsageWrite) {
        let dropped = pending.withLockedValue { state -> Int in
            state.writes.append(write)
            var dropped = 0
            while state.writes.count > settings.pendingLimit {
                state.writes.removeFirst()
                state.dropped += 1
                dropped += 1
            }
            return dropped
        }
        if dropped > 0 {
            logger.error("usage writes dropped: the pending queue is full", metadata: ["limit": "\(settings.pendingLimit)", "dropped": "\(dropped)"])
        }
    }

    /// Applies waiting writes in order until one fails; returns how many were applied.
    @discardableResult
    public func replayPending() async -> Int {
        var applied = 0
        while let next = pending.withLockedValue({ $0.writes.first }) {
            do {
                _ = try await next.apply(on: redis)
            } catch {
                if applied > 0 { logger.notice("usage writes replayed", metadata: ["count": "\(applied)", "waiting": "\(pendingCount)"]) }
                return applied
            }
            pending.withLockedValue { state in
                if state.writes.first?.id == next.id { state.writes.removeFirst() }
            }
            applied += 1
        }
        if applied > 0 { logger.notice("usage writes replayed", metadata: ["count": "\(applied)"]) }
        return applied
    }

    static func commands(for entry: Entry, cost: CostBreakdown?, settings: Settings) -> [RedisCommand] {
        let u = entry.usage
        let buckets = TimeBuckets(entry.at, offsetHours: settings.timezoneOffsetHours)
        let model = PriceTable.normalize(entry.model)
        let key = entry.keyID
        let account = entry.accountID
        var commands: [RedisCommand] = []

        func increment(_ redisKey: String, _ fields: [(String, Int)], ttl: Int? = nil) {
            for (field, amount) in fields where amount != 0 || field == "requests" || field == "totalRequests" {
                commands.append(RedisCommand("HINCRBY", RedisArgument(redisKey), RedisArgument(field), RedisArgument(amount)))
            }
            if let ttl { commands.append(RedisCommand("EXPIRE", RedisArgument(redisKey), RedisArgument(ttl))) }
        }

        let base: [(String, Int)] = [
            ("tokens", u.tokens), ("inputTokens", u.input), ("outputTokens", u.output), ("cacheCreateTokens", u.cacheCreate),
            ("cacheReadTokens", u.cacheRead), ("allTokens", u.allTokens), ("requests", 1),
        ]
        let ephemeral: [(String, Int)] = [("ephemeral5mTokens", u.cacheCreate5m), ("ephemeral1hTokens", u.cacheCreate1h)]
        let modelFields: [(String, Int)] = [
            ("inputTokens", u.input), ("outputTokens", u.output), ("cacheCreateTokens", u.cacheCreate),
            ("cacheReadTokens", u.cacheRead), ("allTokens", u.allTokens), ("requests", 1),
        ]
        let longContext = cost?.isLongContext == true
        let longFields: [(String, Int)] = longContext
            ? [("longContextInputTokens", u.input), ("longContextOutputTokens", u.output), ("longContextRequests", 1)] : []

        // Per key
        increment(RedisKeys.usageTotal(key), [
            ("totalTokens", u.tokens), ("totalInputTokens", u.input), ("totalOutputTokens", u.output),
            ("totalCacheCreateTokens", u.cacheCreate), ("totalCacheReadTokens", u.cacheRead), ("totalAllTokens", u.allTokens),
            ("totalEphemeral5mTokens", u.cacheCreate5m), ("totalEphemeral1hTokens", u.cacheCreate1h), ("totalRequests", 1),
        ] + (longContext ? [("totalLongContextInputTokens", u.input), ("totalLongContextOutputTokens", u.output), ("totalLongContextRequests", 1)] : []))
        increment(RedisKeys.usageDaily(key, buckets.date), base + ephemeral + longFields, ttl: 32 * day)
        increment(RedisKeys.usageMonthly(key, buckets.month), base + ephemeral + longFields, ttl: 365 * day)
        increment(RedisKeys.usageHourly(key, buckets.hour), base, ttl: 7 * day)

        // Per model (global) and per key + model
        increment(RedisKeys.usageModel("daily", model, buckets.date), modelFields, ttl: 32 * day)
        increment(RedisKeys.usageModel("monthly", model, buckets.month), modelFields, ttl: 365 * day)
        increment(RedisKeys.usageModel("hourly", model, buckets.hour), modelFields, ttl: 7 * day)
        increment(RedisKeys.usageKeyModel(key, "daily", model, buckets.date), modelFields + ephemeral, ttl: 32 * day)
        increment(RedisKeys.usageKeyModel(key, "monthly", model, buckets.month), modelFields + ephemeral, ttl: 365 * day)
        increment(RedisKeys.usageKeyModel(key, "hourly", model, buckets.hour), modelFields, ttl: 7 * day)

        // Per account
        increment(RedisKeys.accountUsageTotal(account), [
            ("totalTokens", u.tokens), ("totalInputTokens", u.input), ("totalOutputTokens", u.output),
            ("totalCacheCreateTokens", u.cacheCreate), ("totalCacheReadTokens", u.cacheRead), ("totalAllTokens", u.allTokens),
            ("totalRequests", 1),
        ])
        increment(RedisKeys.accountUsage("daily", account, buckets.date), base, ttl: 32 * day)
        increment(RedisKeys.accountUsage("monthly", account, buckets.month), base, ttl: 365 * day)
        increment(RedisKeys.accountUsage("hourly", account, buckets.hour), base + modelFields.map { ("model:\(model):\($0.0)", $0.1) }, ttl: 7 * day)
        increment(RedisKeys.accountUsageModel("daily", account, model, buckets.date), modelFields, ttl: 32 * day)
        increment(RedisKeys.accountUsageModel("monthly", account, model, buckets.month), modelFields, ttl: 365 * day)
        increment(RedisKeys.accountUsageModel("hourly", account, model, buckets.hour), modelFields, ttl: 7 * day)

        // Cost counters (only when the model is priced: an unknown cost is not $0)
        if let cost {
            let total = RedisArgument(DecimalText.fixed10(cost.total))
            for (redisKey, ttl) in [(RedisKeys.costDaily(key, buckets.date), 30 * day), (RedisKeys.costMonthly(key, buckets.month), 90 * day),
                                    (RedisKeys.costHourly(key, buckets.hour), 7 * day), (RedisKeys.costTotal(key), 0)] {
                commands.append(RedisCommand("INCRBYFLOAT", RedisArgument(redisKey), total))
                if ttl > 0 { commands.append(RedisCommand("EXPIRE", RedisArgument(redisKey), RedisArgument(ttl))) }
            }
            let opusCounted = ["claude", "claude-console", "ccr"].contains(entry.accountKind.usageType) && model.contains("claude-opus")
            if opusCounted {
                commands.append(RedisCommand("INCRBYFLOAT", RedisArgument(RedisKeys.opusWeekly(key, buckets.week)), total))
                commands.append(RedisCommand("EXPIRE", RedisArgument(RedisKeys.opusWeekly(key, buckets.week)), RedisArgument(14 * day)))
                commands.append(RedisCommand("INCRBYFLOAT", RedisArgument(RedisKeys.opusTotal(key)), total))
            }
        }

        // Request log (newest first, 200 kept)
        let record = UsageRecordLine.json(at: ISOTime.string(entry.at), model: entry.model, accountID: account, accountType: entry.accountKind.usageType,
                                          usage: u, longContext: longContext, cost: cost)
        commands.append(RedisCommand("LPUSH", RedisArgument(RedisKeys.usageRecords(key)), RedisArgument(record)))
        commands.append(RedisCommand("LTRIM", RedisArgument(RedisKeys.usageRecords(key)), 0, 199))
        commands.append(RedisCommand("EXPIRE", RedisArgument(RedisKeys.usageRecords(key)), RedisArgument(90 * day)))

        // Realtime metrics (RPM/TPM)
        increment(RedisKeys.systemMetricsMinute(buckets.unixMinute), [
            ("requests", 1), ("totalTokens", u.allTokens), ("inputTokens", u.input), ("outputTokens", u.output),
            ("cacheCreateTokens", u.cacheCreate), ("cacheReadTokens", u.cacheRead),
        ], ttl: 600)

        // Last use of key and account (the scheduler's least-recently-used order)
        let stamp = RedisArgument(ISOTime.string(entry.at))
        commands.append(RedisCommand("HSET", RedisArgument(RedisKeys.apiKey(key)), "lastUsedAt", stamp))
        if entry.accountKind.storage == .json {
            commands.append(RedisCommand("JSONFIELD", RedisArgument(entry.accountKind.redisKey(account)), "lastUsedAt", stamp))
        } else {
            commands.append(RedisCommand("HSET", RedisArgument(entry.accountKind.redisKey(account)), "lastUsedAt", stamp))
        }
        if cost == nil { commands.append(RedisCommand("SADD", RedisArgument(RedisKeys.unpricedModels), RedisArgument(entry.model))) }

        // The key's rate window (behaviour.md §7.1): the crossing request passes, the next one is refused. A key
        // whose window ended meanwhile gets a bounded TTL (the next admission starts a fresh window anyway).
        if entry.rateWindowMinutes > 0 {
            let windowMs = RedisArgument(entry.rateWindowMinutes * 60_000)
            commands.append(RedisCommand("INCRBY", RedisArgument(RedisKeys.rateWindowTokens(key)), RedisArgument(u.allTokens)))
            commands.append(RedisCommand("PEXPIRE", RedisArgument(RedisKeys.rateWindowTokens(key)), windowMs, "NX"))
            if let cost {
                commands.append(RedisCommand("INCRBYFLOAT", RedisArgument(RedisKeys.rateWindowCost(key)), RedisArgument(DecimalText.fixed10(cost.total))))
                commands.append(RedisCommand("PEXPIRE", RedisArgument(RedisKeys.rateWindowCost(key)), windowMs, "NX"))
            }
        }

        // Billing event for downstream consumers (Node's billingEventPublisher), capped.
        if settings.billingEvents {
            var event: [(String, String)] = [
                ("eventId", UUID().uuidString.lowercased()), ("timestamp", ISOTime.string(entry.at)), ("keyId", key),
                ("accountId", account), ("accountType", entry.accountKind.usageType), ("model", entry.model),
                ("inputTokens", String(u.input)), ("outputTokens", String(u.output)), ("cacheCreateTokens", String(u.cacheCreate)),
                ("cacheReadTokens", String(u.cacheRead)), ("ephemeral5mTokens", String(u.cacheCreate5m)),
                ("ephemeral1hTokens", String(u.cacheCreate1h)), ("totalTokens", String(u.allTokens)),
            ]
            if let cost {
                event += [("cost", DecimalText.fixed10(cost.total)), ("inputCost", DecimalText.fixed10(cost.input)),
                          ("outputCost", DecimalText.fixed10(cost.output)), ("cacheCreateCost", DecimalText.fixed10(cost.cacheCreate)),
                          ("cacheReadCost", DecimalText.fixed10(cost.cacheRead))]
            } else {
                event.append(("costUnknown", "true"))
            }
            commands.append(RedisCommand("XADD", arguments: [RedisArgument(RedisKeys.billingEvents), "MAXLEN", "~",
                                                              RedisArgument(settings.billingStreamLength), "*"]
                                            + event.flatMap { [RedisArgument($0.0), RedisArgument($0.1)] }))
        }
        return commands + entry.trailing
    }

    private func warnUnpriced(_ model: String) {
        let first = warnedModels.withLockedValue { $0.insert(model).inserted }
        if first {
            logger.warning("model has no price: tokens are recorded, cost is marked unknown", metadata: ["model": "\(model)"])
        }
    }
}
