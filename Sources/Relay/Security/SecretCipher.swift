import Crypto
import Foundation
import NIOConcurrencyHelpers
import _CryptoExtras

/// Encrypts account secrets exactly as the Node original does, so both can share one Redis:
/// AES-256-CBC (PKCS#7) with key = scrypt(ENCRYPTION_KEY, salt, N=16384, r=8, p=1, 32 bytes), a random IV per
/// value, stored as `hex(iv):hex(ciphertext)`. Each account type has its own salt (`SecretSalt`).
/// Derived keys are cached per salt (scrypt is deliberately slow), and decrypted values per stored value: the relay
/// decrypts the chosen account's credential on every request, and a stored value (random IV included) only ever
/// decrypts to one plaintext — a changed secret is a new stored value.
public final class SecretCipher: Sendable {
    private let secret: String
    private let keys = NIOLockedValueBox<[String: SymmetricKey]>([:])
    private let plaintexts = NIOLockedValueBox<[PlaintextKey: String]>([:])
    private struct PlaintextKey: Hashable {
        let salt: String
        let stored: String
    }
    /// Enough for every account's credential fields; past it the cache starts over.
    static let plaintextCacheLimit = 4096

    public init(encryptionKey: String) {
        self.secret = encryptionKey
    }

    public enum Failure: Error, Equatable, CustomStringConvertible {
        case malformed
        case wrongKeyOrCorrupt

        public var description: String {
            switch self {
            case .malformed: return "encrypted value is not in iv:ciphertext hex form"
            case .wrongKeyOrCorrupt: return "encrypted value could not be decrypted (wrong ENCRYPTION_KEY or corrupt data)"
            }
        }
    }

    /// scrypt(ENCRYPTION_KEY, salt) as Node's `crypto.scryptSync(key, salt, 32)`.
    public func key(for salt: SecretSalt) throws -> SymmetricKey {
        if let cached = keys.withLockedValue({ $0[salt.value] }) { return cached }
        let derived = try KDF.Scrypt.deriveKey(
            from: Array(secret.utf8), salt: Array(salt.value.utf8),
            outputByteCount: 32, rounds: 16384, blockSize: 8, parallelism: 1)
        keys.withLockedValue { $0[salt.value] = derived }
        return derived
    }

    public func encrypt(_ plaintext: String, salt: SecretSalt) throws -> String {
        if plaintext.isEmpty { return "" }
        let ivBytes = (0..<16).map { _ in UInt8.random(in: .min ... .max) }
        let ciphertext = try AES._CBC.encrypt(Array(plaintext.utf8), using: key(for: salt), iv: AES._CBC.IV(ivBytes: ivBytes))
        return Hex.encode(ivBytes) + ":" + Hex.encode(Array(ciphertext))
    }

    /// Decrypts `iv:ct`; a colon-less value uses Node's deprecated `createDecipher` (EVP_BytesToKey/MD5) path.
    public func decrypt(_ stored: String, salt: SecretSalt) throws -> String {
        if stored.isEmpty { return "" }
        let cacheKey = PlaintextKey(salt: salt.value, stored: stored)
        if let cached = plaintexts.withLockedValue({ $0[cacheKey] }) { return cached }
        let plaintext = try decryptUncached(stored, salt: salt)
        plaintexts.withLockedValue { cache in
            if cache.count >= Self.plaintextCacheLimit { cache.removeAll(keepingCapacity: true) }
            cache[cacheKey] = plaintext
        }
        return plaintext
    }

    private func decryptUncached(_ stored: String, salt: SecretSalt) throws -> String {
        guard let colon = stored.firstIndex(of: ":") else { return try decryptLegacy(stored) }
        guard let ivBytes = Hex.decode(stored[..<colon]), ivBytes.count == 16,
              let ciphertext = Hex.decode(stored[stored.index(after: colon)...]), !ciphertext.isEmpty, ciphertext.count % 16 == 0
        else { throw Failure.malformed }
        do {
            let plain = try AES._CBC.decrypt(ciphertext, using: key(for: salt), iv: AES._CBC.IV(ivBytes: ivBytes))
            guard let text = String(bytes: plain, encoding: .utf8) else { throw Failure.wrongKeyOrCorrupt }
            return text
        } catch let failure as Failure {
            throw failure
        } catch {
            throw Failure.wrongKeyOrCorrupt
        }
    }

    private func decryptLegacy(_ stored: String) throws -> String {
        guard let ciphertext = Hex.decode(Substring(stored)), !ciphertext.isEmpty, ciphertext.count % 16 == 0 else {
            throw Failure.malformed
        }
        let (key, iv) = Self.evpBytesToKey(password: Array(secret.utf8))
        do {
            let plain = try AES._CBC.decrypt(ciphertext, using: SymmetricKey(data: key), iv: AES._CBC.IV(ivBytes: iv))
            guard let text = String(bytes: plain, encoding: .utf8) else { throw Failure.wrongKeyOrCorrupt }
            return text
        } catch {
            throw Failure.wrongKeyOrCorrupt
        }
    }

    /// OpenSSL EVP_BytesToKey(MD5, no salt, 1 round) → 32-byte key + 16-byte IV, as `crypto.createDecipher` used.
    static func evpBytesToKey(password: [UInt8]) -> (key: [UInt8], iv: [UInt8]) {
        var derived: [UInt8] = []
        var previous: [UInt8] = []
        while derived.count < 48 {
            previous = Array(Insecure.MD5.hash(data: previous + password))
            derived += previous
        }
        return (Array(derived[0..<32]), Array(derived[32..<48]))
    }
}

/// Node's per-account-type scrypt salts (docs/reference/data-layout.md).
public struct SecretSalt: Sendable, Hashable {
    public let value: String
    public init(_ value: String) { self.value = value }

    public static let claudeOAuth = SecretSalt("salt")
    public static let bedrock = SecretSalt("salt")
    public static let claudeConsole = SecretSalt("claude-console-salt")
    public static let ccr = SecretSalt("ccr-account-salt")
    public static let gemini = SecretSalt("gemini-account-salt")
    public static let geminiAPI = SecretSalt("gemini-api-salt")
    public static let openAI = SecretSalt("openai-account-salt")
    public static let openAIResponses = SecretSalt("openai-responses-salt")
    public static let droid = SecretSalt("droid-account-salt")
    public static let azureOpenAIDefault = SecretSalt("azure-openai-account-default-salt")
}
