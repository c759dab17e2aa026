import HTTPTypes
import NIOHTTP1

/// How every dialect begins an upstream request's headers and its URL, so none of them forgets a step:
/// - the client's headers arrive only through `ClientHeaderFilter` (all but what no upstream may see) or by name
///   from a short allow-list;
/// - `accept-encoding: identity`, so replies come uncompressed and the stream meters read them as they pass;
/// - a base URL loses its trailing slashes, and an account without the URL it needs cannot serve (503, others may).
enum UpstreamHeaders {
    /// The client's headers minus `ClientHeaderFilter`'s (and `alsoDropping`), plus `accept-encoding: identity`.
    static func forwarding(_ client: HTTPFields, alsoDropping extra: Set<String> = []) -> HTTPHeaders {
        var headers = ClientHeaderFilter.forward(client, alsoDropping: extra)
        headers.replaceOrAdd(name: "accept-encoding", value: "identity")
        return headers
    }

    /// Only the client headers named in `allowed` (lower-case), plus `accept-encoding: identity`.
    static func passing(_ allowed: Set<String>, from client: HTTPFields) -> HTTPHeaders {
        var headers = HTTPHeaders()
        for field in client where allowed.contains(field.name.canonicalName.lowercased()) {
            headers.add(name: field.name.canonicalName.lowercased(), value: field.value)
        }
        headers.replaceOrAdd(name: "accept-encoding", value: "identity")
        return headers
    }
}

enum UpstreamBaseURL {
    /// `url` trimmed of whitespace and trailing slashes.
    static func trimmed(_ url: String) -> String {
        var base = TextScan.trimmed(url)
        while base.hasSuffix("/") { base.removeLast() }
        return base
    }

    /// The account's `field` as a base URL; an account without one cannot serve (503: another account may).
    static func of(_ account: AccountRecord, _ field: String, kind: String) throws -> String {
        let base = trimmed(account.fields[field] ?? "")
        guard !base.isEmpty else { throw RelayError.unavailable("\(kind) account \(account.name) has no \(field)") }
        return base
    }
}
