import Foundation
import Synchronization

/// One request's slot in a concurrency set (`concurrency:{keyId}` or an account's set): a ZSET member scored by
/// its expiry. Released exactly once — by whichever exit path comes first (the usage write after the reply, an
/// error, a client disconnect, cancellation) — and, should every path be missed, when the lease object goes
/// away. While held, the `LeaseKeeper` renews it; if the process dies, it expires by itself.
public final class ConcurrencyLease: Sendable {
    public let setKey: String
    public let member: String
    private let released = Atomic<Bool>(false)
    let keeper: LeaseKeeper

    init(setKey: String, member: String, keeper: LeaseKeeper) {
        self.setKey = setKey
        self.member = member
        self.keeper = keeper
        keeper.track(self)
    }

    public var isReleased: Bool { released.load(ordering: .acquiring) }

    /// The commands that release the lease, the first time only (nil afterwards): the caller sends them, usually
    /// inside the request's usage pipeline. An emptied ZSET disappears by itself.
    public func takeRelease() -> [RedisCommand]? {
        guard !released.exchange(true, ordering: .acquiringAndReleasing) else { return nil }
        keeper.untrack(self)
        return [
            RedisCommand("ZREM", RedisArgument(setKey), RedisArgument(member)),
            RedisCommand("ZREMRANGEBYSCORE", RedisArgument(setKey), "-inf", RedisArgument(keeper.clock.nowMilliseconds)),
        ]
    }

    /// Releases now (one round trip), unless already released.
    public func release() async {
        guard let commands = takeRelease() else { return }
        await keeper.send(commands)
    }

    deinit {
        if let commands = takeRelease() { keeper.sendDetached(commands) }
    }
}
