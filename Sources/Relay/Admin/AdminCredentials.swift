import Crypto
import Foundation
import Logging
import _CryptoExtras

/// The admin login, stored in `session:admin_credentials` (Node's hash; `passwordHash` is ours:
/// `scrypt$N$r$p$salt$hash`). Node's bcrypt hashes cannot be verified here: operators switching over set
/// `CRS_ADMIN_USERNAME`/`CRS_ADMIN_PASSWORD` once (Node overwrote the hash from its init.json at every start too).
public struct AdminCredentials: Sendable {
    let redis: RedisClient
    let clock: RelayClock

    public init(redis: RedisClient, clock: RelayClock) {
        self.redis = redis
        self.clock = clock
    }

    /// At start-up: configured credentials replace the stored ones; with none stored and none configured, a
    /// username and password are generated, stored hashed, and returned so the caller prints them once.
    public func bootstrap(username: String?, password: String?, logger: Logger) async throws -> (username: String, password: String)? {
        if let username, let password {
            let existing = try await redis.send("HGETALL", RedisArgument(RedisKeys.adminCredentials)).stringDictionary
            if existing["username"] == username, let hash = existing["passwordHash"],
               try await LoginThrottle.offloaded({ Self.check(password, against: hash) }) {
                return nil  // unchanged: sessions stay valid
            }
            // New or rotated credentials from the environment: every session issued under the old ones ends.
            try await store(username: username, password: password, endSessions: !existing.isEmpty)
            logger.info("admin credentials set from CRS_ADMIN_USERNAME / CRS_ADMIN_PASSWORD", metadata: ["username": "\(username)"])
            return nil
        }
        let existing = try await redis.send("HGETALL", RedisArgument(RedisKeys.adminCredentials)).stringDictionary
        if let hash = existing["passwordHash"], hash.hasPrefix("scrypt$") { return nil }
        let generatedUser = username ?? "cr_admin_" + Hex.encode((0..<4).map { _ in UInt8.random(in: .min ... .max) })
        let alphabet = Array("ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789")
        let generatedPassword = password ?? String((0..<16).map { _ in alphabet.randomElement()! })
        try await store(username: generatedUser, password: generatedPassword)
        return (generatedUser, generatedPassword)
    }

    /// Writes the credentials; `endSessions` starts a new session generation (every earlier token is refused).
    public func store(username: String, password: String, endSessions: Bool = false) async throws {
        let now = ISOTime.string(clock.now)
        let hash = try await LoginThrottle.offloaded { try Self.hash(password) }
        var commands = [RedisCommand("HSET", arguments: [RedisArgument(RedisKeys.adminCredentials)] + APIKeyStore.flatten([
            "username": username, "passwordHash": hash, "updatedAt": now, "createdAt": now,
        ]))]
        if endSessions { commands.append(RedisCommand("HINCRBY", RedisArgument(RedisKeys.adminCredentials), "sessionGeneration", "1")) }
        _ = try await redis.transaction(commands)
    }

    /// Replaces the password (and optionally the username) after checking the current password, and starts a
    /// new session generation: every token issued before is refused from then on (`AdminSessions.verify`).
    public func change(username: String, currentPassword: String, newPassword: String, newUsername: String?) async throws -> Bool {
        guard try await verify(username: username, password: currentPassword) else { return false }
        let hash = try await LoginThrottle.offloaded { try Self.hash(newPassword) }
        _ = try await redis.transaction([
            RedisCommand("HSET", arguments: [RedisArgument(RedisKeys.adminCredentials)] + APIKeyStore.flatten([
                "username": newUsername ?? username, "passwordHash": hash, "updatedAt": ISOTime.string(clock.now),
            ])),
            RedisCommand("HINCRBY", RedisArgument(RedisKeys.adminCredentials), "sessionGeneration", "1"),
        ])
        return true
    }

    /// The administrator's username, if credentials exist.
    public func username() async throws -> String? {
        try await redis.send("HGET", RedisArgument(RedisKeys.adminCredentials), "username").string
    }

    /// True when the pair matches (constant-time hash comparison).
    public func verify(username: String, password: String) async throws -> Bool {
        let stored = try await redis.send("HGETALL", RedisArgument(RedisKeys.adminCredentials)).stringDictionary
        guard let storedUser = stored["username"], let hash = stored["passwordHash"] else { return false }
        let matches = try await LoginThrottle.offloaded { Self.check(password, against: hash) }
        guard matches, storedUser == username else { return false }
        try await redis.send("HSET", RedisArgument(RedisKeys.adminCredentials), "lastLogin", RedisArgument(ISOTime.string(clock.now)))
        return true
    }

    static func hash(_ password: String, salt: [UInt8] = (0..<16).map { _ in UInt8.random(in: .min ... .max) }) throws -> String {
        let key = try KDF.Scrypt.deriveKey(from: Array(password.utf8), salt: salt, outputByteCount: 32, rounds: 16384, blockSize: 8, parallelism: 1)
        return "scrypt$16384$8$1$\(Hex.encode(salt))$\(key.withUnsafeBytes { Hex.encode($0) })"
    }

    static func check(_ password: String, against stored: String) -> Bool {
        let parts = stored.split(separator: "$").map(String.init)
        guard parts.count == 6, parts[0] == "scrypt", let n = Int(parts[1]), let r = Int(parts[2]), let p = Int(parts[3]),
              let salt = Hex.decode(parts[4]), let expected = Hex.decode(parts[5]),
              let derived = try? KDF.Scrypt.deriveKey(from: Array(password.utf8), salt: salt, outputByteCount: expected.count, rounds: n, blockSize: r, parallelism: p)
        else { return false }
        let actual = derived.withUnsafeBytes { Array($0) }
        guard actual.count == expected.count else { return false }
        return zip(actual, expected).reduce(UInt8(0)) { $0 | ($1.0 ^ $1.1) } == 0
    }
}
