import Tracing

/// The relay's tracer (swift-distributed-tracing's `Tracer`): W3C `traceparent` in and out, parent-based sampling
/// with a ratio for new traces, spans exported over OTLP/HTTP JSON. Used through `RelayContext.tracer`, not the
/// process-global `InstrumentationSystem` (tests run several relays in one process).
public final class RelayTracer: Tracer, Sendable {
    public typealias Span = RelaySpan

    let exporter: OTLPExporter?
    let sampleRatio: Double

    /// `exporter` nil: spans get ids (a trace can still be forwarded upstream) but nothing is recorded.
    public init(exporter: OTLPExporter?, sampleRatio: Double = 1) {
        self.exporter = exporter
        self.sampleRatio = min(1, max(0, sampleRatio))
    }

    public func startSpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind, at instant: @autoclosure () -> Instant,
        function: String, file fileID: String, line: UInt
    ) -> RelaySpan {
        var context = context()
        let parent = context.traceParent
        let sampled = parent?.sampled ?? (exporter != nil && (sampleRatio >= 1 || Double.random(in: 0..<1) < sampleRatio))
        let spanID = TraceParent.randomSpanID()
        context.traceParent = TraceParent(traceID: parent?.traceID ?? TraceParent.randomTraceID(), spanID: spanID, sampled: sampled)
        return RelaySpan(name: operationName, kind: kind, context: context, parentSpanID: parent?.spanID,
                         start: instant().nanosecondsSinceEpoch, exporter: exporter)
    }

    public func activeSpan(identifiedBy context: ServiceContext) -> RelaySpan? { nil }

    @available(*, deprecated)
    public func startAnySpan<Instant: TracerInstant>(
        _ operationName: String, context: @autoclosure () -> ServiceContext, ofKind kind: SpanKind, at instant: @autoclosure () -> Instant,
        function: String, file fileID: String, line: UInt
    ) -> any Tracing.Span {
        startSpan(operationName, context: context(), ofKind: kind, at: instant(), function: function, file: fileID, line: line)
    }

    public func forceFlush() { exporter?.flushSoon() }

    public func extract<Carrier, Extract: Extractor>(_ carrier: Carrier, into context: inout ServiceContext, using extractor: Extract)
    where Extract.Carrier == Carrier {
        if let header = extractor.extract(key: "traceparent", from: carrier), let parent = TraceParent(header: header) {
            context.traceParent = parent
        }
    }

    public func inject<Carrier, Inject: Injector>(_ context: ServiceContext, into carrier: inout Carrier, using injector: Inject)
    where Inject.Carrier == Carrier {
        if let parent = context.traceParent { injector.inject(parent.header, forKey: "traceparent", into: &carrier) }
    }
}
