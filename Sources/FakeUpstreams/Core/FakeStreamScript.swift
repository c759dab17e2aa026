import Hummingbird
import NIOCore

/// Plays a fake's stream event by event under a behaviour's stream faults — cut after N events, a provider
/// error after N, a malformed event after N, a pause, an interval — and counts the usage the stream reports as
/// each event is handed to a live connection. Providers supply their framing: the bytes of each event, the
/// error, the malformed piece.
struct FakeStreamScript: Sendable {
    struct Event: Sendable {
        let name: String
        /// Written one after another (a frame split across writes tests the reader's reassembly).
        let pieces: [ByteBuffer]
    }

    let state: FakeState
    let sequence: Int
    let behavior: FakeBehavior
    let usage: FakeUsage
    let channel: any Channel
    /// The provider's in-stream error (after which the stream ends).
    let errorEvent: @Sendable () -> ByteBuffer
    /// The malformed piece, and whether the stream ends after it.
    let malformed: @Sendable (_ next: Event) -> (piece: ByteBuffer, ends: Bool)
    /// The usage an event reports to the client (and whether it starts a reply); Anthropic's by default.
    var reports: @Sendable (_ event: String, _ usage: FakeUsage) -> (usage: FakeUsage, newReply: Bool)? = FakeStreamScript.anthropicReports

    func body(_ events: [Event]) -> ResponseBody {
        let script = self
        return ResponseBody { writer in
            var outcome = "complete"
            defer { script.state.finish(script.sequence, status: 200, outcome: outcome) }
            let behavior = script.behavior
            do {
                for (index, event) in events.enumerated() {
                    if behavior.cutAfterEvents == index {
                        outcome = "cut after \(index) events"
                        // Let what was written reach the peer first: a cut means "sent N events, then died",
                        // not "maybe lost some of them in a reset". Writes are only queued here; under a loaded
                        // machine the event loop needs a while to put them on the wire before the close drops them
                        // (1 s was not always enough while the whole test suite ran).
                        try await Task.sleep(nanoseconds: 2_000_000_000)
                        throw FakeStreamCut()
                    }
                    if behavior.streamErrorAfterEvents == index {
                        try await writer.write(script.errorEvent())
                        outcome = "error event after \(index) events"
                        try await writer.finish(nil)
                        return
                    }
                    if behavior.malformedAfterEvents == index {
                        let (piece, ends) = script.malformed(event)
                        try await writer.write(piece)
                        if ends {
                            outcome = "malformed event after \(index) events"
                            try await Task.sleep(nanoseconds: 300_000_000)
                            try await writer.finish(nil)
                            return
                        }
                    }
                    if behavior.pauseAfterEvents == index, let pause = behavior.pauseMs, pause > 0 {
                        // Held, but not past the relay's hang-up: a real server stops generating then too.
                        let end = ContinuousClock.now + .milliseconds(pause)
                        while ContinuousClock.now < end, script.channel.isActive {
                            try await Task.sleep(for: min(.milliseconds(20), end - ContinuousClock.now))
                        }
                    }
                    if let interval = behavior.eventIntervalMs, interval > 0, index > 0 {
                        try await Task.sleep(nanoseconds: UInt64(interval) * 1_000_000)
                    }
                    // An event counts as reported once handed to a live connection (the write's own result can
                    // arrive after the relay already read it and hung up).
                    guard script.channel.isActive else { throw CancellationError() }
                    script.countUsage(of: event.name)
                    for piece in event.pieces { try await writer.write(piece) }
                }
                try await writer.finish(nil)
            } catch is CancellationError {
                outcome = "client went away"
                throw CancellationError()
            } catch let cut as FakeStreamCut {
                throw cut
            } catch {
                outcome = "client went away"
                throw error
            }
        }
    }

    private func countUsage(of name: String) {
        if let (reported, newReply) = reports(name, usage) { state.addEmitted(reported, newReply: newReply) }
    }

    /// Anthropic: message_start carries input and cache numbers, message_delta the output.
    static func anthropicReports(_ name: String, _ usage: FakeUsage) -> (usage: FakeUsage, newReply: Bool)? {
        switch name {
        case "message_start":
            return (FakeUsage(input: usage.input, output: 0, cacheCreation5m: usage.cacheCreation5m, cacheCreation1h: usage.cacheCreation1h,
                              cacheRead: usage.cacheRead), true)
        case "message_delta":
            return (FakeUsage(input: 0, output: usage.output), false)
        default:
            return nil
        }
    }
}
