import Foundation
import Hummingbird

/// Node's Droid OAuth endpoints: `POST /admin/droid-accounts/generate-auth-url` (a WorkOS device authorization: the
/// code to enter and the page), `POST /admin/droid-accounts/exchange-code` (`{sessionId}`: while the admin has not
/// approved, Node's `{success: false, pending: true, error, retryAfter, expiresIn}`; once approved, with `name` the
/// account is created, otherwise the tokens wait in the session for the create form's `droidOauth: {oauthSessionId}`)
/// and `POST /admin/droid-accounts/:id/refresh-token`.
struct DroidOAuthController {
    let device: DroidDeviceAuthorization
    let store: AccountStore
    let clock: RelayClock

    func register(on admin: RouterGroup<RelayRequestContext>) {
        let path = AccountKind.droid.adminPath
        admin.post(RouterPath("\(path)/generate-auth-url")) { request, _ -> Response in
            let body = try await AdminReply.body(request)
            var proxy = ""
            if let object = body["proxy"] as? [String: Any], !object.isEmpty {
                guard UpstreamProxy(object) != nil else { throw AdminError(400, "Invalid request", "proxy: needs type (socks5, http, https), host and port") }
                proxy = JSON.string(object)
            }
            do {
                return AdminReply.data(try await device.start(proxy: proxy))
            } catch let failure as OAuthFailure {
                throw AdminError(502, "Failed to start Droid device authorization", failure.description)
            }
        }
        admin.post(RouterPath("\(path)/exchange-code")) { request, _ -> Response in
            let body = try await AdminReply.body(request)
            guard let sessionID = body["sessionId"] as? String, !sessionID.isEmpty else { throw AdminError(400, "Session ID is required", "sessionId is required") }
            let outcome: DroidDeviceAuthorization.Outcome
            do {
                outcome = try await device.complete(sessionID: sessionID)
            } catch let failure as OAuthOnboarding.Failure {
                throw AdminError(400, "Failed to exchange Droid authorization code", failure.description)
            }
            switch outcome {
            case .pending(let code, let retryAfter, let expiresIn):
                return AdminReply.json(200, ["success": false, "pending": true, "error": code, "message": "The authorization has not been approved yet",
                                             "retryAfter": retryAfter, "expiresIn": expiresIn.map { $0 as Any } ?? NSNull()])
            case .approved(let exchanged):
                var data: [String: Any] = [:]
                var summary = exchanged.summary
                if body["name"] is String {
                    var accountBody = body
                    for field in ["sessionId", "droidOauth"] { accountBody.removeValue(forKey: field) }
                    accountBody["accessToken"] = exchanged.fields["accessToken"]
                    var fields: [String: String]
                    do {
                        fields = try AccountInput.fields(accountBody, kind: .droid, creating: true)
                    } catch let invalid as AccountInput.Invalid {
                        throw AdminError(400, "Invalid request", invalid.description)
                    }
                    fields.merge(exchanged.fields) { _, new in new }
                    data["account"] = AccountPresenter.json(try await store.create(.droid, fields: fields), store: store, now: clock.now)
                    await device.onboarding.finish(sessionID)
                } else {
                    try await device.onboarding.park(exchanged, kind: .droid, sessionID: sessionID)
                    summary["oauthSessionId"] = sessionID
                }
                data["tokens"] = summary
                return AdminReply.data(data)
            }
        }
        admin.post(RouterPath("\(path)/:id/refresh-token")) { _, context -> Response in
            guard let account = try await store.fetch(.droid, try context.parameters.require("id")) else {
                throw AdminError(404, "Not Found", "Account not found")
            }
            guard OAuthAccountLayout.of(account) != nil, account.nonEmpty("refreshToken") != nil else {
                throw AdminError(400, "Invalid request", "This Droid account holds Factory API keys; it has no token to refresh")
            }
            do {
                let updated = try await device.onboarding.refresher.refresh(account, .forced)
                return AdminReply.data(AccountPresenter.json(updated, store: store, now: clock.now), ["message": "Token refreshed"])
            } catch let failure as TokenRefresher.Failure {
                throw AdminError(502, "Token refresh failed", failure.description)
            }
        }
    }
}
