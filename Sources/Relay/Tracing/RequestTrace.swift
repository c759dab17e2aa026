import HTTPTypes
import NIOConcurrencyHelpers
import Tracing

/// The server span of one relayed request. It ends when the handler returns, or — for a stream — when the stream
/// ends in the response writer, which runs after the handler has returned.
final class RequestTrace: Sendable {
    @TaskLocal static var current: RequestTrace?

    let span: RelaySpan
    private let streaming = NIOLockedValueBox(false)

    init(span: RelaySpan) {
        self.span = span
    }

    /// The stream's writer ends the span (called while the handler still runs).
    func endsWithStream() { streaming.withLockedValue { $0 = true } }

    var endsWithHandler: Bool { !streaming.withLockedValue { $0 } }
}

/// Reads `traceparent` from a client request's headers.
struct HTTPFieldsExtractor: Extractor {
    func extract(key: String, from carrier: HTTPFields) -> String? {
        HTTPField.Name(key).flatMap { carrier[$0] }
    }
}

extension RelayContext {
    /// Runs `body` in a child span of the current one (nothing when tracing is off); errors mark the span.
    func traced<T>(_ name: String, kind: SpanKind = .internal, _ body: (RelaySpan?) async throws -> T) async rethrows -> T {
        guard let tracer else { return try await body(nil) }
        let span = tracer.startSpan(name, context: ServiceContext.current ?? .topLevel, ofKind: kind)
        defer { span.end() }
        do {
            return try await ServiceContext.withValue(span.context) { try await body(span) }
        } catch {
            span.recordError(error)
            span.setStatus(SpanStatus(code: .error))
            throw error
        }
    }
}

extension RelaySpan {
    /// What the request cost, on its server span (OpenTelemetry's GenAI attribute names).
    func setUsage(_ usage: TokenUsage?, account: AccountRecord, attempts: Int?) {
        var attributes = self.attributes
        attributes["crs.account.id"] = account.id
        attributes["crs.account.kind"] = account.kind.name
        if let attempts { attributes["crs.attempts"] = attempts }
        if let usage {
            attributes["gen_ai.usage.input_tokens"] = usage.input
            attributes["gen_ai.usage.output_tokens"] = usage.output
            attributes["gen_ai.usage.cache_creation_tokens"] = usage.cacheCreate
            attributes["gen_ai.usage.cache_read_tokens"] = usage.cacheRead
        }
        self.attributes = attributes
    }
}
