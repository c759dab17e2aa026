import NIOConcurrencyHelpers

/// The concurrency leases one relayed request holds (its key's, and the serving account's when capped). Whoever
/// finishes the request takes their release commands — into the usage pipeline, or sent on their own.
public final class RequestLeases: Sendable {
    private let held: NIOLockedValueBox<[ConcurrencyLease]>

    public init(_ leases: ConcurrencyLease?...) {
        held = NIOLockedValueBox(leases.compactMap { $0 })
    }

    public func add(_ lease: ConcurrencyLease?) {
        guard let lease else { return }
        held.withLockedValue { $0.append(lease) }
    }

    /// Release commands of every lease not yet released (each lease yields them once).
    public func takeReleases() -> [RedisCommand] {
        held.withLockedValue { $0 }.flatMap { $0.takeRelease() ?? [] }
    }

    /// Releases whatever is still held, in one round trip (a failure is logged; the leases then expire).
    public func release() async {
        guard let keeper = held.withLockedValue({ $0.first?.keeper }) else { return }
        let commands = takeReleases()
        guard !commands.isEmpty else { return }
        await keeper.send(commands)
    }
}
