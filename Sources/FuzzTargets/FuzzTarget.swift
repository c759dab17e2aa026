import AWSProtocols
import Foundation
import HTTPTypes
import NIOCore
import Relay
import Scenario

/// The fuzz targets: each feeds raw bytes to one parser of the relay or the harness. `crs-fuzz` runs them under
/// libFuzzer (scripts/fuzz) or replays inputs; `FuzzCorpusTests` replays the corpus under fixtures/fuzz/ in the suite.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case json, sseMeter = "sse-meter", eventStream = "event-stream", redisReplies = "redis-replies", apiKey = "api-key",
         scenario, traceParent = "traceparent", clientText = "client-text", modelName = "model-name", errorClassifier = "error-classifier",
         chatCompletions = "chat-completions"

    /// Runs one input; the result only keeps the work from being optimised away.
    public func run(_ bytes: UnsafeRawBufferPointer) -> Int {
        switch self {
        case .json: return FuzzSurface.json(bytes)
        case .redisReplies: return FuzzSurface.redisReplies(bytes)
        case .traceParent: return FuzzSurface.traceParent(bytes)
        case .clientText: return FuzzSurface.clientText(bytes)
        case .modelName: return FuzzSurface.modelName(bytes)
        case .errorClassifier: return FuzzSurface.errorClassifiers(bytes)
        case .chatCompletions: return FuzzSurface.chatCompletions(bytes)
        case .sseMeter:
            // The stream arrives in pieces of a size the input chooses: lines and events cross reads.
            var meter = AnthropicStreamMeter()
            let step = max(1, Int(bytes.first ?? 1))
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + step)
                meter.feed(ByteBuffer(bytes: bytes[offset..<end]))
                offset = end
            }
            return meter.usage.allTokens
        case .eventStream:
            var decoder = EventStreamDecoder()
            let step = max(1, Int(bytes.first ?? 1) * 7)
            var offset = 0
            var messages = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + step)
                guard let decoded = try? decoder.feed(bytes[offset..<end]) else { return messages }
                messages += decoded.count
                offset = end
            }
            return messages
        case .apiKey:
            // First line: a header value; the rest: the query string.
            let text = String(decoding: bytes, as: UTF8.self)
            let parts = text.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
            var headers = HTTPFields()
            let value = String(parts.first ?? "")
            headers[HTTPField.Name("x-api-key")!] = value
            headers[.authorization] = value
            headers[HTTPField.Name("x-goog-api-key")!] = value
            return ClientKey.extract(headers: headers, query: parts.count > 1 ? String(parts[1]) : nil)?.utf8.count ?? 0
        case .scenario:
            return (try? ScenarioFile.parse(String(decoding: bytes, as: UTF8.self), path: "fuzz.yaml"))?.steps.count ?? 0
        }
    }
}
