import Foundation
import Logging
import NIOConcurrencyHelpers

/// The relay instances' log lines (debug and up) of one scenario, kept in memory (the newest `capacity`), so a failure report can
/// show what the relay said while the failing step ran — and a passing run prints nothing.
public final class RelayLogCapture: Sendable {
    private struct State {
        var lines: [String] = []
        var total = 0
    }

    private let state = NIOLockedValueBox(State())
    let capacity: Int
    let level: Logger.Level

    public init(capacity: Int = 4000, level: Logger.Level = .debug) {
        self.capacity = capacity
        self.level = level
    }

    /// How many lines were logged so far (a position to ask `lines(since:)` about later).
    public var position: Int { state.withLockedValue { $0.total } }

    /// Lines logged after `position` that are still kept.
    public func lines(since position: Int) -> [String] {
        state.withLockedValue { state in
            let kept = state.total - state.lines.count
            return Array(state.lines.dropFirst(max(0, position - kept)))
        }
    }

    func append(_ line: String) {
        state.withLockedValue { state in
            state.lines.append(line)
            state.total += 1
            if state.lines.count > capacity { state.lines.removeFirst(state.lines.count - capacity) }
        }
    }

    /// A logger factory for `RelayServices.make(makeLogger:)` (and the harness's own logger).
    public func logger(_ label: String, instance: Int? = nil) -> Logger {
        var logger = Logger(label: label) { label in CapturingHandler(label: label, capture: self, instance: instance) }
        logger.logLevel = level
        return logger
    }
}

struct CapturingHandler: LogHandler {
    let label: String
    let capture: RelayLogCapture
    let instance: Int?
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .info

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(level: Logger.Level, message: Logger.Message, metadata explicit: Logger.Metadata?, source: String, file: String, function: String, line: UInt) {
        let merged = metadata.merging(explicit ?? [:]) { _, new in new }
        let fields = merged.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        let relay = instance.map { "relay\($0) " } ?? ""
        capture.append("\(relay)\(level) \(label): \(message)\(fields.isEmpty ? "" : " " + fields)")
    }
}
