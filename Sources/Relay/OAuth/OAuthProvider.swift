import Foundation

/// One OAuth authorization server as the relay talks to it: where to send the admin, where to exchange and
/// refresh, which client it pretends to be. Every URL is configurable (`CRS_<PROVIDER>_OAUTH_*`) because the
/// real ones move (docs/reference/upstream-wire.md: Anthropic's token host changed in 2026) and because tests point them at
/// the fakes.
public struct OAuthProvider: Sendable, Equatable {
    public enum BodyEncoding: Sendable, Equatable { case json, form }

    /// `claude`, `gemini`, `openai` — also the lock namespace (`token_refresh_lock:{platform}:{id}`).
    public let platform: String
    public var authorizeURL: String
    public var tokenURL: String
    public var clientID: String
    /// Google's installed-app clients send a (public) secret; the others have none.
    public var clientSecret: String?
    public var redirectURI: String
    public var scopes: String
    public var encoding: BodyEncoding
    public var pkceStyle: PKCE.Style
    /// Authorize parameters beyond the standard ones, in order.
    public var extraAuthorizeParameters: [(String, String)]
    /// Extra fields of the refresh grant (OpenAI asks for a narrower scope).
    public var extraRefreshFields: [(String, String)]
    /// Headers on token requests (Claude: the browser-like set the CLI sends).
    public var tokenHeaders: [(String, String)]

    public static func == (lhs: OAuthProvider, rhs: OAuthProvider) -> Bool {
        lhs.platform == rhs.platform && lhs.authorizeURL == rhs.authorizeURL && lhs.tokenURL == rhs.tokenURL
            && lhs.clientID == rhs.clientID && lhs.redirectURI == rhs.redirectURI && lhs.scopes == rhs.scopes
    }

    /// The URL the admin opens (or the fake is asked to consent to).
    public func authorizationURL(pkce: PKCE) -> String {
        var parameters: [(String, String)] = []
        if platform == "claude" { parameters.append(("code", "true")) }
        parameters += [
            ("client_id", clientID), ("response_type", "code"), ("redirect_uri", redirectURI), ("scope", scopes),
            ("code_challenge", pkce.challenge), ("code_challenge_method", "S256"), ("state", pkce.state),
        ]
        parameters += extraAuthorizeParameters
        return authorizeURL + (authorizeURL.contains("?") ? "&" : "?") + FormEncoding.encode(parameters)
    }

    // MARK: the defaults (docs/oauth.md, docs/reference/upstream-wire.md)

    static let claudeBrowserHeaders: [(String, String)] = [
        ("User-Agent", "claude-cli/1.0.56 (external, cli)"), ("Accept", "application/json, text/plain, */*"),
        ("Accept-Language", "en-US,en;q=0.9"), ("Referer", "https://claude.ai/"), ("Origin", "https://claude.ai"),
    ]

    public static let claudeDefault = OAuthProvider(
        platform: "claude", authorizeURL: "https://claude.ai/oauth/authorize", tokenURL: "https://platform.claude.com/v1/oauth/token",
        clientID: "9d1c250a-e61b-44d9-88ed-5944d1962f5e", clientSecret: nil,
        redirectURI: "https://platform.claude.com/oauth/code/callback",
        scopes: "org:create_api_key user:profile user:inference user:sessions:claude_code user:mcp_servers user:file_upload",
        encoding: .json, pkceStyle: .base64url, extraAuthorizeParameters: [], extraRefreshFields: [], tokenHeaders: claudeBrowserHeaders)

    /// The long-lived "setup token" variant: inference only, one year.
    public var setupToken: OAuthProvider {
        var provider = self
        provider.scopes = "user:inference"
        return provider
    }

    public static let geminiDefault = OAuthProvider(
        platform: "gemini", authorizeURL: "https://accounts.google.com/o/oauth2/v2/auth", tokenURL: "https://oauth2.googleapis.com/token",
        clientID: "681255809395-oo8ft2oprdrnp9e3aqf6av3hmdib135j.apps.googleusercontent.com", clientSecret: nil,
        redirectURI: "https://codeassist.google.com/authcode", scopes: "https://www.googleapis.com/auth/cloud-platform",
        encoding: .form, pkceStyle: .hex(verifierBytes: 32),
        extraAuthorizeParameters: [("access_type", "offline"), ("prompt", "select_account")], extraRefreshFields: [], tokenHeaders: [])

    /// Google's Antigravity app: the same authorization server and token format as Gemini CLI's, another client with
    /// wider scopes. An account authorized with it records `oauthProvider: antigravity` and refreshes with it — a
    /// Google refresh token works only with the client it was issued to.
    public static let antigravityDefault = OAuthProvider(
        platform: "gemini", authorizeURL: "https://accounts.google.com/o/oauth2/v2/auth", tokenURL: "https://oauth2.googleapis.com/token",
        clientID: "1071006060591-tmhssin2h21lcre235vtolojh4g403ep.apps.googleusercontent.com", clientSecret: nil,
        redirectURI: "http://localhost:45462",
        scopes: ["cloud-platform", "userinfo.email", "userinfo.profile", "cclog", "experimentsandconfigs"]
            .map { "https://www.googleapis.com/auth/\($0)" }.joined(separator: " "),
        encoding: .form, pkceStyle: .hex(verifierBytes: 32),
        extraAuthorizeParameters: [("access_type", "offline"), ("prompt", "select_account")], extraRefreshFields: [], tokenHeaders: [])

    /// WorkOS for Droid (Factory.ai) accounts: a device authorization (`authorizeURL` is the device endpoint), the
    /// Factory CLI's client, form bodies; refreshes may name the organisation (`organization_id`).
    public static let droidDefault = OAuthProvider(
        platform: "droid", authorizeURL: "https://api.workos.com/user_management/authorize/device",
        tokenURL: "https://api.workos.com/user_management/authenticate", clientID: "client_01HNM792M5G5G1A2THWPXKFMXB", clientSecret: nil,
        redirectURI: "", scopes: "", encoding: .form, pkceStyle: .hex(verifierBytes: 32), extraAuthorizeParameters: [], extraRefreshFields: [],
        tokenHeaders: [])

    public static let openAIDefault = OAuthProvider(
        platform: "openai", authorizeURL: "https://auth.openai.com/oauth/authorize", tokenURL: "https://auth.openai.com/oauth/token",
        clientID: "app_EMoamEEZ73f0CkXaXp7hrann", clientSecret: nil, redirectURI: "http://localhost:1455/auth/callback",
        scopes: "openid profile email offline_access", encoding: .form, pkceStyle: .hex(verifierBytes: 64),
        extraAuthorizeParameters: [("id_token_add_organizations", "true"), ("codex_cli_simplified_flow", "true")],
        extraRefreshFields: [("scope", "openid profile email")], tokenHeaders: [])

    /// The defaults with `CRS_<PREFIX>_OAUTH_{AUTHORIZE_URL,TOKEN_URL,CLIENT_ID,CLIENT_SECRET,REDIRECT_URI,SCOPES}` applied.
    static func configured(_ base: OAuthProvider, prefix: String, env: EnvironmentReader) throws -> OAuthProvider {
        var provider = base
        for (suffix, path) in [("AUTHORIZE_URL", \OAuthProvider.authorizeURL), ("TOKEN_URL", \OAuthProvider.tokenURL)] {
            let name = "CRS_\(prefix)_OAUTH_\(suffix)"
            guard let value = env.string(name) else { continue }
            guard let url = URL(string: value), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw ConfigurationError(name, "must be an http(s) URL, got '\(value)'")
            }
            provider[keyPath: path] = value
        }
        if let value = env.string("CRS_\(prefix)_OAUTH_CLIENT_ID") { provider.clientID = value }
        if let value = env.string("CRS_\(prefix)_OAUTH_CLIENT_SECRET") { provider.clientSecret = value }
        if let value = env.string("CRS_\(prefix)_OAUTH_REDIRECT_URI") { provider.redirectURI = value }
        if let value = env.string("CRS_\(prefix)_OAUTH_SCOPES") { provider.scopes = value }
        return provider
    }
}

/// The providers a relay instance uses (Antigravity is a second Google client for Gemini accounts).
public struct OAuthProviders: Sendable, Equatable {
    public var claude: OAuthProvider
    public var gemini: OAuthProvider
    public var antigravity: OAuthProvider
    public var openAI: OAuthProvider
    public var droid: OAuthProvider

    public static let defaults = OAuthProviders(claude: .claudeDefault, gemini: .geminiDefault, antigravity: .antigravityDefault, openAI: .openAIDefault,
                                                droid: .droidDefault)

    init(claude: OAuthProvider, gemini: OAuthProvider, antigravity: OAuthProvider, openAI: OAuthProvider, droid: OAuthProvider) {
        self.claude = claude
        self.gemini = gemini
        self.antigravity = antigravity
        self.openAI = openAI
        self.droid = droid
    }

    init(env: EnvironmentReader) throws {
        claude = try OAuthProvider.configured(.claudeDefault, prefix: "CLAUDE", env: env)
        gemini = try OAuthProvider.configured(.geminiDefault, prefix: "GEMINI", env: env)
        antigravity = try OAuthProvider.configured(.antigravityDefault, prefix: "ANTIGRAVITY", env: env)
        openAI = try OAuthProvider.configured(.openAIDefault, prefix: "OPENAI", env: env)
        droid = try OAuthProvider.configured(.droidDefault, prefix: "DROID", env: env)
        // Node's names for the Google clients (GEMINI_/ANTIGRAVITY_OAUTH_CLIENT_ID/SECRET, the redirect) are honoured too.
        for (node, path) in [("GEMINI", \OAuthProviders.gemini), ("ANTIGRAVITY", \OAuthProviders.antigravity)] {
            if let id = env.string("\(node)_OAUTH_CLIENT_ID"), env.string("CRS_\(node)_OAUTH_CLIENT_ID") == nil { self[keyPath: path].clientID = id }
            if let secret = env.string("\(node)_OAUTH_CLIENT_SECRET"), env.string("CRS_\(node)_OAUTH_CLIENT_SECRET") == nil {
                self[keyPath: path].clientSecret = secret
            }
        }
        if let redirect = env.string("ANTIGRAVITY_OAUTH_REDIRECT_URI"), env.string("CRS_ANTIGRAVITY_OAUTH_REDIRECT_URI") == nil {
            antigravity.redirectURI = redirect
        }
    }
}
