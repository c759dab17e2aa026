import Crypto
import Foundation

/// Proof Key for Code Exchange (RFC 7636, S256) and the random `state`, as each original generates them.
public struct PKCE: Sendable, Equatable {
    public let verifier: String
    public let challenge: String
    public let state: String

    public enum Style: Sendable {
        /// Claude: verifier and state are 32 random bytes, base64url.
        case base64url
        /// Google and OpenAI: state is 32 random bytes hex; OpenAI's verifier is 64 random bytes hex.
        case hex(verifierBytes: Int)
    }

    public static func generate(_ style: Style) -> PKCE {
        let verifier: String
        let state: String
        switch style {
        case .base64url:
            verifier = base64url(randomBytes(32))
            state = base64url(randomBytes(32))
        case .hex(let verifierBytes):
            verifier = Hex.encode(randomBytes(verifierBytes))
            state = Hex.encode(randomBytes(32))
        }
        return PKCE(verifier: verifier, challenge: challenge(for: verifier), state: state)
    }

    public init(verifier: String, challenge: String, state: String) {
        self.verifier = verifier
        self.challenge = challenge
        self.state = state
    }

    /// base64url(SHA-256(verifier)) without padding.
    public static func challenge(for verifier: String) -> String {
        base64url(Array(SHA256.hash(data: Array(verifier.utf8))))
    }

    public static func base64url(_ bytes: [UInt8]) -> String {
        Data(bytes).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-")
            .replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func randomBytes(_ count: Int) -> [UInt8] {
        var generator = SystemRandomNumberGenerator()
        return (0..<count).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
    }
}
