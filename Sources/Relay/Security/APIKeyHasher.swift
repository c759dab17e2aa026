import Crypto

/// Relay API keys as Node makes them: `prefix + hex(32 random bytes)`, looked up by
/// `hex(sha256(rawKey + ENCRYPTION_KEY))` in `apikey:hash_map`.
public struct APIKeyHasher: Sendable {
    public let encryptionKey: String
    public let prefix: String

    public init(encryptionKey: String, prefix: String = "cr_") {
        self.encryptionKey = encryptionKey
        self.prefix = prefix
    }

    public func hash(_ rawKey: String) -> String {
        var hasher = SHA256()
        hasher.update(data: Array(rawKey.utf8))
        hasher.update(data: Array(encryptionKey.utf8))
        return Hex.encode(hasher.finalize())
    }

    public func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return prefix + Hex.encode((0..<32).map { _ in UInt8.random(in: .min ... .max, using: &generator) })
    }

    /// Node checks the prefix before hashing; a key without it never reaches Redis.
    public func hasValidShape(_ rawKey: String) -> Bool {
        rawKey.hasPrefix(prefix) && rawKey.utf8.count >= prefix.utf8.count + 10 && rawKey.utf8.count <= 512
    }
}
