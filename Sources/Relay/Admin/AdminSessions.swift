import Foundation
import JWTKit

/// Admin session tokens: HS256 JWTs (`CRS_JWT_SECRET`) with a 24-hour lifetime and a unique id, so a logout can
/// revoke one token (its id is kept in Redis until the token would have expired anyway). A refresh keeps the time of
/// the login it descends from: no chain of refreshes outlives `maxSessionAge` (then the administrator logs in again).
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
        /// When the login this token descends from happened (Unix seconds; tokens without it: their `iat`).
        var auth: Int?

        func verify(using algorithm: some JWTAlgorithm) async throws {
            try exp.verifyNotExpired()
        }
    }

    public struct Session: Sendable {
        public let username: String
        public let id: String
        public let expiresAt: Date
        public let loggedInAt: Date
    }

    let keys: JWTKeyCollection
    let redis: RedisClient
    let clock: RelayClock
    public let lifetime: TimeInterval
    public let maxSessionAge: TimeInterval

    public init(secret: String, redis: RedisClient, clock: RelayClock, lifetime: TimeInterval = 86400, maxSessionAge: TimeInterval = 7 * 86400) async {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256)
        self.keys = keys
        self.redis = redis
        self.clock = clock
        self.lifetime = lifetime
        self.maxSessionAge = maxSessionAge
    }

    /// A token for a login now, or (`loggedInAt`) a refresh of a session that logged in then.
    public func issue(username: String, loggedInAt: Date? = nil) async throws -> String {
        let now = clock.now
        let login = loggedInAt ?? now
        let generation = try await redis.send("HGET", RedisArgument(RedisKeys.adminCredentials), "sessionGeneration").string.flatMap(Int.init) ?? 0
        let expires = min(now.addingTimeInterval(lifetime), login.addingTimeInterval(maxSessionAge))
        let claims = Claims(sub: .init(value: username), exp: .init(value: expires), iat: .init(value: now),
                            jti: .init(value: UUID().uuidString.lowercased()), role: "admin", gen: generation,
                            auth: Int(login.timeIntervalSince1970))
        return try await keys.sign(claims)
    }

    /// Whether the session may get a fresh token (its login is younger than `maxSessionAge`).
    public func mayRefresh(_ session: Session) -> Bool {
        clock.now.timeIntervalSince(session.loggedInAt) < maxSessionAge
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
        let loggedInAt = claims.auth.map { Date(timeIntervalSince1970: TimeInterval($0)) } ?? claims.iat.value
        return Session(username: claims.sub.value, id: claims.jti.value, expiresAt: claims.exp.value, loggedInAt: loggedInAt)
    }

    public func revoke(_ session: Session) async throws {
        let ttl = max(1, Int(session.expiresAt.timeIntervalSince(clock.now).rounded(.up)))
        try await redis.send("SET", RedisArgument(RedisKeys.revokedAdminToken(session.id)), "1", "EX", RedisArgument(ttl))
    }
}
