import Foundation

/// Pending authorizations in `oauth:{sessionId}` (Node layout: a hash with a 600 s TTL holding
/// `codeVerifier, state, codeChallenge, proxy, platform, createdAt, expiresAt`). After a code exchange that did
/// not create the account in the same call, the tokens wait here — encrypted — under `exchangedTokens`, so they
/// never travel to the browser and back (the Node SPA receives them in clear and posts them back).
public struct OAuthSessions: Sendable {
    public static let lifetimeSeconds = 600

    public struct Session: Sendable {
        public let id: String
        public let platform: String
        public let pkce: PKCE
        public let proxy: String
        /// `setup-token` for Claude's long-lived inference-only variant, else empty.
        public let variant: String
        public let exchangedTokens: String?
        /// A flow's own fields (a device authorization's device and user codes).
        public var extra: [String: String] = [:]
    }

    let redis: RedisClient
    let clock: RelayClock

    public init(redis: RedisClient, clock: RelayClock) {
        self.redis = redis
        self.clock = clock
    }

    public func create(platform: String, pkce: PKCE, proxy: String, variant: String = "", extra: [String: String] = [:]) async throws -> String {
        let id = UUID().uuidString.lowercased()
        let now = clock.now
        let fields = extra.merging([
            "codeVerifier": pkce.verifier, "state": pkce.state, "codeChallenge": pkce.challenge, "proxy": proxy,
            "platform": platform, "variant": variant, "createdAt": ISOTime.string(now),
            "expiresAt": ISOTime.string(now.addingTimeInterval(TimeInterval(Self.lifetimeSeconds))),
        ]) { _, own in own }
        _ = try await redis.transaction([
            RedisCommand("HSET", arguments: [RedisArgument(RedisKeys.oauthSession(id))] + APIKeyStore.flatten(fields)),
            RedisCommand("EXPIRE", RedisArgument(RedisKeys.oauthSession(id)), RedisArgument(Self.lifetimeSeconds)),
        ])
        return id
    }

    /// The session, if it exists, belongs to `platform` and has not expired.
    public func get(_ id: String, platform: String) async throws -> Session? {
        guard !id.isEmpty, id.count <= 64, !id.contains(":") else { return nil }
        let fields = try await redis.send("HGETALL", RedisArgument(RedisKeys.oauthSession(id))).stringDictionary
        guard !fields.isEmpty, fields["platform"] == platform else { return nil }
        if let expires = fields["expiresAt"].flatMap(ISOTime.parse), expires < clock.now { return nil }
        return Session(id: id, platform: platform,
                       pkce: PKCE(verifier: fields["codeVerifier"] ?? "", challenge: fields["codeChallenge"] ?? "", state: fields["state"] ?? ""),
                       proxy: fields["proxy"] ?? "", variant: fields["variant"] ?? "",
                       exchangedTokens: fields["exchangedTokens"].flatMap { $0.isEmpty ? nil : $0 }, extra: fields)
    }

    /// Keeps exchanged tokens (already encrypted by the caller) until the account is created, within the TTL.
    public func park(_ id: String, encryptedTokens: String) async throws {
        try await redis.send("HSET", RedisArgument(RedisKeys.oauthSession(id)), RedisArgument("exchangedTokens"), RedisArgument(encryptedTokens))
    }

    public func delete(_ id: String) async throws {
        try await redis.send("DEL", RedisArgument(RedisKeys.oauthSession(id)))
    }
}
