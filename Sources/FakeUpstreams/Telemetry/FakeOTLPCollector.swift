import Foundation
import Hummingbird

/// An OpenTelemetry collector's OTLP/HTTP JSON endpoint, for tracing tests: `POST /otlp/v1/traces` (base URL
/// `${fake}/otlp`; not `/v1/…`, which would shadow the catch-all Anthropic routes) records the export
/// request (read it back from the fake's requests, `GET /__fake/requests`) and answers 200 with an empty
/// ExportTraceServiceResponse — or what a behaviour with `pathPrefix: /otlp/v1/traces` says. Protobuf bodies get 415:
/// the relay must send JSON.
public struct FakeOTLPCollector: Sendable {
    public let state: FakeState

    public init(state: FakeState) {
        self.state = state
    }

    public func register(on router: Router<FakeRequestContext>) {
        router.post("otlp/v1/traces") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 16 << 20)
            let sequence = state.record(request, body: String(buffer: body))
            guard request.headers[.contentType]?.hasPrefix("application/json") == true else {
                return state.finished(sequence, FakeOpenAI.json(415, ["code": 3, "message": "only JSON is accepted here"]))
            }
            guard (try? JSONSerialization.jsonObject(with: Data(buffer: body))) as? [String: Any] != nil else {
                return state.finished(sequence, FakeOpenAI.json(400, ["code": 3, "message": "body is not a JSON object"]))
            }
            if let status = state.nextBehavior(for: request.uri.path, explicitOnly: true).status {
                return state.finished(sequence, FakeOpenAI.json(status, ["code": 14, "message": "unavailable"]))
            }
            return state.finished(sequence, FakeOpenAI.json(200, [:]))
        }
    }
}

/// One span of an export request a fake collector received, flattened for assertions.
public struct CollectedSpan: Sendable, Equatable {
    public let traceID: String
    public let spanID: String
    public let parentSpanID: String?
    public let name: String
    public let kind: Int
    public let attributes: [String: String]
    public let statusCode: Int
    public let serviceName: String

    /// Every span in the `/otlp/v1/traces` requests the fake has recorded, in arrival order.
    public static func all(in state: FakeState) -> [CollectedSpan] {
        state.requests.filter { $0.path == "/otlp/v1/traces" }.flatMap { request -> [CollectedSpan] in
            guard let document = (try? JSONSerialization.jsonObject(with: Data(request.body.utf8))) as? [String: Any] else { return [] }
            return (document["resourceSpans"] as? [[String: Any]] ?? []).flatMap { resource -> [CollectedSpan] in
                let service = values(((resource["resource"] as? [String: Any])?["attributes"] as? [[String: Any]]) ?? [])["service.name"] ?? ""
                return (resource["scopeSpans"] as? [[String: Any]] ?? []).flatMap { scope in
                    (scope["spans"] as? [[String: Any]] ?? []).map { span in
                        CollectedSpan(traceID: span["traceId"] as? String ?? "", spanID: span["spanId"] as? String ?? "",
                                      parentSpanID: span["parentSpanId"] as? String, name: span["name"] as? String ?? "",
                                      kind: span["kind"] as? Int ?? 0, attributes: values(span["attributes"] as? [[String: Any]] ?? []),
                                      statusCode: (span["status"] as? [String: Any])?["code"] as? Int ?? 0, serviceName: service)
                    }
                }
            }
        }
    }

    private static func values(_ attributes: [[String: Any]]) -> [String: String] {
        var result: [String: String] = [:]
        for attribute in attributes {
            guard let key = attribute["key"] as? String, let value = attribute["value"] as? [String: Any], let first = value.first else { continue }
            result[key] = first.key == "boolValue" ? ((first.value as? Bool) == true ? "true" : "false") : "\(first.value)"
        }
        return result
    }
}
