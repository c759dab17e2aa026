import Crypto
import Foundation
import Relay
import Testing

/// docs/reference/data-layout.md, "Secrets" vectors, plus values made by an independent implementation (Python's hashlib.scrypt and
/// `cryptography`), so Node-written data decrypts here and ours decrypts there.
@Suite("Node-compatible crypto")
struct SecretCipherTests {
    static let nodeDefaultKey = "CHANGE-THIS-32-CHARACTER-KEY-NOW"
    static let cipher = SecretCipher(encryptionKey: nodeDefaultKey)

    @Test(arguments: [
        (SecretSalt.claudeOAuth, "6bc19eafb4ba064c8c75601131fe8c2d790380763c2e2fa72e1c13372c9e024f"),
        (SecretSalt.claudeConsole, "9e772dc0bbe0069e66c75a502066af6e1890c4956191fdaca3e88e72750bfc30"),
    ])
    func scryptKeysMatchNode(salt: SecretSalt, expected: String) throws {
        let key = try Self.cipher.key(for: salt)
        #expect(key.withUnsafeBytes { Hex.encode($0) } == expected)
    }

    @Test func apiKeyHashMatchesNodeFormula() {
        let hasher = APIKeyHasher(encryptionKey: Self.nodeDefaultKey)
        #expect(hasher.hash("cr_" + String(repeating: "0", count: 64)) == "ed2cbdb470e2c5cf28c4338b11394e66263b509bf1b3a3f89b373ddf736bdf58")
        let generated = hasher.generate()
        #expect(generated.hasPrefix("cr_") && generated.count == 67 && hasher.hasValidShape(generated))
        #expect(!hasher.hasValidShape("sk-ant-" + String(repeating: "a", count: 40)))
    }

    @Test func decryptsValuesWrittenTheNodeWay() throws {
        let stored = "000102030405060708090a0b0c0d0e0f:ecc2e1a5dfb090ebd71a39d1051c4ca465c062817486a596e1072f7d9c075ee2"
        #expect(try Self.cipher.decrypt(stored, salt: .claudeConsole) == "sk-ant-api03-ünïcode-token")
        // The same value under another account type's salt does not decrypt to it.
        #expect((try? Self.cipher.decrypt(stored, salt: .claudeOAuth)) != "sk-ant-api03-ünïcode-token")
    }

    @Test func decryptsLegacyColonlessValues() throws {
        #expect(try Self.cipher.decrypt("ac3efac2587b7fb646e4e34ed005221d6e6465076b16bdf0715335fc4a94c4de", salt: .claudeOAuth) == "legacy-refresh-token")
    }

    @Test func encryptsSoThatAnIndependentImplementationDecrypts() async throws {
        let plaintext = "refresh-token-ü-\(UUID().uuidString)"
        let stored = try Self.cipher.encrypt(plaintext, salt: .claudeConsole)
        let parts = stored.split(separator: ":")
        #expect(parts.count == 2 && parts[0].count == 32)
        #expect(try Self.cipher.decrypt(stored, salt: .claudeConsole) == plaintext)
        #expect(try Self.cipher.encrypt(plaintext, salt: .claudeConsole) != stored)  // random IV
        #expect(try Self.cipher.encrypt("", salt: .claudeConsole) == "")

        let script = """
            import hashlib, sys
            from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
            from cryptography.hazmat.primitives import padding
            iv, ct = sys.argv[1].split(":")
            key = hashlib.scrypt(b"\(Self.nodeDefaultKey)", salt=b"claude-console-salt", n=16384, r=8, p=1, dklen=32)
            d = Cipher(algorithms.AES(key), modes.CBC(bytes.fromhex(iv))).decryptor()
            u = padding.PKCS7(128).unpadder()
            sys.stdout.write((u.update(d.update(bytes.fromhex(ct)) + d.finalize()) + u.finalize()).decode())
            """
        let (status, output) = try await runProgram(["python3", "-c", script, stored])
        #expect(status == 0, "\(output)")
        #expect(output == plaintext)
    }

    @Test func rejectsMalformedAndWrongKeyValuesWithoutCrashing() {
        #expect(throws: SecretCipher.Failure.malformed) { try Self.cipher.decrypt("zz:11", salt: .claudeOAuth) }
        #expect(throws: SecretCipher.Failure.malformed) { try Self.cipher.decrypt("0011:", salt: .claudeOAuth) }
        let other = SecretCipher(encryptionKey: "another-key-another-key-1234")
        let stored = "000102030405060708090a0b0c0d0e0f:ecc2e1a5dfb090ebd71a39d1051c4ca465c062817486a596e1072f7d9c075ee2"
        #expect((try? other.decrypt(stored, salt: .claudeConsole)) != "sk-ant-api03-ünïcode-token")
    }

    /// Decrypted values are cached per stored value: the cache must answer only for the salt (and so the key)
    /// that decrypted it, and a re-encrypted secret (new IV) is a new entry.
    @Test func cachedPlaintextsStayBoundToTheirSalt() throws {
        let cipher = SecretCipher(encryptionKey: "cache-key-cache-key-cache-key-1234")
        let stored = try cipher.encrypt("sk-ant-oat01-cached", salt: .claudeConsole)
        #expect(try cipher.decrypt(stored, salt: .claudeConsole) == "sk-ant-oat01-cached")
        #expect(try cipher.decrypt(stored, salt: .claudeConsole) == "sk-ant-oat01-cached")
        #expect((try? cipher.decrypt(stored, salt: .gemini)) != "sk-ant-oat01-cached")
        let rotated = try cipher.encrypt("sk-ant-oat01-rotated", salt: .claudeConsole)
        #expect(try cipher.decrypt(rotated, salt: .claudeConsole) == "sk-ant-oat01-rotated")
    }
}
