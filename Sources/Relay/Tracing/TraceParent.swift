import Tracing

/// A W3C Trace Context `traceparent` (https://www.w3.org/TR/trace-context/): version 00 written, later versions
/// read by their first four fields as the spec asks. Ids are lower-case hex; all-zero ids are invalid.
public struct TraceParent: Sendable, Equatable {
    public let traceID: String
    public let spanID: String
    public let sampled: Bool

    public init(traceID: String, spanID: String, sampled: Bool) {
        self.traceID = traceID
        self.spanID = spanID
        self.sampled = sampled
    }

    public init?(header: String) {
        let fields = header.trimmingCharacters(in: .whitespaces).lowercased().split(separator: "-", omittingEmptySubsequences: false)
        guard fields.count >= 4, fields[0].utf8.count == 2, fields[0] != "ff", Self.isHex(fields[0]),
              fields[0] != "00" || fields.count == 4,
              fields[1].utf8.count == 32, Self.isHex(fields[1]), fields[1].contains(where: { $0 != "0" }),
              fields[2].utf8.count == 16, Self.isHex(fields[2]), fields[2].contains(where: { $0 != "0" }),
              fields[3].utf8.count == 2, Self.isHex(fields[3]), let flags = UInt8(fields[3], radix: 16) else { return nil }
        self.init(traceID: String(fields[1]), spanID: String(fields[2]), sampled: flags & 1 == 1)
    }

    public var header: String { "00-\(traceID)-\(spanID)-\(sampled ? "01" : "00")" }

    /// The same trace, continued by a new span of ours.
    func child(spanID: String) -> TraceParent { TraceParent(traceID: traceID, spanID: spanID, sampled: sampled) }

    static func randomTraceID() -> String { hex(UInt64.random(in: 1...UInt64.max)) + hex(UInt64.random(in: 0...UInt64.max)) }
    static func randomSpanID() -> String { hex(UInt64.random(in: 1...UInt64.max)) }

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.utf8.count) + digits
    }

    private static func isHex(_ text: Substring) -> Bool {
        text.utf8.allSatisfy { ($0 >= 0x30 && $0 <= 0x39) || ($0 >= 0x61 && $0 <= 0x66) }
    }
}

/// Where a span's `TraceParent` travels in a `ServiceContext` (task-local, and across `extract`/`inject`).
enum TraceParentKey: ServiceContextKey {
    typealias Value = TraceParent
    static var nameOverride: String? { "traceparent" }
}

extension ServiceContext {
    var traceParent: TraceParent? {
        get { self[TraceParentKey.self] }
        set { self[TraceParentKey.self] = newValue }
    }
}
