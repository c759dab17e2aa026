import Foundation
import Hummingbird

/// `/admin/{claude,gemini,openai}-accounts/…` OAuth routes with Node's paths and shapes:
/// `generate-auth-url` (+ Claude's `generate-setup-token-url`), `exchange-code` (+ `exchange-setup-token-code`),
/// `:id/refresh`, and Gemini's `poll-auth-status`.
///
/// `exchange-code` completes in one step when the body says what to do with the tokens: `accountId` re-authorizes
/// that account (its error state is cleared), `name` (plus any account fields) creates one. Otherwise the tokens
/// stay encrypted in the session and the reply carries `oauthSessionId`, which the account form then submits in
/// place of the tokens (`claudeAiOauth: {oauthSessionId}`). Unlike Node, tokens never travel to the browser.
struct OAuthController {
    let kind: AccountKind
    let onboarding: OAuthOnboarding
    let refresher: TokenRefresher
    let store: AccountStore
    let clock: RelayClock

    func register(on admin: RouterGroup<RelayRequestContext>) {
        let path = kind.adminPath
        admin.post(RouterPath("\(path)/generate-auth-url")) { request, _ -> Response in
            try await start(request, variant: nil)
        }
        admin.post(RouterPath("\(path)/exchange-code")) { request, _ -> Response in
            try await exchange(request)
        }
        if kind == .claudeOfficial {
            admin.post(RouterPath("\(path)/generate-setup-token-url")) { request, _ -> Response in
                try await start(request, variant: .setupToken)
            }
            admin.post(RouterPath("\(path)/exchange-setup-token-code")) { request, _ -> Response in
                try await exchange(request)
            }
        }
        if kind == .gemini {
            admin.post(RouterPath("\(path)/poll-auth-status")) { request, _ -> Response in
                let body = try await AdminReply.body(request)
                guard let session = try await onboarding.sessions.get(body["sessionId"] as? String ?? "", platform: "gemini") else {
                    throw AdminError(404, "Not Found", OAuthOnboarding.Failure.unknownSession.description)
                }
                return AdminReply.ok(["data": ["status": session.exchangedTokens == nil ? "pending" : "exchanged", "sessionId": session.id]])
            }
        }
        admin.post(RouterPath("\(path)/:id/refresh")) { _, context -> Response in
            guard let account = try await store.fetch(kind, try context.parameters.require("id")) else {
                throw AdminError(404, "Not Found", "Account not found")
            }
            guard account.nonEmpty("refreshToken") != nil else {
                throw AdminError(400, "Invalid request", "This account has no refresh token (re-authorize it instead)")
            }
            do {
                let updated = try await refresher.refresh(account, .forced)
                return AdminReply.data(present(updated), ["message": "Token refreshed"])
            } catch let failure as TokenRefresher.Failure {
                throw AdminError(502, "Token refresh failed", failure.description)
            }
        }
    }

    /// `variant` nil: from the body — Gemini's `oauthProvider: "antigravity"` (Node's field) picks the Antigravity app.
    private func start(_ request: Request, variant: OAuthOnboarding.Variant?) async throws -> Response {
        let body = try await AdminReply.body(request)
        let variant = try variant ?? oauthVariant(body)
        let proxy = try proxyField(body["proxy"])
        let started = try await onboarding.start(kind, variant: variant, proxy: proxy)
        var data: [String: Any] = ["authUrl": started.url, "sessionId": started.sessionID]
        data["instructions"] = [
            "Open the URL in a browser where you are signed in to the account",
            "Approve the authorization",
            "Copy the code (or the whole callback URL) shown afterwards and paste it here within 10 minutes",
        ]
        return AdminReply.data(data)
    }

    private func exchange(_ request: Request) async throws -> Response {
        let body = try await AdminReply.body(request)
        let sessionID = body["sessionId"] as? String ?? ""
        let code = ["authorizationCode", "callbackUrl", "code"].lazy.compactMap { body[$0] as? String }.first { !$0.isEmpty }
        guard !sessionID.isEmpty, let code else {
            throw AdminError(400, "Invalid request", "sessionId and authorizationCode (or callbackUrl) are required")
        }
        let exchanged: OAuthOnboarding.Exchanged
        do {
            exchanged = try await onboarding.exchange(kind, sessionID: sessionID, code: code)
        } catch let failure as OAuthOnboarding.Failure {
            throw AdminError(400, "Invalid request", failure.description)
        }
        var data: [String: Any] = [:]
        let summaryKey = kind == .claudeOfficial ? "claudeAiOauth" : "tokens"
        var summary = exchanged.summary
        if kind == .openAI { data["accountInfo"] = summary.removeValue(forKey: "accountInfo") ?? [:] }

        if let accountID = body["accountId"] as? String, !accountID.isEmpty {
            guard try await store.fetch(kind, accountID) != nil else { throw AdminError(404, "Not Found", "Account not found") }
            let changes = AccountHealth.resetFields.merging(exchanged.fields) { _, new in new }.merging(["schedulable": "true"]) { _, new in new }
            data["account"] = present(try await store.update(kind, accountID, changes: changes))
            await onboarding.finish(sessionID)
        } else if body["name"] is String {
            var accountBody = body
            accountBody["accessToken"] = exchanged.fields["accessToken"]
            for field in ["sessionId", "authorizationCode", "callbackUrl", "code", OAuthAccountLayout.of(kind)?.blobField ?? ""] {
                accountBody.removeValue(forKey: field)
            }
            var fields = try input(accountBody, creating: true)
            fields.merge(exchanged.fields) { _, new in new }
            data["account"] = present(try await store.create(kind, fields: fields))
            await onboarding.finish(sessionID)
        } else {
            try await onboarding.park(exchanged, kind: kind, sessionID: sessionID)
            summary["oauthSessionId"] = sessionID
        }
        data[summaryKey] = summary
        return AdminReply.data(data)
    }

    private func present(_ account: AccountRecord) -> [String: Any] {
        AccountPresenter.json(account, store: store, now: clock.now)
    }

    private func input(_ body: [String: Any], creating: Bool) throws -> [String: String] {
        do {
            return try AccountInput.fields(body, kind: kind, creating: creating)
        } catch let invalid as AccountInput.Invalid {
            throw AdminError(400, "Invalid request", invalid.description)
        }
    }

    private func oauthVariant(_ body: [String: Any]) throws -> OAuthOnboarding.Variant {
        switch body["oauthProvider"] as? String {
        case nil, "", "gemini-cli"?: return .standard
        case AccountRecord.antigravityProvider? where kind == .gemini: return .antigravity
        case let other?: throw AdminError(400, "Invalid request", "oauthProvider: unknown provider '\(other)' (gemini-cli or antigravity on Gemini accounts)")
        }
    }

    private func proxyField(_ raw: Any?) throws -> String {
        guard let object = raw as? [String: Any], !object.isEmpty, JSON.bool(object["enabled"]) != false else { return "" }
        guard UpstreamProxy(object) != nil else { throw AdminError(400, "Invalid request", "proxy: needs type (socks5, http, https), host and port") }
        return JSON.string(object)
    }
}
