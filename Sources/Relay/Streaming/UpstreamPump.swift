import AsyncHTTPClient
import DequeModule
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle

/// Reads an upstream response body in its own task and hands the chunks over through a small bounded buffer. The
/// relay can then stop the upstream read — the client hung up, or the shutdown grace period ran out — without
/// cancelling the task that still has to end the client's stream properly. The buffer is bounded: a slow client
/// slows the upstream read down instead of growing memory. With an idle timeout, an upstream that sends nothing
/// for that long while the pump waits on it (not while a slow client keeps the buffer full) is stopped as
/// `.upstreamIdle`; a stream still running at the request deadline is stopped as `.upstreamDeadline` (the HTTP
/// client's deadline covers only the response head).
final class UpstreamPump: Sendable {
    enum Event: Sendable {
        case chunk(ByteBuffer)
        case end
        case failed(any Error)
        case stopped(StreamInterruption)
    }

    private struct State {
        var buffer: Deque<ByteBuffer> = []
        var finished: Event?
        var consumer: CheckedContinuation<Void, Never>?
        var producer: CheckedContinuation<Void, Never>?
        var reader: Task<Void, Never>?
        /// When the reader started waiting on the upstream (nil while it waits for buffer space or is done).
        var awaitingSince: ContinuousClock.Instant?
        /// The client hung up; the read may go on for a bounded drain (`clientLeft(drainingFor:)`).
        var clientLeft = false
        /// The consumer has the stream's usage: a hang-up stops the read at once.
        var usageKnown = false
    }

    private let state = NIOLockedValueBox(State())
    let capacity: Int
    private let idleTimeout: Duration?
    private let deadline: ContinuousClock.Instant?

    init(_ body: HTTPClientResponse.Body, capacity: Int = 16, idleTimeout: Duration? = nil, deadline: ContinuousClock.Instant? = nil) {
        self.capacity = capacity
        self.idleTimeout = idleTimeout
        self.deadline = deadline
        // Detached: it needs none of the request's task-locals (logger, trace), and a child-like `Task {}` copies
        // them all (~1 KB per task, for as long as the stream runs).
        let reader = Task.detached { [self] in
            do {
                var iterator = body.makeAsyncIterator()
                while true {
                    self.setAwaiting(ContinuousClock.now)
                    guard let chunk = try await iterator.next() else { break }
                    self.setAwaiting(nil)
                    await self.waitForSpace()
                    guard self.push(chunk) else { return }
                }
                self.finish(.end)
            } catch {
                self.finish(.failed(error))
            }
        }
        state.withLockedValue { $0.reader = reader }
        // An upstream gone quiet and the request deadline (a stream may not outlive it) are checked by the shared
        // watch until the body ends or the pump is stopped.
        if idleTimeout != nil || deadline != nil { PumpWatch.shared.watch(self) }
    }

    /// Called by `PumpWatch`: stops the pump once the request deadline has passed, or the upstream has sent nothing
    /// for the idle limit while the pump waited on it.
    func checkLimits(at now: ContinuousClock.Instant) {
        let (since, done) = state.withLockedValue { ($0.awaitingSince, $0.finished != nil) }
        if done {
            PumpWatch.shared.unwatch(self)
        } else if let deadline, now >= deadline {
            stop(.upstreamDeadline)
        } else if let idleTimeout, let since, now - since >= idleTimeout {
            stop(.upstreamIdle(idleTimeout))
        }
    }

    private func setAwaiting(_ since: ContinuousClock.Instant?) {
        state.withLockedValue { $0.awaitingSince = since }
    }

    /// The next chunk, or how the body ended. Cancelling the caller stops the pump (as a hang-up would).
    func next() async -> Event {
        await withTaskCancellationHandler {
            await nextEvent()
        } onCancel: {
            stop(.clientGone)
        }
    }

    private func nextEvent() async -> Event {
        while true {
            if let event = take() { return event }
            await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
                let ready = state.withLockedValue { state -> Bool in
                    if !state.buffer.isEmpty || state.finished != nil { return true }
                    state.consumer = continuation
                    return false
                }
                if ready { continuation.resume() }
            }
        }
    }

    /// Stops reading the upstream (its request is cancelled); the consumer sees `.stopped(reason)` after the chunks
    /// already handed over. The first reason wins; a body that already ended is left as it is.
    func stop(_ reason: StreamInterruption) {
        let (reader, waiters) = state.withLockedValue { state -> (Task<Void, Never>?, [CheckedContinuation<Void, Never>]) in
            if state.finished == nil { state.finished = .stopped(reason) }
            let waiters = [state.consumer, state.producer].compactMap { $0 }
            state.consumer = nil
            state.producer = nil
            return (state.reader, waiters)
        }
        PumpWatch.shared.unwatch(self)
        reader?.cancel()
        for waiter in waiters { waiter.resume() }
    }

    /// The client hung up. Once the consumer knows the stream's usage (`usageKnown()`), the read stops at once, as
    /// the stream is billed as far as it was read. Before that, the upstream has already counted the request, so the
    /// read goes on for up to `limit` (nothing more is written to the client) for the relay to learn the usage — then
    /// the pump stops as `.clientGone`. A zero limit stops at once.
    func clientLeft(drainingFor limit: Duration) {
        let (first, known) = state.withLockedValue { state -> (Bool, Bool) in
            defer { state.clientLeft = true }
            return (!state.clientLeft, state.usageKnown)
        }
        guard first else { return }
        guard limit > .zero, !known else { return stop(.clientGone) }
        Task.detached { [self] in
            try? await Task.sleep(for: limit)
            self.stop(.clientGone)
        }
    }

    var clientHasLeft: Bool { state.withLockedValue { $0.clientLeft } }

    /// The consumer has read the stream's usage: from now on a hang-up stops the read at once.
    func usageKnown() {
        let left = state.withLockedValue { state -> Bool in
            state.usageKnown = true
            return state.clientLeft
        }
        if left { stop(.clientGone) }
    }

    var interruption: StreamInterruption? {
        state.withLockedValue { if case .stopped(let reason)? = $0.finished { return reason } else { return nil } }
    }

    private func take() -> Event? {
        let (event, producer) = state.withLockedValue { state -> (Event?, CheckedContinuation<Void, Never>?) in
            if let chunk = state.buffer.popFirst() {
                let producer = state.producer
                state.producer = nil
                return (.chunk(chunk), producer)
            }
            return (state.finished, nil)
        }
        producer?.resume()
        return event
    }

    /// False once stopped: the reader ends.
    private func push(_ chunk: ByteBuffer) -> Bool {
        let (accepted, consumer) = state.withLockedValue { state -> (Bool, CheckedContinuation<Void, Never>?) in
            if state.finished != nil { return (false, nil) }
            state.buffer.append(chunk)
            let consumer = state.consumer
            state.consumer = nil
            return (true, consumer)
        }
        consumer?.resume()
        return accepted
    }

    private func waitForSpace() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let ready = state.withLockedValue { state -> Bool in
                if state.buffer.count < capacity || state.finished != nil { return true }
                state.producer = continuation
                return false
            }
            if ready { continuation.resume() }
        }
    }

    private func finish(_ event: Event) {
        let consumer = state.withLockedValue { state -> CheckedContinuation<Void, Never>? in
            if state.finished == nil { state.finished = event }
            let consumer = state.consumer
            state.consumer = nil
            return consumer
        }
        PumpWatch.shared.unwatch(self)
        consumer?.resume()
    }
}

/// Why a running stream was cut short from outside.
enum StreamInterruption: Sendable, Equatable {
    case clientGone
    case shuttingDown
    /// The upstream sent nothing for this long.
    case upstreamIdle(Duration)
    /// The request's deadline passed while the stream was still running.
    case upstreamDeadline
}

/// Runs `body` while watching for the client's connection to close (the pump then drains for up to `drain`, see
/// `UpstreamPump.clientLeft`) and for the relay's graceful shutdown (plus `grace`), which stops `pump`.
func watchingInterruptions<T>(of pump: UpstreamPump, channel: (any Channel)?, grace: Duration, drain: Duration,
                              _ body: () async throws -> T) async rethrows -> T {
    channel?.closeFuture.whenComplete { _ in pump.clientLeft(drainingFor: drain) }
    return try await withGracefulShutdownHandler {
        try await body()
    } onGracefulShutdown: {
        Task {
            try? await Task.sleep(for: grace)
            pump.stop(.shuttingDown)
        }
    }
}
