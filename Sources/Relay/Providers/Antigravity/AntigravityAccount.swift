extension AccountRecord {
    /// `oauthProvider` of a Gemini account authorized through Google's Antigravity app (Node's field and value).
    static let antigravityProvider = "antigravity"

    /// A Gemini (Google OAuth) account whose traffic goes to the Antigravity backend with its own client identity.
    var isAntigravity: Bool { kind == .gemini && fields["oauthProvider"] == Self.antigravityProvider }
}
