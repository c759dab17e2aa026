import Cassettes
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import NIOHTTP1

/// Writes every upstream exchange to `directory` as a `Cassette` (`crs serve --record DIR`), one JSON file each,
/// named by time and sequence. Secrets are removed before anything is written.
public final class CassetteRecorder: Sendable {
    let directory: String
    let clock: RelayClock
    let logger: Logger
    private let sequence = NIOLockedValueBox(0)

    public init(directory: String, clock: RelayClock, logger: Logger) throws {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        self.directory = directory
        self.clock = clock
        self.logger = logger
    }

    /// A tape for one exchange; `credential` is redacted wherever it appears.
    func begin(method: String, url: String, headers: HTTPHeaders, body: ByteBuffer, accountKind: String, credential: String) -> CassetteTape {
        let redactor = Redactor(exact: [credential])
        let request = Cassette.Request(
            method: method, url: redactor.text(url),
            headers: headers.map { [$0.name.lowercased(), redactor.header($0.name, $0.value)] },
            body: redactor.text(String(buffer: body)))
        let number = sequence.withLockedValue { $0 += 1; return $0 }
        let stamp = ISOTime.string(clock.now)
        let name = stamp.replacingOccurrences(of: ":", with: "-") + String(format: "-%05d", number) + ".json"
        return CassetteTape(cassette: Cassette(recordedAt: stamp, accountKind: accountKind, request: request),
                            redactor: redactor, path: directory + "/" + name, logger: logger)
    }
}

/// The recording of one exchange in progress; `finish` writes it (once).
public final class CassetteTape: Sendable {
    private struct State {
        var cassette: Cassette
        var started = ContinuousClock.now
        var written = false
    }

    private let state: NIOLockedValueBox<State>
    let redactor: Redactor
    let path: String
    let logger: Logger

    init(cassette: Cassette, redactor: Redactor, path: String, logger: Logger) {
        self.state = NIOLockedValueBox(State(cassette: cassette))
        self.redactor = redactor
        self.path = path
        self.logger = logger
    }

    func head(status: Int, headers: HTTPHeaders) {
        state.withLockedValue { state in
            state.started = ContinuousClock.now
            state.cassette.response = Cassette.Response(
                status: status, headers: headers.map { [$0.name.lowercased(), redactor.header($0.name, $0.value)] }, chunks: [], outcome: "complete")
        }
    }

    func chunk(_ buffer: ByteBuffer) {
        let data = redactor.text(String(buffer: buffer))
        state.withLockedValue { state in
            let elapsed = ContinuousClock.now - state.started
            let ms = Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000)
            state.cassette.response?.chunks.append(Cassette.Chunk(afterMs: ms, data: data))
        }
    }

    func finish(outcome: String = "complete") {
        let cassette: Cassette? = state.withLockedValue { state in
            guard !state.written else { return nil }
            state.written = true
            if state.cassette.response == nil {
                state.cassette.response = Cassette.Response(status: 0, headers: [], chunks: [], outcome: outcome)
            } else {
                state.cassette.response?.outcome = outcome
            }
            return state.cassette
        }
        guard let cassette else { return }
        do {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            // Owner-only (0600), written under a temporary name and moved into place: a reader never sees half a file.
            let temporary = path + ".partial"
            guard FileManager.default.createFile(atPath: temporary, contents: try encoder.encode(cassette), attributes: [.posixPermissions: 0o600]) else {
                throw CocoaError(.fileWriteUnknown)
            }
            guard rename(temporary, path) == 0 else { throw CocoaError(.fileWriteUnknown) }
        } catch {
            logger.warning("could not write a cassette", metadata: ["path": "\(path)", "error": "\(error)"])
        }
    }
}
