import Foundation
import Hummingbird

/// `/admin/<kind>-accounts…` for one account kind, Node paths and shapes; secrets never leave unmasked.
struct AccountsController {
    let kind: AccountKind
    let store: AccountStore
    let clock: RelayClock
    /// Resolves `oauthSessionId` in an OAuth kind's token object into the tokens parked by exchange-code.
    var onboarding: OAuthOnboarding?
    /// Droid only: a pasted WorkOS refresh token is checked and turned into the account's tokens (Node's manual mode).
    var droidOAuth: DroidDeviceAuthorization?

    func register(on admin: RouterGroup<RelayRequestContext>) {
        let path = kind.adminPath
        admin.get(RouterPath(path)) { _, _ -> Response in
            let accounts = try await store.reload(kind).sorted { ($0.fields["createdAt"] ?? "") < ($1.fields["createdAt"] ?? "") }
            return AdminReply.data(accounts.map(present))
        }
        admin.post(RouterPath(path)) { request, _ -> Response in
            let fields = try await fieldsWithParkedTokens(await AdminReply.body(request), creating: true)
            return AdminReply.data(present(try await store.create(kind, fields: fields)))
        }
        admin.get(RouterPath("\(path)/:id")) { _, context -> Response in
            AdminReply.data(present(try await existing(context)))
        }
        admin.put(RouterPath("\(path)/:id")) { request, context -> Response in
            let account = try await existing(context)
            var fields = try await fieldsWithParkedTokens(await AdminReply.body(request), creating: false)
            if fields["proxy"] != nil {
                fields["proxy"] = AccountPresenter.keepingStoredProxyPassword(fields["proxy"], stored: account.fields["proxy"])
            }
            // A quota raised above the spend (or removed) lifts a quota stop.
            if let limit = fields["dailyQuota"].flatMap(Double.init), AccountQuota.stoppedUntil(account, at: clock.now) != nil,
               limit <= 0 || limit > AccountQuota.spent(account, at: clock.now) {
                fields.merge(["quotaStoppedAt": "", "quotaResetAt": "", "errorMessage": ""]) { current, _ in current }
            }
            return AdminReply.data(present(try await store.update(kind, account.id, changes: fields)))
        }
        admin.delete(RouterPath("\(path)/:id")) { _, context -> Response in
            let account = try await existing(context)
            try await store.delete(kind, account.id)
            return AdminReply.ok(["message": "Account deleted"])
        }
        admin.put(RouterPath("\(path)/:id/toggle-schedulable")) { _, context -> Response in
            let account = try await existing(context)
            let updated = try await store.update(kind, account.id, changes: ["schedulable": account.schedulable ? "false" : "true"])
            return AdminReply.ok(["schedulable": updated.schedulable, "data": present(updated)])
        }
        admin.put(RouterPath("\(path)/:id/toggle")) { _, context -> Response in
            let account = try await existing(context)
            let updated = try await store.update(kind, account.id, changes: ["isActive": account.isActive ? "false" : "true"])
            return AdminReply.ok(["isActive": updated.isActive, "data": present(updated)])
        }
        admin.post(RouterPath("\(path)/:id/reset-status")) { _, context -> Response in
            let account = try await existing(context)
            return AdminReply.data(present(try await store.update(kind, account.id, changes: AccountHealth.resetFields)))
        }
        // Node's reset-rate-limit (Gemini, Gemini API, Responses; here every kind): the rate-limit mark only.
        admin.post(RouterPath("\(path)/:id/reset-rate-limit")) { _, context -> Response in
            let account = try await existing(context)
            let updated = try await store.update(kind, account.id, changes: ["rateLimitStatus": "", "rateLimitEndAt": "", "rateLimitedAt": ""])
            return AdminReply.ok(["message": "Rate limit reset successfully", "data": present(updated)])
        }
        if kind.form.contains(where: { $0.name == "dailyQuota" }) {
            // Node's reset-all-usage: every account of the kind starts its quota window's spend again.
            admin.post(RouterPath("\(path)/reset-all-usage")) { _, _ -> Response in
                var count = 0
                for account in try await store.reload(kind) where AccountQuota.of(account) != nil || !(account.fields["dailyUsage"] ?? "").isEmpty {
                    var changes = AccountQuota.resetFields
                    if (account.fields["quotaStoppedAt"] ?? "").isEmpty { changes.removeValue(forKey: "errorMessage") }
                    _ = try await store.update(kind, account.id, changes: changes)
                    count += 1
                }
                return AdminReply.ok(["message": "All daily usage reset successfully", "count": count])
            }
            // Node's reset-usage: the quota window's spend back to 0 and a quota stop lifted (its message with it).
            admin.post(RouterPath("\(path)/:id/reset-usage")) { _, context -> Response in
                let account = try await existing(context)
                var changes = AccountQuota.resetFields
                if (account.fields["quotaStoppedAt"] ?? "").isEmpty { changes.removeValue(forKey: "errorMessage") }
                return AdminReply.data(present(try await store.update(kind, account.id, changes: changes)))
            }
        }
    }

    private func existing(_ context: RelayRequestContext) async throws -> AccountRecord {
        guard let account = try await store.fetch(kind, try context.parameters.require("id")) else {
            throw AdminError(404, "Not Found", "Account not found")
        }
        return account
    }

    private func present(_ account: AccountRecord) -> [String: Any] {
        AccountPresenter.json(account, store: store, now: clock.now)
    }

    /// The body's fields; a token object holding only `oauthSessionId` is replaced by the tokens that
    /// exchange-code parked in that session (an expired or unknown session is a 400).
    private func fieldsWithParkedTokens(_ body: [String: Any], creating: Bool) async throws -> [String: String] {
        if creating, let droidOAuth, let refresh = body["refreshToken"] as? String, !refresh.isEmpty {
            let exchanged: OAuthOnboarding.Exchanged
            do {
                exchanged = try await droidOAuth.fromRefreshToken(refresh, proxy: (body["proxy"] as? [String: Any]).map(JSON.string) ?? "")
            } catch OAuthOnboarding.Failure.grantFailed(let failure) {
                throw AdminError(400, "Invalid request", "refreshToken: WorkOS did not accept it — \(failure.description)")
            }
            var rest = body
            rest.removeValue(forKey: "refreshToken")
            rest["accessToken"] = exchanged.fields["accessToken"]
            return try input(rest, creating: true).merging(exchanged.fields) { _, new in new }
        }
        guard let onboarding, let blob = OAuthAccountLayout.of(kind)?.blobField,
              let sessionID = (body[blob] as? [String: Any])?["oauthSessionId"] as? String else {
            return try input(body, creating: creating)
        }
        let parked: [String: String]
        do {
            parked = try await onboarding.takeParked(kind, sessionID: sessionID)
        } catch {
            throw AdminError(400, "Invalid request", OAuthOnboarding.Failure.unknownSession.description)
        }
        var rest = body
        rest.removeValue(forKey: blob)
        rest["accessToken"] = parked["accessToken"]
        var fields = try input(rest, creating: creating)
        fields.merge(parked) { _, new in new }
        if !creating { fields.merge(AccountHealth.resetFields) { current, _ in current } }
        return fields
    }

    private func input(_ body: [String: Any], creating: Bool) throws -> [String: String] {
        do {
            return try AccountInput.fields(body, kind: kind, creating: creating)
        } catch let invalid as AccountInput.Invalid {
            throw AdminError(400, "Invalid request", invalid.description)
        }
    }
}
