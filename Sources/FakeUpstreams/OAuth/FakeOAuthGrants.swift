import Crypto
import Foundation
import NIOConcurrencyHelpers

/// The authorization server state behind the fake token endpoints: codes waiting for their exchange, live
/// refresh tokens, and every access token issued with its expiry. Tokens are short-lived when told to be
/// (`expiresIn`), refresh tokens rotate (Anthropic, OpenAI) or stay (Google), and a used or revoked token is
/// refused with `invalid_grant` — as the real servers do. A refresh token works only with the client it was issued to
/// (Google answers another client `unauthorized_client`), and each access token remembers its client.
public final class FakeOAuthGrants: Sendable {
    public enum Provider: String, Sendable, CaseIterable { case claude, google, openai, workos }

    struct PendingCode {
        let provider: Provider
        let clientID: String
        let redirectURI: String
        let challenge: String
        let scope: String
        let state: String
    }

    public struct Issued: Sendable, Equatable {
        public let accessToken: String
        public let refreshToken: String?
        public let expiresIn: Int
        public let scope: String
        public let idToken: String?
    }

    public enum AccessStatus: Equatable { case unknown, valid, expired }

    private struct State {
        var codes: [String: PendingCode] = [:]
        var refreshTokens: [String: (provider: Provider?, scope: String, clientID: String?)] = [:]
        var accessTokens: [String: Date] = [:]
        var accessClients: [String: String] = [:]
        var everIssued: [String] = []
        var issuedCount = 0
        var refreshCount = 0
        var exchangeCount = 0
        var expiresIn = 3600
        /// WorkOS device authorizations: device code → (client, user code, approved).
        var devices: [String: (clientID: String, userCode: String, approved: Bool)] = [:]
        /// The organisation an access token was scoped to (WorkOS).
        var accessOrganizations: [String: String] = [:]
    }

    private let state = NIOLockedValueBox(State())

    public init() {}

    /// Lifetime of access tokens issued from now on.
    public var expiresIn: Int {
        get { state.withLockedValue { $0.expiresIn } }
        set { state.withLockedValue { $0.expiresIn = max(1, newValue) } }
    }

    public var counts: (exchanges: Int, refreshes: Int) { state.withLockedValue { ($0.exchangeCount, $0.refreshCount) } }

    /// Every token issued so far — access, refresh (also spent ones) and id tokens — for leak checks.
    public var issuedTokens: [String] {
        state.withLockedValue { $0.everIssued }
    }

    /// Refresh tokens the server accepts without having issued them (accounts seeded by a scenario).
    public func accept(refreshTokens: [String]) {
        state.withLockedValue { state in for token in refreshTokens { state.refreshTokens[token] = (nil, "user:inference user:profile", nil) } }
    }

    /// Revokes access or refresh tokens.
    public func revoke(_ tokens: [String]) {
        state.withLockedValue { state in
            for token in tokens {
                state.refreshTokens.removeValue(forKey: token)
                if state.accessTokens[token] != nil { state.accessTokens[token] = .distantPast }
            }
        }
    }

    public func reset() { state.withLockedValue { $0 = State() } }

    /// The client an access token was issued to (nil: not issued here, or seeded).
    public func client(of token: String) -> String? {
        state.withLockedValue { $0.accessClients[token] }
    }

    public func accessStatus(_ token: String) -> AccessStatus {
        guard let expiry = state.withLockedValue({ $0.accessTokens[token] }) else { return .unknown }
        return expiry > Date() ? .valid : .expired
    }

    /// The consent step: remembers the PKCE challenge and returns the code the browser would receive.
    func authorize(_ provider: Provider, clientID: String, redirectURI: String, challenge: String, scope: String, state oauthState: String) -> String {
        let code = "fake-code-\(provider.rawValue)-" + Self.random(24)
        state.withLockedValue {
            $0.codes[code] = PendingCode(provider: provider, clientID: clientID, redirectURI: redirectURI, challenge: challenge, scope: scope, state: oauthState)
        }
        return code
    }

    enum GrantError: Error, Equatable {
        case invalidGrant(String)
        case invalidRequest(String)
        case invalidClient(String)
        case unauthorizedClient(String)
        case authorizationPending
    }

    /// WorkOS's device authorization: a device code for the client and the code the user types.
    func startDevice(clientID: String) -> (deviceCode: String, userCode: String) {
        let device = "fake-device-" + Self.random(24)
        let user = Self.random(4).uppercased() + "-" + Self.random(4).uppercased()
        state.withLockedValue { $0.devices[device] = (clientID, user, false) }
        return (device, user)
    }

    /// The user approved the device with this code (the fake's stand-in for the browser page); false: unknown code.
    func approveDevice(userCode: String) -> Bool {
        state.withLockedValue { state in
            guard let (device, entry) = state.devices.first(where: { $0.value.userCode == userCode }) else { return false }
            state.devices[device] = (entry.clientID, entry.userCode, true)
            return true
        }
    }

    /// The device-code grant: pending until approved, then tokens once (the device code is spent).
    func pollDevice(deviceCode: String, clientID: String) throws -> Issued {
        try state.withLockedValue { state in
            guard let entry = state.devices[deviceCode] else { throw GrantError.invalidGrant("The device code is invalid or expired") }
            guard entry.clientID == clientID else { throw GrantError.invalidClient("client_id does not match the device authorization") }
            guard entry.approved else { throw GrantError.authorizationPending }
            state.devices.removeValue(forKey: deviceCode)
            state.exchangeCount += 1
            return Self.issue(&state, provider: .workos, scope: "", rotate: true, clientID: clientID)
        }
    }

    /// Scopes an issued access token to an organisation (a WorkOS refresh with `organization_id`).
    func scope(_ accessToken: String, to organization: String) {
        state.withLockedValue { $0.accessOrganizations[accessToken] = organization }
    }

    public func organization(of accessToken: String) -> String? {
        state.withLockedValue { $0.accessOrganizations[accessToken] }
    }

    func exchange(_ provider: Provider, code: String, clientID: String, redirectURI: String, verifier: String) throws -> Issued {
        try state.withLockedValue { state in
            guard let pending = state.codes.removeValue(forKey: code), pending.provider == provider else {
                throw GrantError.invalidGrant("Invalid or already used authorization code")
            }
            guard pending.clientID == clientID else { throw GrantError.invalidClient("client_id does not match the authorization") }
            guard pending.redirectURI == redirectURI else { throw GrantError.invalidGrant("redirect_uri does not match the authorization") }
            guard Self.challenge(verifier) == pending.challenge else { throw GrantError.invalidGrant("PKCE verification failed") }
            state.exchangeCount += 1
            return Self.issue(&state, provider: provider, scope: pending.scope, rotate: true, clientID: clientID)
        }
    }

    func refresh(_ provider: Provider, refreshToken: String, clientID: String) throws -> Issued {
        try state.withLockedValue { state in
            guard let known = state.refreshTokens[refreshToken], known.provider == nil || known.provider == provider else {
                throw GrantError.invalidGrant("Refresh token not found or invalid")
            }
            if let issuedTo = known.clientID, issuedTo != clientID { throw GrantError.unauthorizedClient("Unauthorized") }
            state.refreshCount += 1
            // Anthropic and OpenAI rotate refresh tokens (the old one is spent); Google keeps the same one.
            if provider != .google { state.refreshTokens.removeValue(forKey: refreshToken) }
            return Self.issue(&state, provider: provider, scope: known.scope, rotate: provider != .google, clientID: known.clientID ?? clientID)
        }
    }

    private static func issue(_ state: inout State, provider: Provider, scope: String, rotate: Bool, clientID: String) -> Issued {
        state.issuedCount += 1
        let n = state.issuedCount
        let access: String
        let refresh: String?
        switch provider {
        case .claude:
            access = "sk-ant-oat01-fake-\(n)-" + random(20)
            refresh = rotate ? "sk-ant-ort01-fake-\(n)-" + random(20) : nil
        case .google:
            access = "ya29.fake-\(n)-" + random(20)
            refresh = rotate ? "1//fake-\(n)-" + random(20) : nil
        case .openai:
            access = "fake-openai-at-\(n)-" + random(20)
            refresh = rotate ? "fake-openai-rt-\(n)-" + random(20) : nil
        case .workos:
            access = "fake-workos-at-\(n)-" + random(20)
            refresh = rotate ? "fake-workos-rt-\(n)-" + random(20) : nil
        }
        state.accessTokens[access] = Date().addingTimeInterval(TimeInterval(state.expiresIn))
        state.accessClients[access] = clientID
        if let refresh { state.refreshTokens[refresh] = (provider, scope, clientID) }
        let idToken = provider == .openai ? openAIIDToken(n) : nil
        state.everIssued += [access, refresh, idToken].compactMap { $0 }
        return Issued(accessToken: access, refreshToken: refresh, expiresIn: state.expiresIn, scope: scope, idToken: idToken)
    }

    /// An unsigned JWT carrying the ChatGPT account claim (docs/reference/upstream-wire.md).
    static func openAIIDToken(_ n: Int) -> String {
        let header = #"{"alg":"none","typ":"JWT"}"#
        let payload: [String: Any] = [
            "email": "codex-\(n)@example.test", "email_verified": true,
            "https://api.openai.com/auth": [
                "chatgpt_account_id": "acct-fake-\(n)", "chatgpt_user_id": "user-fake-\(n)", "chatgpt_plan_type": "plus",
                "organizations": [["id": "org-fake", "role": "owner", "title": "Personal", "is_default": true]],
            ],
        ]
        let body = (try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys])) ?? Data()
        return base64url(Data(header.utf8)) + "." + base64url(body) + "."
    }

    static func challenge(_ verifier: String) -> String {
        base64url(Data(SHA256.hash(data: Array(verifier.utf8))))
    }

    static func base64url(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_").replacingOccurrences(of: "=", with: "")
    }

    static func random(_ count: Int) -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")
        return String((0..<count).map { _ in alphabet.randomElement()! })
    }
}
