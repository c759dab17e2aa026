import Foundation

/// Tracing settings, read from OpenTelemetry's standard variables so a collector set up for other services works
/// unchanged: `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT` (full URL) or `OTEL_EXPORTER_OTLP_ENDPOINT` (+ `/v1/traces`),
/// `OTEL_EXPORTER_OTLP_HEADERS` (`k=v,k2=v2`, e.g. an API key), `OTEL_SERVICE_NAME`, `OTEL_TRACES_SAMPLER_ARG`
/// (the share of new traces sampled; a client's sampled flag is followed), and `CRS_TRACE_FORWARD`.
public struct TracingConfiguration: Sendable {
    /// Where spans are sent (OTLP/HTTP JSON); nil: not exported.
    public var endpoint: String?
    public var headers: [(String, String)] = []
    public var serviceName = "crs"
    public var sampleRatio = 1.0
    /// Continue the trace upstream with a `traceparent` header.
    public var forward = false

    public init() {}

    /// Tracing does anything at all (spans exported or trace ids forwarded).
    public var isEnabled: Bool { endpoint != nil || forward }

    init(env: EnvironmentReader) throws {
        if let traces = env.string("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") {
            endpoint = try Self.url(traces, variable: "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
        } else if let base = env.string("OTEL_EXPORTER_OTLP_ENDPOINT") {
            let checked = try Self.url(base, variable: "OTEL_EXPORTER_OTLP_ENDPOINT")
            endpoint = (checked.hasSuffix("/") ? String(checked.dropLast()) : checked) + "/v1/traces"
        }
        for pair in (env.string("OTEL_EXPORTER_OTLP_HEADERS") ?? "").split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces).removingPercentEncoding ?? "" }
            guard parts.count == 2, !parts[0].isEmpty, AccountInput.isHeaderSafe(parts[0]), AccountInput.isHeaderSafe(parts[1]) else {
                throw ConfigurationError("OTEL_EXPORTER_OTLP_HEADERS", "must be name=value pairs separated by commas")
            }
            headers.append((parts[0], parts[1]))
        }
        serviceName = env.string("OTEL_SERVICE_NAME", default: "crs")
        if let ratio = env.string("OTEL_TRACES_SAMPLER_ARG") {
            guard let value = Double(ratio), (0...1).contains(value) else {
                throw ConfigurationError("OTEL_TRACES_SAMPLER_ARG", "must be a number from 0 to 1, got '\(ratio)'")
            }
            sampleRatio = value
        }
        forward = try env.bool("CRS_TRACE_FORWARD", default: false)
    }

    private static func url(_ text: String, variable: String) throws -> String {
        guard let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
            throw ConfigurationError(variable, "must be an http(s) URL, got '\(text)'")
        }
        return text
    }
}
