import Foundation

/// Create/edit bodies of Droid accounts (Node's `POST /admin/droid-accounts`): `apiKeys` (a list, or one key per
/// line), `endpointType` (`anthropic`, `openai`, `comm`; Node's default anthropic), `userAgent`. OAuth accounts come
/// from the WorkOS device authorization (`DroidOAuthController`) or a pasted WorkOS refresh token (Node's manual mode,
/// checked by `AccountsController` before this runs); their tokens are merged in by the caller. A refresh token that
/// reaches this point (an edit) is refused.
extension AccountInput {
    static func droid(_ body: [String: Any], into fields: inout [String: String], creating: Bool) throws {
        if let refresh = body["refreshToken"] as? String, !refresh.isEmpty {
            throw Invalid(field: "refreshToken", reason: "a WorkOS refresh token is taken when the account is created (or use the device authorization: POST /admin/droid-accounts/generate-auth-url, then exchange-code); an existing account refreshes by itself")
        }
        let oauth = (body["accessToken"] as? String).map { !$0.isEmpty } ?? false
        var keys: [String] = []
        switch body["apiKeys"] {
        case let list as [Any]: keys = list.compactMap { $0 as? String }
        case let text as String: keys = text.split(whereSeparator: \.isNewline).map(String.init)
        case nil, is NSNull: break
        default: throw Invalid(field: "apiKeys", reason: "a list of Factory API keys")
        }
        keys = keys.map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
        if creating, keys.isEmpty, !oauth { throw Invalid(field: "apiKeys", reason: "at least one Factory API key is required") }
        if !keys.isEmpty {
            fields["apiKeys"] = JSON.string(keys)
            if body["apiKeyUpdateMode"] as? String == "replace" { fields["apiKeys:replace"] = "true" }
        }
        if creating { fields["authenticationMethod"] = oauth && keys.isEmpty ? "oauth" : "api_key" }
        if let endpoint = body["endpointType"] as? String, !endpoint.isEmpty {
            guard DroidFamily.Endpoint(rawValue: endpoint.lowercased()) != nil else {
                throw Invalid(field: "endpointType", reason: "anthropic, openai or comm")
            }
            fields["endpointType"] = endpoint.lowercased()
        } else if creating {
            fields["endpointType"] = "anthropic"
        }
        try headerValue(body, "userAgent", into: &fields)
    }
}
