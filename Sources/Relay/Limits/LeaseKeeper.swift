import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// The concurrency leases of this instance: creates them, renews the live ones every `renewInterval` (one
/// pipeline for all), and sweeps expired members out of every `concurrency:*` set once a minute — so a set never
/// counts a request that is gone, even one of a crashed instance (docs/reference/data-layout.md).
public final class LeaseKeeper: Service, Sendable {
    public struct Settings: Sendable {
        /// How long a lease lives without renewal (Node: 300 s, at least 30).
        public var leaseSeconds = 300
        /// Renewal period while the request runs (Node: 30 s; 0 disables renewal).
        public var renewSeconds = 30
        /// Extra life of the set key beyond the lease.
        public var graceSeconds = 30
        public var sweepSeconds = 60
        public init() {}
    }

    let redis: RedisClient
    let clock: RelayClock
    let settings: Settings
    let logger: Logger
    private let live = NIOLockedValueBox<[ObjectIdentifier: (setKey: String, member: String)]>([:])

    public init(redis: RedisClient, clock: RelayClock, settings: Settings, logger: Logger) {
        self.redis = redis
        self.clock = clock
        self.settings = settings
        self.logger = logger
    }

    var leaseMilliseconds: Int { settings.leaseSeconds * 1000 }
    /// Node: `max((lease + grace) · 1000, 60000)`.
    var setTTLMilliseconds: Int { max((settings.leaseSeconds + settings.graceSeconds) * 1000, 60_000) }

    /// A lease for `member` already added to `setKey` (by the admission script or `acquire`).
    func adopt(setKey: String, member: String) -> ConcurrencyLease {
        ConcurrencyLease(setKey: setKey, member: member, keeper: self)
    }

    private static let acquireScript = RedisScript("""
        redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
        local count = redis.call('ZCARD', KEYS[1])
        if count >= tonumber(ARGV[2]) then return -1 - count end
        redis.call('ZADD', KEYS[1], tonumber(ARGV[1]) + tonumber(ARGV[3]), ARGV[4])
        redis.call('PEXPIRE', KEYS[1], ARGV[5])
        return count + 1
        """)

    /// Takes a slot in `setKey` if fewer than `limit` are held (expired ones dropped first); nil when full.
    public func acquire(setKey: String, limit: Int) async throws -> ConcurrencyLease? {
        let member = UUID().lowercasedString
        let reply = try await redis.evaluate(Self.acquireScript, keys: [RedisArgument(setKey)], arguments: [
            RedisArgument(clock.nowMilliseconds), RedisArgument(limit), RedisArgument(leaseMilliseconds),
            RedisArgument(member), RedisArgument(setTTLMilliseconds),
        ])
        guard let count = reply.int, count > 0 else { return nil }
        return adopt(setKey: setKey, member: member)
    }

    public var liveCount: Int { live.withLockedValue { $0.count } }

    func track(_ lease: ConcurrencyLease) {
        live.withLockedValue { $0[ObjectIdentifier(lease)] = (lease.setKey, lease.member) }
    }

    func untrack(_ lease: ConcurrencyLease) {
        _ = live.withLockedValue { $0.removeValue(forKey: ObjectIdentifier(lease)) }
    }

    func send(_ commands: [RedisCommand]) async {
        do {
            _ = try await redis.pipeline(commands)
        } catch {
            // The lease expires by itself (at most `leaseSeconds` later); the sweeper removes it.
            logger.warning("lease release failed; it will expire by itself", metadata: ["error": "\(error)"])
        }
    }

    func sendDetached(_ commands: [RedisCommand]) {
        Task { await send(commands) }
    }

    /// Extends every live lease by a full lease period.
    public func renewAll() async {
        let leases = live.withLockedValue { Array($0.values) }
        guard !leases.isEmpty else { return }
        let expiry = RedisArgument(clock.nowMilliseconds + Int64(leaseMilliseconds))
        var commands: [RedisCommand] = []
        for (setKey, member) in leases {
            commands.append(RedisCommand("ZADD", RedisArgument(setKey), "XX", expiry, RedisArgument(member)))
        }
        for setKey in Set(leases.map(\.setKey)) {
            commands.append(RedisCommand("PEXPIRE", RedisArgument(setKey), RedisArgument(setTTLMilliseconds)))
        }
        do {
            _ = try await redis.pipeline(commands)
        } catch {
            logger.warning("lease renewal failed", metadata: ["leases": "\(leases.count)", "error": "\(error)"])
        }
    }

    /// Drops expired members from every `concurrency:*` set (emptied sets vanish). Returns members removed.
    @discardableResult
    public func sweep() async throws -> Int {
        let keys = try await redis.scan(match: RedisKeys.concurrencyPrefix + "*")
        guard !keys.isEmpty else { return 0 }
        let now = RedisArgument(clock.nowMilliseconds)
        let replies = try await redis.pipeline(keys.map { RedisCommand("ZREMRANGEBYSCORE", RedisArgument($0), "-inf", now) })
        return replies.reduce(0) { $0 + Int($1.int ?? 0) }  // other types under concurrency:* answer an error: skipped
    }

    public func run() async throws {
        let renewEvery = settings.renewSeconds > 0 ? min(max(15, settings.renewSeconds), max(15, settings.leaseSeconds - 5)) : 0
        try? await cancelWhenGracefulShutdown {
            var sinceSweep = 0
            var sinceRenew = 0
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                sinceSweep += 1
                sinceRenew += 1
                if renewEvery > 0, sinceRenew >= renewEvery {
                    sinceRenew = 0
                    await self.renewAll()
                }
                if sinceSweep >= self.settings.sweepSeconds {
                    sinceSweep = 0
                    do { try await self.sweep() } catch { self.logger.warning("lease sweep failed", metadata: ["error": "\(error)"]) }
                }
            }
        }
    }
}
