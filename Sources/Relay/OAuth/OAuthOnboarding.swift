import Foundation
import Logging

/// The admin side of an OAuth authorization: start one (PKCE session + authorize URL), exchange the code the
/// admin pastes, and hand the resulting token fields to an account — created, re-authorized, or parked in the
/// session until the account form is submitted. Tokens never appear in what this returns to the admin API.
public struct OAuthOnboarding: Sendable {
    public enum Failure: Error, CustomStringConvertible {
        case unknownSession
        case invalidCode(String)
        case grantFailed(OAuthFailure)

        public var description: String {
            switch self {
            case .unknownSession: return "The authorization session does not exist or has expired (it lasts 10 minutes); start again"
            case .invalidCode(let reason): return reason
            case .grantFailed(let failure): return "Code exchange failed: \(failure.description)"
            }
        }
    }

    /// `setupToken`: Claude's long-lived inference token; `antigravity`: a Gemini account through Google's Antigravity app.
    public enum Variant: String, Sendable { case standard = "", setupToken = "setup-token", antigravity = "antigravity" }

    /// Built from JSONSerialization values and never mutated, hence `@unchecked`.
    public struct Exchanged: @unchecked Sendable {
        /// Plaintext hash fields for the account (tokens included): never returned to a client.
        public let fields: [String: String]
        /// What the admin API may show.
        public let summary: [String: Any]
    }

    let sessions: OAuthSessions
    let endpoint: OAuthTokenEndpoint
    let refresher: TokenRefresher
    let accounts: AccountStore
    let profile: ClaudeProfile
    let clock: RelayClock
    let logger: Logger

    public init(sessions: OAuthSessions, endpoint: OAuthTokenEndpoint, refresher: TokenRefresher, accounts: AccountStore,
                profile: ClaudeProfile, clock: RelayClock, logger: Logger) {
        self.sessions = sessions
        self.endpoint = endpoint
        self.refresher = refresher
        self.accounts = accounts
        self.profile = profile
        self.clock = clock
        self.logger = logger
    }

    func provider(_ kind: AccountKind, _ variant: Variant) -> OAuthProvider? {
        guard let base = refresher.provider(for: kind) else { return nil }
        switch variant {
        case .standard: return base
        case .setupToken: return kind == .claudeOfficial ? base.setupToken : nil
        case .antigravity: return kind == .gemini ? refresher.providers.antigravity : nil
        }
    }

    /// A new PKCE session and the URL the admin opens.
    public func start(_ kind: AccountKind, variant: Variant, proxy: String) async throws -> (url: String, sessionID: String) {
        guard let provider = provider(kind, variant) else { throw Failure.invalidCode("\(kind.name) accounts have no OAuth flow") }
        let pkce = PKCE.generate(provider.pkceStyle)
        let id = try await sessions.create(platform: provider.platform, pkce: pkce, proxy: proxy, variant: variant.rawValue)
        return (provider.authorizationURL(pkce: pkce), id)
    }

    /// Exchanges the pasted code (bare, `code#state`, or the whole callback URL) for tokens.
    public func exchange(_ kind: AccountKind, sessionID: String, code input: String) async throws -> Exchanged {
        guard let platform = refresher.provider(for: kind)?.platform, let layout = OAuthAccountLayout.of(kind),
              let session = try await sessions.get(sessionID, platform: platform),
              let provider = provider(kind, Variant(rawValue: session.variant) ?? .standard) else {
            throw Failure.unknownSession
        }
        let code: String
        do {
            code = try AuthorizationCode.parse(input, expectedState: session.pkce.state)
        } catch let invalid as AuthorizationCode.Invalid {
            throw Failure.invalidCode(invalid.description)
        }
        let proxy = JSON.object(Data(session.proxy.utf8)).flatMap(UpstreamProxy.init)
        let grant: OAuthGrant
        do {
            grant = try await endpoint.exchange(provider, code: code, pkce: session.pkce, proxy: proxy, longLived: session.variant == Variant.setupToken.rawValue)
        } catch let failure as OAuthFailure {
            logger.notice("oauth code exchange failed", metadata: ["platform": "\(platform)", "error": "\(failure)"])
            throw Failure.grantFailed(failure)
        }
        var fields = layout.fields(for: grant, previousRefreshToken: nil, now: clock.now)
        if session.variant == Variant.setupToken.rawValue { fields["refreshToken"] = "" }  // as Node: a setup token is not refreshed
        if kind == .gemini { fields["oauthProvider"] = session.variant == Variant.antigravity.rawValue ? AccountRecord.antigravityProvider : "gemini-cli" }
        if !session.proxy.isEmpty { fields["proxy"] = session.proxy }
        if kind == .claudeOfficial, (grant.scope ?? "").contains("user:profile") {
            fields.merge(await profile.fields(accessToken: grant.accessToken, proxy: proxy)) { _, new in new }
        }
        let summary = layout.summary(for: grant, fields: fields)
        logger.info("oauth code exchanged", metadata: ["platform": "\(platform)", "session": "\(sessionID)"])
        return Exchanged(fields: fields, summary: summary)
    }

    /// Keeps the tokens (encrypted) in the session until the account form is submitted with `oauthSessionId`.
    public func park(_ exchanged: Exchanged, kind: AccountKind, sessionID: String) async throws {
        let sealed = try accounts.cipher.encrypt(JSON.string(exchanged.fields), salt: kind.salt)
        try await sessions.park(sessionID, encryptedTokens: sealed)
    }

    /// The parked token fields of a session (once: the session is deleted).
    public func takeParked(_ kind: AccountKind, sessionID: String) async throws -> [String: String] {
        guard let platform = refresher.provider(for: kind)?.platform,
              let session = try await sessions.get(sessionID, platform: platform), let sealed = session.exchangedTokens,
              let object = JSON.object(Data(try accounts.cipher.decrypt(sealed, salt: kind.salt).utf8)) else {
            throw Failure.unknownSession
        }
        try await sessions.delete(sessionID)
        return object.compactMapValues { $0 as? String }
    }

    public func finish(_ sessionID: String) async {
        try? await sessions.delete(sessionID)
    }
}
