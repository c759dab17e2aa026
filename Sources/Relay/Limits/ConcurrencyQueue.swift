import Foundation
import NIOCore

/// Node's concurrent-request queue: a request over its key's concurrency limit waits for a lease instead of being
/// refused at once, up to `timeoutMilliseconds`, with at most `max(limit × multiplier, maxSize)` requests of the key
/// waiting across all instances (`concurrency:queue:<key hash>`). While it waits it holds no lease — it asks the
/// admission script again, with growing pauses — so a client that hangs up while waiting leaves nothing behind.
struct ConcurrencyQueue: Sendable {
    /// Node's settings (`claude_relay_config`): `concurrentRequestQueueEnabled`, `…MaxSize`, `…MaxSizeMultiplier`,
    /// `…TimeoutMs`.
    struct Settings: Sendable, Equatable {
        var enabled = false
        var maxSize = 3
        var multiplier = 0.0
        var timeoutMilliseconds = 10_000

        init() {}

        init(_ document: [String: Any]) {
            enabled = document["concurrentRequestQueueEnabled"] as? Bool == true
            if let value = JSON.int(document["concurrentRequestQueueMaxSize"]), value >= 1 { maxSize = value }
            if let value = JSON.number(document["concurrentRequestQueueMaxSizeMultiplier"]), value >= 0 { multiplier = value }
            if let value = JSON.int(document["concurrentRequestQueueTimeoutMs"]), value > 0 { timeoutMilliseconds = value }
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
            var full = RelayError(429, "rate_limit_error", "Concurrency queue full: \(position - 1) requests of this key are already waiting (at most \(capacity)); limit \(limit) concurrent requests")
            full.details = ["code": .string("concurrency_queue_full"), "concurrencyLimit": .integer(limit), "maxQueueSize": .integer(capacity)]
            full.headers["retry-after"] = String(timeoutSeconds)
            throw full
        }
        let started = ContinuousClock.now
        let deadline = started + .milliseconds(settings.timeoutMilliseconds)
        var pause = firstPause
        while true {
            let jittered = pause * Double.random(in: 0.8...1.2)
            try await Task.sleep(for: min(jittered, max(.zero, deadline - ContinuousClock.now)))
            if let channel, !channel.isActive { throw RelayError(499, "client_closed_request", "The client closed the connection while waiting in the queue") }
            do {
                return try await admit()
            } catch let error as RelayError where Self.isConcurrencyRefusal(error) {
                guard ContinuousClock.now < deadline else {
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
}
