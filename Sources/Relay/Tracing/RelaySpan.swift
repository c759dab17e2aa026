import NIOConcurrencyHelpers
import Tracing

/// A span of the relay's tracer. Mutations are locked (a span crosses tasks: a stream's span ends in the response
/// writer); `end` is effective once and hands the finished span to the exporter when the span is sampled.
public final class RelaySpan: Tracing.Span, Sendable {
    public let context: ServiceContext
    public let kind: SpanKind
    let parentSpanID: String?
    let startNanoseconds: UInt64
    private let exporter: OTLPExporter?
    private let state: NIOLockedValueBox<State>

    private struct State {
        var name: String
        var attributes: SpanAttributes = [:]
        var status: SpanStatus?
        var events: [SpanEvent] = []
        var links: [SpanLink] = []
        var ended = false
    }

    init(name: String, kind: SpanKind, context: ServiceContext, parentSpanID: String?, start: UInt64, exporter: OTLPExporter?) {
        self.context = context
        self.kind = kind
        self.parentSpanID = parentSpanID
        self.startNanoseconds = start
        self.exporter = exporter
        self.state = NIOLockedValueBox(State(name: name))
    }

    public var traceParent: TraceParent? { context.traceParent }

    public var isRecording: Bool { exporter != nil && context.traceParent?.sampled == true && !state.withLockedValue { $0.ended } }

    public var operationName: String {
        get { state.withLockedValue { $0.name } }
        set { state.withLockedValue { $0.name = newValue } }
    }

    public var attributes: SpanAttributes {
        get { state.withLockedValue { $0.attributes } }
        set { state.withLockedValue { $0.attributes = newValue } }
    }

    public func setStatus(_ status: SpanStatus) { state.withLockedValue { $0.status = status } }
    public func addEvent(_ event: SpanEvent) { state.withLockedValue { $0.events.append(event) } }
    public func addLink(_ link: SpanLink) { state.withLockedValue { $0.links.append(link) } }

    public func recordError<Instant: TracerInstant>(_ error: Error, attributes: SpanAttributes, at instant: @autoclosure () -> Instant) {
        var attributes = attributes
        attributes["exception.type"] = "\(type(of: error))"
        attributes["exception.message"] = "\(error)"
        addEvent(SpanEvent(name: "exception", at: instant(), attributes: attributes))
    }

    public func end<Instant: TracerInstant>(at instant: @autoclosure () -> Instant) {
        let end = instant().nanosecondsSinceEpoch
        guard let finished = state.withLockedValue({ state -> FinishedSpan? in
            guard !state.ended else { return nil }
            state.ended = true
            guard let parent = context.traceParent, parent.sampled else { return nil }
            return FinishedSpan(traceID: parent.traceID, spanID: parent.spanID, parentSpanID: parentSpanID, name: state.name, kind: kind,
                                start: startNanoseconds, end: max(end, startNanoseconds), attributes: state.attributes, status: state.status,
                                events: state.events)
        }) else { return }
        exporter?.export(finished)
    }
}

/// What the exporter sends for one ended span.
struct FinishedSpan: Sendable {
    let traceID: String
    let spanID: String
    let parentSpanID: String?
    let name: String
    let kind: SpanKind
    let start: UInt64
    let end: UInt64
    let attributes: SpanAttributes
    let status: SpanStatus?
    let events: [SpanEvent]
}
