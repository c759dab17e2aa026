import Hummingbird

/// `GET /admin/account-kinds`: the account kinds the registered providers declare, with their admin paths and
/// forms, and the key fields that bind a key to an account — so the web UI's account pages and key dialog follow
/// the providers instead of keeping lists of their own.
struct AccountKindsController {
    func register(on admin: RouterGroup<RelayRequestContext>) {
        admin.get("account-kinds") { _, _ -> Response in AdminReply.data(Self.document) }
    }

    static var document: [String: Any] {
        let kinds: [[String: Any]] = AccountKind.all.map { kind in
            ["name": kind.name, "label": kind.label, "adminPath": kind.adminPath, "platform": kind.platform, "pool": kind.pool.name,
             "permission": kind.pool.permission, "oauth": kind.isOAuth, "form": kind.form.map(\.json),
             // Other Google apps a Gemini account can be authorized through (`oauthProvider` on generate-auth-url).
             "oauthVariants": kind == .gemini ? [["oauthProvider": AccountRecord.antigravityProvider, "label": "Antigravity (Google OAuth)"]] : [],
             // A device authorization (WorkOS) adds OAuth accounts of this kind.
             "deviceFlow": kind == .droid]
        }
        var bindings: [[String: Any]] = []
        for pool in ProviderRegistry.pools {
            for (index, binding) in SchedulingPolicy(pool).bindings.enumerated() {
                let members = [binding.kind] + pool.kinds.filter { $0.bindingField == binding.field && $0.bindingPrefix != nil }
                var entry: [String: Any] = [
                    "field": binding.field, "label": binding.kind.label,
                    "kinds": members.map { ["name": $0.name, "label": $0.label, "adminPath": $0.adminPath, "prefix": $0.bindingPrefix ?? ""] },
                ]
                if index == 0, let platform = pool.groupPlatform { entry["groupPlatform"] = platform }
                bindings.append(entry)
            }
        }
        return ["kinds": kinds, "bindings": bindings]
    }
}
