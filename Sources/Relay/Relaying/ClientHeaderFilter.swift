import HTTPTypes
import NIOHTTP1

/// The client headers no upstream gets, for every dialect that forwards client headers (Anthropic, OpenAI
/// Responses, Azure): hop-by-hop headers (also those a `Connection` header names), framing the HTTP client sets
/// itself, credentials (the relay key never leaves the relay), cookies, browser `sec-*` headers, and whatever tells
/// the upstream who the client is or which CDN it came through (`X-Forwarded-*`, `Forwarded`, `Via`, `cf-*`,
/// `True-Client-IP`, …). A dialect may drop more (`alsoDropping`) and sets its own credential and framing.
enum ClientHeaderFilter {
    static let dropped: Set<String> = [
        // hop-by-hop and framing
        "connection", "keep-alive", "proxy-authorization", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
        "host", "content-length", "content-encoding", "accept-encoding", "expect",
        // credentials
        "authorization", "x-api-key", "x-cr-api-key", "api-key", "x-goog-api-key", "cookie",
        // the client's address and the path it came by
        "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "x-forwarded-port", "x-forwarded-server", "x-real-ip", "forwarded",
        "via", "true-client-ip", "x-client-ip", "x-cluster-client-ip", "fastly-client-ip", "x-original-forwarded-for", "cdn-loop",
        // trace context: only the relay's own continuation goes upstream
        "traceparent", "tracestate",
    ]

    static func forward(_ client: HTTPFields, alsoDropping extra: Set<String> = []) -> HTTPHeaders {
        // Headers the client's `Connection` names are hop-by-hop too (RFC 9110 §7.6.1).
        var named = Set<String>()
        for value in client[values: .connection] {
            for token in value.split(separator: ",") { named.insert(token.trimmingCharacters(in: .whitespaces).lowercased()) }
        }
        var headers = HTTPHeaders()
        for field in client {
            let name = field.name.canonicalName.lowercased()
            if dropped.contains(name) || extra.contains(name) || named.contains(name) || name.hasPrefix("sec-") || name.hasPrefix("cf-") { continue }
            headers.add(name: name, value: field.value)
        }
        return headers
    }
}
