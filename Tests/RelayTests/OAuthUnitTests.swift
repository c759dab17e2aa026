import Foundation
@testable import Relay
import Testing

@Suite("OAuth building blocks")
struct OAuthUnitTests {
    @Test func pkceChallengeIsBase64urlOfSHA256() {
        // Reference value computed independently (Python hashlib + base64.urlsafe_b64encode, padding stripped).
        #expect(PKCE.challenge(for: "dBjftJeZ4CVP-mJ92K9wANqX6cwp6Z6lCjUlXzwRM9-o") == "wFvV6D-DemrHbJ9ZCRJFgaAronXwILKZOgLT2MngvRI")
        let claude = PKCE.generate(.base64url)
        #expect(claude.verifier.count == 43 && claude.state.count == 43)
        #expect(claude.challenge == PKCE.challenge(for: claude.verifier))
        let openAI = PKCE.generate(.hex(verifierBytes: 64))
        #expect(openAI.verifier.count == 128 && openAI.state.count == 64)
        #expect(PKCE.generate(.base64url) != claude)
    }

    @Test func pastedCodesAndCallbackURLs() throws {
        #expect(try AuthorizationCode.parse("abcdefghij_KLMN-123#somestate", expectedState: "somestate") == "abcdefghij_KLMN-123")
        #expect(try AuthorizationCode.parse("  abcdefghij&state=x \n", expectedState: nil) == "abcdefghij")
        #expect(try AuthorizationCode.parse("https://platform.claude.com/oauth/code/callback?code=the-code-123&state=s1", expectedState: "s1") == "the-code-123")
        #expect(try AuthorizationCode.parse("http://localhost:1455/auth/callback#code=frag-code-1&state=s1", expectedState: "s1") == "frag-code-1")
        #expect(throws: AuthorizationCode.Invalid.self) { try AuthorizationCode.parse("https://x.test/cb?code=c0123456789&state=other", expectedState: "s1") }
        #expect(throws: AuthorizationCode.Invalid.self) { try AuthorizationCode.parse("https://x.test/cb?state=s1", expectedState: "s1") }
        // #23 finding 9: the state must be this authorization's wherever it is given, and a callback URL must give it.
        #expect(throws: AuthorizationCode.Invalid.self) { try AuthorizationCode.parse("abcdefghij_KLMN-123#otherstate", expectedState: "somestate") }
        #expect(throws: AuthorizationCode.Invalid.self) { try AuthorizationCode.parse("abcdefghij&state=x", expectedState: "somestate") }
        #expect(throws: AuthorizationCode.Invalid.self) { try AuthorizationCode.parse("https://x.test/cb?code=c0123456789", expectedState: "s1") }
        #expect(try AuthorizationCode.parse("abcdefghij_KLMN-123", expectedState: "somestate") == "abcdefghij_KLMN-123")  // a bare code
        #expect(throws: AuthorizationCode.Invalid.self) { try AuthorizationCode.parse("short", expectedState: nil) }
        #expect(throws: AuthorizationCode.Invalid.self) { try AuthorizationCode.parse("has spaces in it!", expectedState: nil) }
        #expect(throws: AuthorizationCode.Invalid.self) { try AuthorizationCode.parse("   ", expectedState: nil) }
    }

    @Test func authorizeURLCarriesEveryParameterEncoded() {
        let pkce = PKCE(verifier: "v", challenge: "CH", state: "ST")
        let url = OAuthProvider.claudeDefault.setupToken.authorizationURL(pkce: pkce)
        #expect(url == "https://claude.ai/oauth/authorize?code=true&client_id=9d1c250a-e61b-44d9-88ed-5944d1962f5e&response_type=code"
            + "&redirect_uri=https%3A%2F%2Fplatform.claude.com%2Foauth%2Fcode%2Fcallback&scope=user%3Ainference"
            + "&code_challenge=CH&code_challenge_method=S256&state=ST")
        #expect(FormEncoding.decode(FormEncoding.encode([("a b", "c&d=e"), ("scope", "openid profile")])) == ["a b": "c&d=e", "scope": "openid profile"])
    }

    @Test func openAIIDTokenClaims() {
        let claims = #"{"email":"u@x.test","email_verified":true,"https://api.openai.com/auth":{"chatgpt_account_id":"acct-1","chatgpt_user_id":"user-1","chatgpt_plan_type":"pro","organizations":[{"id":"org-2","role":"reader","title":"B"},{"id":"org-1","role":"owner","title":"A","is_default":true}]}}"#
        let token = "eyJhbGciOiJub25lIn0." + PKCE.base64url(Array(claims.utf8)) + "."
        let fields = OpenAIIDToken.accountFields(token)
        #expect(fields == ["accountId": "acct-1", "chatgptUserId": "user-1", "planType": "pro", "organizationId": "org-1",
                           "organizationRole": "owner", "organizationTitle": "A", "email": "u@x.test", "emailVerified": "true"])
        #expect(OpenAIIDToken.accountFields("not-a-jwt").isEmpty)
    }

    @Test func grantFieldsPerLayout() throws {
        let now = Date(timeIntervalSince1970: 1_800_000_000.4)
        let grant = try OAuthGrant(["access_token": "at", "refresh_token": "rt", "expires_in": 3600, "scope": "user:inference user:profile",
                                    "organization": ["uuid": "org"], "account": ["uuid": "acc", "email_address": "e@x.test"]])
        let claude = OAuthAccountLayout.claude.fields(for: grant, previousRefreshToken: "old", now: now)
        #expect(claude["expiresAt"] == "1800003600000")  // Node: (floor(now/1000) + expires_in) * 1000
        #expect(claude["refreshToken"] == "rt" && claude["scopes"] == "user:inference user:profile" && claude["email"] == "e@x.test")
        #expect(JSON.object(Data(claude["extInfo"]!.utf8))?["org_uuid"] as? String == "org")
        // Google does not rotate: the previous refresh token stays.
        let google = OAuthAccountLayout.gemini.fields(for: try OAuthGrant(["access_token": "ya29", "expires_in": 60]), previousRefreshToken: "keep", now: now)
        #expect(google["refreshToken"] == "keep" && google["expiresAt"] == "2027-01-15T08:01:00.000Z")
        #expect(throws: OAuthFailure.self) { try OAuthGrant(["token_type": "Bearer"]) }
        #expect(OAuthFailure.refused(status: 400, error: "invalid_grant", description: "").definitive)
        #expect(!OAuthFailure.refused(status: 503, error: "x", description: "").definitive)
        #expect(!OAuthFailure.unavailable("reset").definitive)
    }
}
