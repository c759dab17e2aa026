import Foundation
import Tracing

/// The OTLP/JSON encoding of a batch (ExportTraceServiceRequest in protobuf's JSON mapping: ids as hex, 64-bit
/// integers as strings, enums as numbers).
enum OTLPJSON {
    static func body(_ spans: [FinishedSpan], settings: OTLPExporter.Settings) -> Data {
        let resource: [String: Any] = ["attributes": [
            attribute("service.name", .string(settings.serviceName)), attribute("service.version", .string(RelayVersion.current)),
            attribute("service.instance.id", .string(settings.instanceID)),
        ]]
        let document: [String: Any] = ["resourceSpans": [[
            "resource": resource,
            "scopeSpans": [["scope": ["name": "crs", "version": RelayVersion.current], "spans": spans.map(span)]],
        ]]]
        return JSON.data(document)
    }

    private static func span(_ span: FinishedSpan) -> [String: Any] {
        var attributes: [[String: Any]] = []
        span.attributes.forEach { name, value in attributes.append(attribute(name, value)) }
        attributes.sort { ($0["key"] as? String ?? "") < ($1["key"] as? String ?? "") }
        var json: [String: Any] = [
            "traceId": span.traceID, "spanId": span.spanID, "name": span.name, "kind": kind(span.kind),
            "startTimeUnixNano": String(span.start), "endTimeUnixNano": String(span.end), "attributes": attributes,
        ]
        if let parent = span.parentSpanID { json["parentSpanId"] = parent }
        if !span.events.isEmpty {
            json["events"] = span.events.map { event -> [String: Any] in
                var eventAttributes: [[String: Any]] = []
                event.attributes.forEach { name, value in eventAttributes.append(attribute(name, value)) }
                return ["name": event.name, "timeUnixNano": String(event.nanosecondsSinceEpoch), "attributes": eventAttributes]
            }
        }
        if let status = span.status {
            json["status"] = ["code": status.code == .ok ? 1 : 2, "message": status.message ?? ""]
        }
        return json
    }

    private static func kind(_ kind: SpanKind) -> Int {
        switch kind {
        case .server: return 2
        case .client: return 3
        case .producer: return 4
        case .consumer: return 5
        default: return 1
        }
    }

    private static func attribute(_ key: String, _ value: SpanAttribute) -> [String: Any] {
        ["key": key, "value": anyValue(value)]
    }

    private static func anyValue(_ value: SpanAttribute) -> [String: Any] {
        switch value {
        case .string(let text): return ["stringValue": text]
        case .int64(let number): return ["intValue": String(number)]
        case .int32(let number): return ["intValue": String(number)]
        case .double(let number): return ["doubleValue": number]
        case .bool(let flag): return ["boolValue": flag]
        case .stringArray(let texts): return ["arrayValue": ["values": texts.map { ["stringValue": $0] }]]
        case .int64Array(let numbers): return ["arrayValue": ["values": numbers.map { ["intValue": String($0)] }]]
        default: return ["stringValue": "\(value)"]
        }
    }
}
