import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// Fake authorization servers for Anthropic, Google and OpenAI (docs/reference/upstream-wire.md), served
/// next to the fake APIs so that an access token issued here is what the fake API then accepts:
/// - `GET /oauth/{claude|google|openai}/authorize?…` — the consent screen, already approved: checks the PKCE
///   parameters and answers JSON `{code, state, callbackUrl, pasteCode}` (the browser would be redirected to
///   `callbackUrl`; Claude's page shows `pasteCode` = `code#state`);
/// - `POST /oauth/{provider}/token` — `authorization_code` (PKCE verified, code single-use, redirect and client
///   checked) and `refresh_token` grants; JSON (Claude) or form bodies (Google, OpenAI; OpenAI takes JSON too);
/// - `GET …/api/oauth/profile` — the Claude profile for a valid token.
/// Every call is recorded like any other request; behaviours with a `pathPrefix` of `/oauth/…` script failures.
public struct FakeOAuthServer: Sendable {
    public let state: FakeState

    /// The relay's authorization and token URLs for the fake's Claude, Google and OpenAI servers (`/oauth/{provider}/…`).
    public static func relayEnvironment(baseURL: String) -> [String: String] {
        var environment: [String: String] = [:]
        for (prefix, provider) in [("CLAUDE", "claude"), ("GEMINI", "google"), ("ANTIGRAVITY", "google"), ("OPENAI", "openai")] {
            environment["CRS_\(prefix)_OAUTH_AUTHORIZE_URL"] = baseURL + "/oauth/\(provider)/authorize"
            environment["CRS_\(prefix)_OAUTH_TOKEN_URL"] = baseURL + "/oauth/\(provider)/token"
        }
        return environment
    }

    public init(state: FakeState) {
        self.state = state
    }

    public func register(on router: Router<FakeRequestContext>) {
        router.get("oauth/:provider/authorize") { request, context in self.authorize(request, context: context) }
        router.post("oauth/:provider/token") { request, context in try await self.token(request, context: context) }
        // The profile lives under the API's base URL (any prefix): the trie router does not backtrack from a
        // constant segment, so it is one catch-all GET rather than `official/api/oauth/profile`.
        router.get("**") { request, _ in
            guard request.uri.path.hasSuffix("/api/oauth/profile") else { return Self.json(404, ["error": "not found: \(request.uri.path)"]) }
            return self.profile(request)
        }
    }

    private func provider(_ context: FakeRequestContext) -> FakeOAuthGrants.Provider? {
        context.parameters.get("provider").flatMap(FakeOAuthGrants.Provider.init(rawValue:))
    }

    func authorize(_ request: Request, context: FakeRequestContext) -> Response {
        let query = request.uri.queryParameters
        let sequence = record(request, body: "")
        guard let provider = provider(context) else { return finish(sequence, Self.json(404, ["error": "unknown provider"])) }
        let value = { (name: String) in query[Substring(name)].map(String.init) ?? "" }
        var missing = ["client_id", "redirect_uri", "code_challenge", "state", "scope"].filter { value($0).isEmpty }
        if value("response_type") != "code" { missing.append("response_type=code") }
        if value("code_challenge_method") != "S256" { missing.append("code_challenge_method=S256") }
        guard missing.isEmpty else {
            return finish(sequence, Self.json(400, ["error": "invalid_request", "error_description": "missing or wrong: \(missing.joined(separator: ", "))"]))
        }
        let code = state.oauth.authorize(provider, clientID: value("client_id"), redirectURI: value("redirect_uri"),
                                         challenge: value("code_challenge"), scope: value("scope"), state: value("state"))
        let separator = value("redirect_uri").contains("?") ? "&" : "?"
        let callback = value("redirect_uri") + separator + "code=\(code)&state=\(FormEncodingLite.escape(value("state")))"
        return finish(sequence, Self.json(200, ["code": code, "state": value("state"), "callbackUrl": callback, "pasteCode": "\(code)#\(value("state"))"]))
    }

    func token(_ request: Request, context: FakeRequestContext) async throws -> Response {
        let raw = try await request.body.collect(upTo: 1 << 20)
        let text = String(buffer: raw)
        let sequence = record(request, body: text)
        guard let provider = provider(context) else { return finish(sequence, Self.json(404, ["error": "unknown provider"])) }
        let behavior = state.nextBehavior(for: request.uri.path, explicitOnly: true)
        if let delay = behavior.delayMs, delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay) * 1_000_000) }
        if let status = behavior.status, !(200..<300).contains(status) {
            let body = behavior.body ?? JSONText.encode(["error": behavior.errorType ?? "invalid_grant", "error_description": behavior.message ?? "scripted failure"])
            return finish(sequence, Response(status: .init(code: status), headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: body))))
        }
        let isJSON = request.headers[.contentType]?.lowercased().hasPrefix("application/json") ?? false
        let fields: [String: String]
        if isJSON {
            let object = (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
            fields = object.compactMapValues { ($0 as? String) ?? ($0 as? NSNumber)?.stringValue }
        } else {
            fields = FormEncodingLite.decode(text)
        }
        // Claude's token endpoint takes JSON only; Google's form only; OpenAI both (CRS sends form, codex-rs JSON).
        if provider == .claude && !isJSON || provider == .google && isJSON {
            return finish(sequence, Self.json(400, ["error": "invalid_request", "error_description": "unsupported content type"]))
        }
        do {
            let issued: FakeOAuthGrants.Issued
            switch fields["grant_type"] {
            case "authorization_code"?:
                issued = try state.oauth.exchange(provider, code: fields["code"] ?? "", clientID: fields["client_id"] ?? "",
                                                  redirectURI: fields["redirect_uri"] ?? "", verifier: fields["code_verifier"] ?? "")
            case "refresh_token"?:
                issued = try state.oauth.refresh(provider, refreshToken: fields["refresh_token"] ?? "", clientID: fields["client_id"] ?? "")
            default:
                return finish(sequence, Self.json(400, ["error": "unsupported_grant_type", "error_description": "grant_type must be authorization_code or refresh_token"]))
            }
            var reply: [String: Any] = ["access_token": issued.accessToken, "expires_in": issued.expiresIn, "token_type": "Bearer", "scope": issued.scope]
            if let refresh = issued.refreshToken { reply["refresh_token"] = refresh }
            if let idToken = issued.idToken { reply["id_token"] = idToken }
            if provider == .claude {
                reply["organization"] = ["uuid": "org-fake-0001", "name": "Fake Org"]
                reply["account"] = ["uuid": "acct-fake-0001", "email_address": "claude-user@example.test"]
            }
            return finish(sequence, Self.json(200, reply))
        } catch let error as FakeOAuthGrants.GrantError {
            switch error {
            case .invalidGrant(let message): return finish(sequence, Self.json(400, ["error": "invalid_grant", "error_description": message]))
            case .invalidRequest(let message): return finish(sequence, Self.json(400, ["error": "invalid_request", "error_description": message]))
            case .invalidClient(let message): return finish(sequence, Self.json(401, ["error": "invalid_client", "error_description": message]))
            case .unauthorizedClient(let message): return finish(sequence, Self.json(401, ["error": "unauthorized_client", "error_description": message]))
            case .authorizationPending: return finish(sequence, Self.json(400, ["error": "authorization_pending", "error_description": "The user has not approved yet"]))
            }
        }
    }

    func profile(_ request: Request) -> Response {
        let sequence = record(request, body: "")
        let bearer = request.headers[.authorization].flatMap { $0.lowercased().hasPrefix("bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
        guard state.oauth.accessStatus(bearer) == .valid || state.credentials.oauthTokens.contains(bearer) else {
            return finish(sequence, Self.json(401, ["type": "error", "error": ["type": "authentication_error", "message": "Invalid bearer token"]]))
        }
        return finish(sequence, Self.json(200, [
            "account": ["uuid": "acct-fake-0001", "email": "claude-user@example.test", "full_name": "Fake User", "has_claude_max": true, "has_claude_pro": false],
            "organization": ["uuid": "org-fake-0001", "name": "Fake Org", "organization_type": "claude_max", "rate_limit_tier": "default_claude_max_20x"],
        ]))
    }

    private func record(_ request: Request, body: String) -> Int { state.record(request, body: body) }

    private func finish(_ sequence: Int, _ response: Response) -> Response { state.finished(sequence, response) }

    static func json(_ status: Int, _ object: [String: Any]) -> Response {
        Response(status: .init(code: status), headers: [.contentType: "application/json", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(string: JSONText.encode(object))))
    }
}

enum JSONText {
    static func encode(_ object: [String: Any]) -> String {
        String(decoding: (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data("{}".utf8), as: UTF8.self)
    }
}

/// Form bodies (the fakes do not link the relay's module).
enum FormEncodingLite {
    static func escape(_ text: String) -> String {
        var allowed = CharacterSet.alphanumerics
        allowed.insert(charactersIn: "-._~")
        return text.addingPercentEncoding(withAllowedCharacters: allowed) ?? text
    }

    static func decode(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for pair in text.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).replacingOccurrences(of: "+", with: " ").removingPercentEncoding ?? String($0) }
            result[parts[0]] = parts.count > 1 ? parts[1] : ""
        }
        return result
    }
}
