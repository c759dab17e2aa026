import DequeModule
import NIOConcurrencyHelpers
import NIOCore

/// A bounded pool of exclusive connections. Callers wait (up to `leaseTimeout`) for a free one; a failed
/// connection attempt opens a backoff window during which callers fail fast with `unavailable` instead of
/// piling up on a server that is down. Dead connections are dropped on release and replaced on demand.
final class RedisConnectionPool: Sendable {
    private enum Grant {
        case connection(RedisConnection)
        case slot  // a slot was freed and reserved for the waiter: it connects itself
    }

    private struct Waiter {
        let id: Int
        let continuation: CheckedContinuation<Grant, Error>
    }

    private struct State {
        var idle: [RedisConnection] = []
        var open = 0
        var waiters = Deque<Waiter>()
        var nextWaiterID = 0
        var backoff: TimeAmount
        var retryAt: NIODeadline = .uptimeNanoseconds(0)
        var lastFailure = ""
        var shutDown = false
    }

    let configuration: RedisConfiguration
    private let group: EventLoopGroup
    private let state: NIOLockedValueBox<State>

    init(configuration: RedisConfiguration, group: EventLoopGroup) {
        self.configuration = configuration
        self.group = group
        self.state = NIOLockedValueBox(State(backoff: configuration.reconnectBackoff.minimum))
    }

    func withConnection<T: Sendable>(_ body: (RedisConnection) async throws -> T) async throws -> T {
        let connection = try await lease()
        do {
            let result = try await body(connection)
            release(connection)
            return result
        } catch {
            release(connection)
            throw error
        }
    }

    func lease() async throws -> RedisConnection {
        enum Step { case use(RedisConnection), connect, wait, fail(Error) }
        let step: Step = state.withLockedValue { state in
            if state.shutDown { return .fail(RedisError.shutDown) }
            while let connection = state.idle.popLast() {
                if connection.isActive { return .use(connection) }
                state.open -= 1
            }
            if state.open < configuration.poolSize {
                if let failure = Self.backoffFailure(state) { return .fail(failure) }
                state.open += 1
                return .connect
            }
            return .wait
        }
        switch step {
        case .use(let connection): return connection
        case .connect: return try await connect()
        case .fail(let error): throw error
        case .wait:
            switch try await waitForGrant() {
            case .connection(let connection): return connection
            case .slot: return try await connect()
            }
        }
    }

    func release(_ connection: RedisConnection) {
        let waiter: (Waiter, Grant)? = state.withLockedValue { state in
            let alive = connection.isActive && !state.shutDown
            if let waiter = state.waiters.popFirst() {
                return (waiter, alive ? .connection(connection) : .slot)
            }
            if alive { state.idle.append(connection) } else { state.open -= 1 }
            return nil
        }
        if let (waiter, grant) = waiter {
            waiter.continuation.resume(returning: grant)
        } else if !connection.isActive || state.withLockedValue({ $0.shutDown }) {
            Task { await connection.close() }
        }
    }

    func shutdown() async {
        let (idle, waiters) = state.withLockedValue { state -> ([RedisConnection], Deque<Waiter>) in
            state.shutDown = true
            defer { state.idle = []; state.waiters = [] }
            return (state.idle, state.waiters)
        }
        for waiter in waiters { waiter.continuation.resume(throwing: RedisError.shutDown) }
        for connection in idle { await connection.close() }
    }

    /// Called with one slot reserved in `open`.
    private func connect() async throws -> RedisConnection {
        do {
            let connection = try await RedisConnection.connect(to: configuration, on: group.next())
            state.withLockedValue { $0.backoff = configuration.reconnectBackoff.minimum }
            return connection
        } catch {
            let reason = (error as? RedisError).map(Self.reason) ?? RedisConnection.describe(error)
            let (failure, waiters) = state.withLockedValue { state -> (RedisError, Deque<Waiter>) in
                state.open -= 1
                state.lastFailure = reason
                state.retryAt = .now() + state.backoff
                let failure = RedisError.unavailable(reason: reason, retryInMilliseconds: Int(state.backoff.nanoseconds / 1_000_000))
                state.backoff = min(state.backoff * 2, configuration.reconnectBackoff.maximum)
                defer { state.waiters = [] }
                return (failure, state.waiters)
            }
            for waiter in waiters { waiter.continuation.resume(throwing: failure) }
            throw failure
        }
    }

    private func waitForGrant() async throws -> Grant {
        let id = state.withLockedValue { state -> Int in
            state.nextWaiterID += 1
            return state.nextWaiterID
        }
        let timeout = configuration.leaseTimeout
        let exhausted = RedisError.poolExhausted(size: configuration.poolSize, waitedMilliseconds: Int(timeout.nanoseconds / 1_000_000))
        let timer = NIOLockedValueBox<Scheduled<Void>?>(nil)
        defer { timer.withLockedValue { $0?.cancel() } }
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                let rejected: Error? = state.withLockedValue { state in
                    if state.shutDown { return RedisError.shutDown }
                    state.waiters.append(Waiter(id: id, continuation: continuation))
                    return nil
                }
                if let rejected { return continuation.resume(throwing: rejected) }
                // Scheduled only once the waiter is queued, so a timeout can never miss it.
                let scheduled = group.next().scheduleTask(in: timeout) { self.removeWaiter(id, error: exhausted) }
                timer.withLockedValue { $0 = scheduled }
            }
        } onCancel: {
            self.removeWaiter(id, error: CancellationError())
        }
    }

    private func removeWaiter(_ id: Int, error: Error) {
        let waiter: Waiter? = state.withLockedValue { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        waiter?.continuation.resume(throwing: error)
    }

    private static func backoffFailure(_ state: State) -> RedisError? {
        let now = NIODeadline.now()
        guard now < state.retryAt else { return nil }
        let remaining = Int((state.retryAt - now).nanoseconds / 1_000_000)
        return .unavailable(reason: state.lastFailure, retryInMilliseconds: max(remaining, 1))
    }

    private static func reason(_ error: RedisError) -> String {
        if case .unavailable(let reason, _) = error { return reason }
        return error.description
    }
}
