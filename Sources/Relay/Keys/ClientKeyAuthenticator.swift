import Foundation
import HTTPTypes
import Logging

/// Finds the relay key in a request and resolves it (behaviour.md §1.1): `x-api-key`, `x-goog-api-key`,
/// `Authorization`, `api-key`, then `?key=`; a leading `Bearer ` is stripped from any of them. Refuses missing,
/// malformed, unknown, disabled, deleted and expired keys with 401; starts activation-mode keys on first use.
public struct ClientKeyAuthenticator: Sendable {
    let store: APIKeyStore
    let clock: RelayClock
    let logger: Logger

    public init(store: APIKeyStore, clock: RelayClock, logger: Logger) {
        self.store = store
        self.clock = clock
        self.logger = logger
    }

    public static func extract(headers: HTTPFields, query: String?) -> String? {
        let names = ["x-api-key", "x-goog-api-key", "authorization", "api-key"]
        for name in names {
            guard let field = HTTPField.Name(name), let raw = headers[field] else { continue }
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

    static func stripBearer(_ value: String) -> String {
        let trimmed = value.trimmingCharacters(in: .whitespaces)
        if trimmed.lowercased().hasPrefix("bearer ") { return String(trimmed.dropFirst(7)).trimmingCharacters(in: .whitespaces) }
        return trimmed
    }

    /// The client's key, present and well-formed, or a 401.
    static func rawKey(headers: HTTPFields, query: String?, hasher: APIKeyHasher) throws -> String {
        guard let raw = extract(headers: headers, query: query) else {
            throw RelayError.unauthorized("Missing API key: provide it in x-api-key, x-goog-api-key or Authorization: Bearer")
        }
        guard raw.utf8.count >= 10, raw.utf8.count <= 512, hasher.hasValidShape(raw) else {
            throw RelayError.unauthorized("Invalid API key format")
        }
        return raw
    }

    public func authenticate(headers: HTTPFields, query: String?) async throws -> APIKeyRecord {
        let raw = try Self.rawKey(headers: headers, query: query, hasher: store.hasher)
        let found: APIKeyRecord?
        do {
            found = try await store.lookup(rawKey: raw)
        } catch {
            logger.error("API key lookup failed", metadata: ["error": "\(error)"])
            throw RelayError.storeUnavailable
        }
        guard var key = found, !key.isDeleted else { throw RelayError.unauthorized("Invalid API key") }
        guard key.isActive else { throw RelayError.unauthorized("API key is disabled") }
        if key.expirationMode == "activation", !key.isActivated {
            key = try await store.activate(key)
        }
        if let expiry = key.expiresAt, clock.now > expiry { throw RelayError.unauthorized("API key has expired") }
        return key
    }
}
