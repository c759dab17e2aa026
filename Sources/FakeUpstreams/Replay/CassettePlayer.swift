import Cassettes
import Foundation
import HTTPTypes
import Hummingbird
import NIOConcurrencyHelpers
import NIOCore

/// Replays recorded exchanges (`crs serve --record`): a request that matches a loaded cassette — same method, same
/// path from `/v1/` on, same `model` and `stream` in the body — is answered with the recorded status, headers and
/// body chunks, each cassette once, in file order. Timing is kept (`speed` 1), compressed (e.g. 10) or dropped (0).
/// Credentials are not checked: a cassette's were redacted when it was recorded.
public final class CassettePlayer: Sendable {
    private struct State {
        var queue: [Cassette] = []
        var speed: Double = 0
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    public func load(_ cassettes: [Cassette], speed: Double) {
        state.withLockedValue { state in
            state.queue += cassettes.filter { $0.response != nil && $0.response!.status > 0 }
            state.speed = max(0, speed)
        }
    }

    public func clear() { state.withLockedValue { $0 = State() } }

    public var remaining: Int { state.withLockedValue { $0.queue.count } }

    /// The first matching cassette, taken out of the queue.
    func take(method: String, path: String, body: [String: Any]?) -> (Cassette, speed: Double)? {
        let model = body?["model"] as? String
        let stream = (body?["stream"] as? Bool) == true
        return state.withLockedValue { state in
            guard let index = state.queue.firstIndex(where: { cassette in
                cassette.request.method.uppercased() == method.uppercased() && path.hasSuffix(cassette.apiPath)
                    && (cassette.requestModel == nil || cassette.requestModel == model) && cassette.requestStreams == stream
            }) else { return nil }
            return (state.queue.remove(at: index), state.speed)
        }
    }

    /// The recorded response, chunk by chunk; `onEnd` reports how the replay ended.
    static func response(for cassette: Cassette, speed: Double, onEnd: @escaping @Sendable (String) -> Void) -> Response {
        let recorded = cassette.response!
        var headers = HTTPFields()
        for pair in recorded.headers where pair.count == 2 {
            // Framing is the server's own business; a redacted header is not replayed.
            guard !["content-length", "transfer-encoding", "connection"].contains(pair[0]), pair[1] != "[REDACTED]",
                  let name = HTTPField.Name(pair[0]) else { continue }
            headers[name] = pair[1]
        }
        let chunks = recorded.chunks
        return Response(status: .init(code: recorded.status), headers: headers, body: ResponseBody { writer in
            var previous = 0
            do {
                for chunk in chunks {
                    if speed > 0, chunk.afterMs > previous {
                        try await Task.sleep(nanoseconds: UInt64(Double(chunk.afterMs - previous) / speed * 1_000_000))
                    }
                    previous = chunk.afterMs
                    try await writer.write(ByteBuffer(string: chunk.data))
                }
                try await writer.finish(nil)
                onEnd("replayed")
            } catch {
                onEnd("client went away")
                throw error
            }
        })
    }
}
