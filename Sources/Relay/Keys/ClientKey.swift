import Foundation
import HTTPTypes

/// Finds the relay key in a request (docs/reference/clients.md): `x-api-key`, `x-goog-api-key`, `Authorization`,
/// `api-key`, then `?key=`; a leading `Bearer ` is stripped from any of them. Resolving it and every check on it
/// happen in the admission script (`AdmissionGate`).
public enum ClientKey {
    public static func extract(headers: HTTPFields, query: String?) -> String? {
        for field in keyHeaders {
            guard let raw = headers.value(field) else { continue }
            let value = stripBearer(raw)
            if !value.isEmpty { return value }
        }
        guard let query, !query.isEmpty else { return nil }
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1)
            if parts.count == 2, parts[0] == "key" {
                let value = String(parts[1]).removingPercentEncoding ?? String(parts[1])
                if !value.isEmpty { return value }
            }
        }
        return nil
    }

    static let keyHeaders: [HTTPField.Name] = ["x-api-key", "x-goog-api-key", "authorization", "api-key"].map { HTTPField.Name($0)! }

    static func stripBearer(_ value: String) -> String {
        let trimmed = TextScan.trimmed(value)
        if TextScan.hasPrefixIgnoringCase(trimmed, "bearer ") { return TextScan.trimmed(String(trimmed.dropFirst(7))) }
        return trimmed
    }

    /// The client's key, present and well-formed, or a 401.
    static func raw(headers: HTTPFields, query: String?, hasher: APIKeyHasher) throws -> String {
        guard let raw = extract(headers: headers, query: query) else {
            throw RelayError.unauthorized("Missing API key: provide it in x-api-key, x-goog-api-key or Authorization: Bearer")
        }
        guard raw.utf8.count >= 10, raw.utf8.count <= 512, hasher.hasValidShape(raw) else {
            throw RelayError.unauthorized("Invalid API key format")
        }
        return raw
    }
}
