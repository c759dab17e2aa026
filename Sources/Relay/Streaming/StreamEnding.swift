/// How a relayed stream stopped, and everything that follows from it, decided without I/O: whether the client
/// gets a terminal error event (and which), whether its response is finished, whether the account's repeated-5xx
/// counter moves, and what the cassette and the trace record. `RelayHandler` only reads the upstream, notes why it
/// stopped, and carries out what this value says.
struct StreamEnding: Equatable, Sendable {
    enum Stop: Equatable, Sendable {
        /// The upstream's body ended (properly or not: the meter says whether its end event came).
        case upstreamEnded
        /// The client hung up (or a write to it failed): nothing more is written.
        case clientGone
        /// The relay's shutdown grace period ran out.
        case shuttingDown
        case upstreamFailed(UpstreamFailure)
    }

    enum UpstreamFailure: Equatable, Sendable {
        /// The connection failed; the error's type name.
        case transport(String)
        /// The framing checks failed (an event-stream CRC): nothing after it is trusted.
        case corrupted(String)
        /// The upstream sent nothing for this long (`CRS_UPSTREAM_IDLE_TIMEOUT_MS`).
        case idle(Duration)
        /// The stream outlived the request deadline (`CRS_UPSTREAM_TIMEOUT_MS`).
        case deadline(Duration)

        var name: String {
            switch self {
            case .transport(let name): return name
            case .corrupted: return "StreamCorrupted"
            case .idle: return "UpstreamIdle"
            case .deadline: return "UpstreamDeadlinePassed"
            }
        }

        var clientMessage: String {
            switch self {
            case .idle(let limit): return "Upstream sent nothing for \(limit); stream ended"
            case .deadline(let limit): return "Upstream stream outlived the request deadline (\(limit)); stream ended"
            case .transport, .corrupted: return "Upstream stream ended unexpectedly"
            }
        }
    }

    struct TerminalEvent: Equatable, Sendable {
        let type: String
        let message: String
    }

    let stop: Stop
    /// The meter saw the stream's proper end event.
    let sawEnd: Bool
    /// The upstream reported an error inside the stream (the client already has it).
    let sawError: Bool

    /// The error event the relay ends the client's stream with, so it never looks complete when it is not.
    var terminalEvent: TerminalEvent? {
        switch stop {
        case .clientGone: return nil
        case .shuttingDown: return TerminalEvent(type: "overloaded_error", message: "The relay is shutting down; retry the request")
        case .upstreamEnded: return sawEnd || sawError ? nil : TerminalEvent(type: "api_error", message: "Upstream stream ended unexpectedly")
        case .upstreamFailed(let failure): return sawError ? nil : TerminalEvent(type: "api_error", message: failure.clientMessage)
        }
    }

    /// The client's response is finished (after the terminal event, if any).
    var finishesClientStream: Bool { stop != .clientGone }

    /// A failed stream counts toward the account's repeated-5xx rule.
    var countsAsServerError: Bool {
        if case .upstreamFailed = stop { return true }
        return false
    }

    /// The outcome written at the end of a cassette.
    var recordedOutcome: String {
        switch stop {
        case .shuttingDown: return "relay shut down"
        case .clientGone: return "client went away"
        case .upstreamFailed(let failure): return "cut: \(failure.name)"
        case .upstreamEnded: return "complete"
        }
    }

    /// The trace span's error (nil: the span is fine).
    var spanError: String? {
        switch stop {
        case .upstreamFailed(let failure): return failure.name
        case .shuttingDown: return "shutdown"
        case .clientGone, .upstreamEnded: return nil
        }
    }
}
