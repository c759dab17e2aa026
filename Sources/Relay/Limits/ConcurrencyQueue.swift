import Foundation
import NIOCore

/// Node's concurrent-request queue: a request over its key's concurrency limit waits for a lease instead of being
/// refused at once, up to `timeoutMilliseconds`, with at most `max(limit × multiplier, maxSize)` requests of the key
/// waiting across all instances (`concurrency:queue:<key hash>`). While it waits it holds no lease — it asks the
/// admission script again, with growing pauses — so a client that hangs up while waiting leaves nothing behind.
///
/// Node's queue health check: each wait's length is kept (`concurrency:queue:wait_times:<key hash>`, the last 500, a
/// day); when more than half the queue is taken and at least 10 waits are known, a newcomer is refused at once (429
/// `concurrency_queue_overloaded`, `Retry-After: 30`) while the 90th percentile wait reaches the timeout × threshold —
/// it would most likely time out anyway. Unlike Node, a wait that timed out counts too (as the full timeout): with
/// successes alone a queue where most waits time out would look healthy. Outcomes are counted per key in
/// `concurrency:queue:stats:<key hash>` (entered, success, timeout, full, rejected_overload).
struct ConcurrencyQueue: Sendable {
    /// Node's settings (`claude_relay_config`): `concurrentRequestQueueEnabled`, `…MaxSize`, `…MaxSizeMultiplier`,
    /// `…TimeoutMs`, `…HealthCheckEnabled` (default on), `…HealthThreshold` (default 0.8).
    struct Settings: Sendable, Equatable {
        var enabled = false
        var maxSize = 3
        var multiplier = 0.0
        var timeoutMilliseconds = 10_000
        var healthCheck = true
        var healthThreshold = 0.8

        init() {}

        init(_ document: [String: Any]) {
            enabled = document["concurrentRequestQueueEnabled"] as? Bool == true
            if let value = JSON.int(document["concurrentRequestQueueMaxSize"]), value >= 1 { maxSize = value }
            if let value = JSON.number(document["concurrentRequestQueueMaxSizeMultiplier"]), value >= 0 { multiplier = value }
            if let value = JSON.int(document["concurrentRequestQueueTimeoutMs"]), value > 0 { timeoutMilliseconds = value }
            if let value = document["concurrentRequestQueueHealthCheckEnabled"] as? Bool { healthCheck = value }
            if let value = JSON.number(document["concurrentRequestQueueHealthThreshold"]), value > 0, value <= 1 { healthThreshold = value }
        }

        func capacity(limit: Int) -> Int { max(Int((Double(limit) * multiplier).rounded(.down)), maxSize) }
    }

    let redis: RedisClient
    /// Pauses between tries: from the first to the longest, growing by the factor, ±20 % jitter.
    var firstPause: Duration = .milliseconds(100)
    var longestPause: Duration = .milliseconds(1_000)

    /// Leaves the queue; the last one out removes the counter.
    static let leave = RedisScript("""
        if redis.call('DECR', KEYS[1]) <= 0 then redis.call('DEL', KEYS[1]) end
        return 1
        """)

    static func isConcurrencyRefusal(_ error: RelayError) -> Bool { error.details["code"] == .string("concurrency_limit_exceeded") }

    static let sampleLimit = 500
    static let minimumSamples = 10

    static func waitTimesKey(_ keyHash: String) -> String { RedisKeys.concurrencyQueue("wait_times:" + keyHash) }
    static func statsKey(_ keyHash: String) -> String { RedisKeys.concurrencyQueue("stats:" + keyHash) }

    /// The 90th percentile as Node computes it (the value at rank ⌈0.9 n⌉).
    static func p90(_ samples: [Int]) -> Int? {
        guard !samples.isEmpty else { return nil }
        let sorted = samples.sorted()
        return sorted[max(0, Int((0.9 * Double(sorted.count)).rounded(.up)) - 1)]
    }

    /// Counts an outcome and, for a wait that ended, keeps its length — after the request moves on (best effort).
    private func record(_ keyHash: String, outcome: String, waitedMilliseconds: Int?) {
        var commands = [RedisCommand("HINCRBY", RedisArgument(Self.statsKey(keyHash)), RedisArgument(outcome), "1"),
                        RedisCommand("EXPIRE", RedisArgument(Self.statsKey(keyHash)), "86400")]
        if let waitedMilliseconds {
            let samples = RedisArgument(Self.waitTimesKey(keyHash))
            commands += [RedisCommand("LPUSH", samples, RedisArgument(waitedMilliseconds)),
                         RedisCommand("LTRIM", samples, "0", RedisArgument(Self.sampleLimit - 1)), RedisCommand("EXPIRE", samples, "86400")]
        }
        let redis = self.redis
        Task { _ = try? await redis.pipeline(commands) }
    }

    /// Node's health check: the newcomer is refused when the queue is more than half full and the 90th percentile of
    /// the known waits would use up `threshold` of the timeout.
    private func overloaded(_ keyHash: String, waiting: Int, capacity: Int, settings: Settings) async -> Int? {
        guard settings.healthCheck, waiting > Int((Double(capacity) * 0.5).rounded(.up)) else { return nil }
        let reply = try? await redis.send("LRANGE", RedisArgument(Self.waitTimesKey(keyHash)), "0", RedisArgument(Self.sampleLimit - 1))
        let samples = reply?.array?.compactMap { $0.string.flatMap(Int.init) } ?? []
        guard samples.count >= Self.minimumSamples, let p90 = Self.p90(samples),
              Double(p90) >= Double(settings.timeoutMilliseconds) * settings.healthThreshold else { return nil }
        return p90
    }

    /// Waits in the key's queue, calling `admit` until it gets a lease, the wait times out (429), the queue is full
    /// (429), or the client is gone (the connection closed: nothing is answered).
    func wait(keyHash: String, refusal: RelayError, settings: Settings, channel: (any Channel)?,
              admit: () async throws -> Admission) async throws -> Admission {
        guard case .integer(let limit)? = refusal.details["concurrencyLimit"] else { throw refusal }
        let capacity = settings.capacity(limit: limit)
        let counter = RedisKeys.concurrencyQueue(keyHash)
        let replies = try await redis.pipeline([
            RedisCommand("INCR", RedisArgument(counter)),
            RedisCommand("PEXPIRE", RedisArgument(counter), RedisArgument(settings.timeoutMilliseconds + 5_000)),
        ])
        let position = Int(replies.first?.int ?? 1)
        defer {
            let redis = self.redis
            Task { _ = try? await redis.evaluate(Self.leave, keys: [RedisArgument(counter)]) }  // also when this task is cancelled
        }
        let timeoutSeconds = (settings.timeoutMilliseconds + 999) / 1000
        guard position <= capacity else {
            record(keyHash, outcome: "full", waitedMilliseconds: nil)
            var full = RelayError(429, "rate_limit_error", "Concurrency queue full: \(position - 1) requests of this key are already waiting (at most \(capacity)); limit \(limit) concurrent requests")
            full.details = ["code": .string("concurrency_queue_full"), "concurrencyLimit": .integer(limit), "maxQueueSize": .integer(capacity)]
            full.headers["retry-after"] = String(timeoutSeconds)
            throw full
        }
        if let p90 = await overloaded(keyHash, waiting: position - 1, capacity: capacity, settings: settings) {
            record(keyHash, outcome: "rejected_overload", waitedMilliseconds: nil)
            var overloaded = RelayError(429, "rate_limit_error", "Queue overloaded: waits for this key's \(limit) concurrent request slots take \(p90) ms (90th percentile), close to the \(settings.timeoutMilliseconds) ms timeout; \(position - 1) of \(capacity) queue places are taken. Retry later")
            overloaded.details = ["code": .string("concurrency_queue_overloaded"), "concurrencyLimit": .integer(limit), "maxQueueSize": .integer(capacity),
                                  "queueCount": .integer(position - 1), "estimatedWaitMs": .integer(p90), "queueTimeoutMs": .integer(settings.timeoutMilliseconds)]
            overloaded.headers["retry-after"] = "30"
            throw overloaded
        }
        record(keyHash, outcome: "entered", waitedMilliseconds: nil)
        let started = ContinuousClock.now
        let deadline = started + .milliseconds(settings.timeoutMilliseconds)
        var pause = firstPause
        while true {
            let jittered = pause * Double.random(in: 0.8...1.2)
            try await Task.sleep(for: min(jittered, max(.zero, deadline - ContinuousClock.now)))
            if let channel, !channel.isActive { throw RelayError(499, "client_closed_request", "The client closed the connection while waiting in the queue") }
            do {
                let admitted = try await admit()
                record(keyHash, outcome: "success", waitedMilliseconds: Self.milliseconds(ContinuousClock.now - started))
                return admitted
            } catch let error as RelayError where Self.isConcurrencyRefusal(error) {
                guard ContinuousClock.now < deadline else {
                    record(keyHash, outcome: "timeout", waitedMilliseconds: settings.timeoutMilliseconds)
                    let waited = ContinuousClock.now - started
                    var timeout = RelayError(429, "rate_limit_error", "Queue timeout: waited \(Int(waited.components.seconds)) s for one of this key's \(limit) concurrent request slots")
                    timeout.details = ["code": .string("concurrency_queue_timeout"), "concurrencyLimit": .integer(limit),
                                       "queueTimeoutMs": .integer(settings.timeoutMilliseconds)]
                    timeout.headers["retry-after"] = String(max(5, min(30, (timeoutSeconds + 1) / 2)))
                    throw timeout
                }
                pause = min(pause * 1.5, longestPause)
            }
        }
    }

    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}
