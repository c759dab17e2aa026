import Foundation
import DequeModule
import Logging
import NIOConcurrencyHelpers

/// Writes one request's usage and cost into every counter of the Node layout (docs/reference/data-layout.md) in a single
/// round trip (one server-side script, `UsageScript`): per key, per model, per key+model, per account, the request log, cost counters,
/// the weekly Opus counter, the realtime minute metrics, the key's rate-window counters, the billing event
/// stream — and, in the same write, the release of the request's concurrency leases.
///
/// Writes after a reply (`recordDetached`) are sent in batches by one task: one round trip carries every write that
/// queued while the previous one was in flight.
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
        /// The account's daily quota: the write counts the spend in its window and stops the account at the limit.
        public var accountQuota: AccountQuota?

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
        /// Usage writes kept while Redis is unreachable (about 1 KB each).
        public var pendingLimit = 10_000
        public init() {}
    }

    let redis: RedisClient
    let prices: PriceBook
    let settings: Settings
    let logger: Logger
    private let warnedModels = NIOLockedValueBox<Set<String>>([])
    private let pending = NIOLockedValueBox<(writes: Deque<UsageWrite>, dropped: Int)>(([], 0))

    /// Detached writes not yet answered by Redis (shutdown waits for them), and those not yet sent.
    private let detached = NIOLockedValueBox(DetachedWrites())
    /// A write after the reply, and what to do when Redis refuses it.
    private typealias DetachedWrite = (write: UsageWrite, onRefused: @Sendable (Error) async -> Void)
    private struct DetachedWrites {
        var unfinished = 0
        var queued: [DetachedWrite] = []
        var sending = false
    }
    /// Most script calls sent in one round trip.
    static let batchLimit = 256

    /// Writes waiting for Redis.
    public var pendingCount: Int { pending.withLockedValue { $0.writes.count } }

    /// Records off the response path (the reply has gone; the write follows). Shutdown waits for these.
    /// One task sends the writes: whatever queued while a batch was in flight goes next, as one pipeline of
    /// script calls — one round trip for many requests under load, and at once when the relay is idle. Each write
    /// stays its own atomic, at-most-once script run.
    func recordDetached(_ entry: Entry, onRefused: @escaping @Sendable (Error) async -> Void) {
        let write = prepare(entry).write
        let start = detached.withLockedValue { state -> Bool in
            state.unfinished += 1
            state.queued.append((write, onRefused))
            defer { state.sending = true }
            return !state.sending
        }
        if start { Task { await sendQueued() } }
    }

    private func sendQueued() async {
        while true {
            let batch = detached.withLockedValue { state -> [DetachedWrite] in
                let batch = Array(state.queued.prefix(Self.batchLimit))
                state.queued.removeFirst(batch.count)
                if batch.isEmpty { state.sending = false }
                return batch
            }
            if batch.isEmpty { return }
            await send(batch)
            detached.withLockedValue { $0.unfinished -= batch.count }
        }
    }

    private func send(_ batch: [DetachedWrite]) async {
        do {
            guard let replies = try await deliver(batch.map(\.write)) else { return }
            for (item, reply) in zip(batch, replies) {
                if case .error(let message) = reply { await item.onRefused(RedisError.server(message)) }
            }
        } catch {
            for item in batch { await item.onRefused(error) }
        }
    }

    /// Waits (up to `timeout`) until every detached recording has finished or been queued.
    public func drainDetached(timeout: Duration) async {
        let deadline = ContinuousClock.now + timeout
        while detached.withLockedValue({ $0.unfinished }) > 0, ContinuousClock.now < deadline {
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
        let (write, cost) = prepare(entry)
        try await deliver([write])?.first?.throwingErrors()
        return cost
    }

    /// Sends the writes in one round trip and returns their replies (error replies as values) — or queues them for
    /// `replayPending()` and returns nil when earlier writes still wait (counters are applied in order) or Redis is
    /// unreachable. Any other failure is thrown.
    private func deliver(_ writes: [UsageWrite]) async throws -> [RedisReply]? {
        if pendingCount > 0 {
            for write in writes { enqueue(write) }
            return nil
        }
        do {
            return try await redis.evaluateAll(UsageScript.script, writes.map { ($0.keys, $0.arguments) })
        } catch let error as RedisError where error.isConnectionError || error.isLoading {
            for write in writes { enqueue(write) }
            logger.warning("usage writes deferred until Redis is reachable", metadata: ["count": "\(writes.count)", "error": "\(error)"])
            return nil
        }
    }

    /// Prices the entry, counts it in the metrics and builds its write.
    private func prepare(_ entry: Entry) -> (write: UsageWrite, cost: CostBreakdown?) {
        let cost = CostCalculator.cost(of: entry.usage, model: entry.model, table: prices.table)
        if cost == nil { warnUnpriced(entry.model) }
        metrics?.usage(entry.usage, model: entry.model, cost: cost?.total)
        let write = UsageWrite(id: UUID().lowercasedString, arguments: UsageScript.arguments(for: entry, cost: cost, settings: settings),
                               queuedAt: .now)
        return (write, cost)
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

    private func warnUnpriced(_ model: String) {
        let first = warnedModels.withLockedValue { $0.insert(model).inserted }
        if first {
            logger.warning("model has no price: tokens are recorded, cost is marked unknown", metadata: ["model": "\(model)"])
        }
    }
}
