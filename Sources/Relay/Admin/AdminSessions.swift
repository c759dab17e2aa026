import Foundation
import JWTKit

/// Admin session tokens: HS256 JWTs (`CRS_JWT_SECRET`) with a 24-hour lifetime and a unique id, so a logout can
/// revoke one token (its id is kept in Redis until the token would have expired anyway).
public final class AdminSessions: Sendable {
    struct Claims: JWTPayload {
        var sub: SubjectClaim
        var exp: ExpirationClaim
        var iat: IssuedAtClaim
        var jti: IDClaim
        var role: String
        /// The credentials' generation when the token was issued: a password change starts a new one, which ends
        /// every earlier session (tokens from before this field existed count as generation 0).
        var gen: Int?

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
        }
    }

    public struct Session: Sendable {
        public let username: String
        public let id: String
        public let expiresAt: Date
    }

    let keys: JWTKeyCollection
    let redis: RedisClient
    let clock: RelayClock
    public let lifetime: TimeInterval

    public init(secret: String, redis: RedisClient, clock: RelayClock, lifetime: TimeInterval = 86400) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
        self.redis = redis
        self.clock = clock
        self.lifetime = lifetime
    }

    public func issue(username: String) async throws -> String {
        let now = clock.now
        let generation = try await redis.send("HGET", RedisArgument(RedisKeys.adminCredentials), "sessionGeneration").string.flatMap(Int.init) ?? 0
        let claims = Claims(sub: .init(value: username), exp: .init(value: now.addingTimeInterval(lifetime)), iat: .init(value: now),
                            jti: .init(value: UUID().uuidString.lowercased()), role: "admin", gen: generation)
        return try await keys.sign(claims)
    }

    /// The session a token stands for; nil when it is malformed, forged, expired, revoked, or from before a
    /// credentials change.
    public func verify(_ token: String) async throws -> Session? {
        guard token.count >= 20, token.count <= 4096, let claims = try? await keys.verify(token, as: Claims.self), claims.role == "admin" else { return nil }
        if claims.exp.value <= clock.now { return nil }
        let replies = try await redis.pipeline([
            RedisCommand("EXISTS", RedisArgument(RedisKeys.revokedAdminToken(claims.jti.value))),
            RedisCommand("HMGET", RedisArgument(RedisKeys.adminCredentials), "sessionGeneration", "username"),
        ])
        if replies[0].int == 1 { return nil }
        let current = replies[1].array?.first?.string.flatMap(Int.init) ?? 0
        guard (claims.gen ?? 0) == current, replies[1].array?.last?.string == claims.sub.value else { return nil }
        return Session(username: claims.sub.value, id: claims.jti.value, expiresAt: claims.exp.value)
    }

    public func revoke(_ session: Session) async throws {
        let ttl = max(1, Int(session.expiresAt.timeIntervalSince(clock.now).rounded(.up)))
        try await redis.send("SET", RedisArgument(RedisKeys.revokedAdminToken(session.id)), "1", "EX", RedisArgument(ttl))
    }
}
