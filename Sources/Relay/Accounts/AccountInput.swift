import Foundation

/// Validates an admin account create/edit body for a kind and turns it into hash fields (plaintext secrets;
/// `AccountStore` encrypts them). Unknown body fields are ignored; absent fields stay as stored.
enum AccountInput {
    struct Invalid: Error, CustomStringConvertible {
        let field: String
        let reason: String
        var description: String { "\(field): \(reason)" }
    }

    /// A kind's own fields: reads `body` (with `creating`: a create, where required fields must be present) into
    /// `fields`, or throws `Invalid`.
    typealias Rules = @Sendable (_ body: [String: Any], _ fields: inout [String: String], _ creating: Bool) throws -> Void

    static func fields(_ body: [String: Any], kind: AccountKind, creating: Bool) throws -> [String: String] {
        var fields: [String: String] = [:]
        try text(body, "name", into: &fields, required: creating, max: 100)
        try text(body, "description", into: &fields, max: 500)
        try integer(body, "priority", into: &fields, range: 1...100)
        try boolean(body, "isActive", into: &fields)
        try boolean(body, "schedulable", into: &fields)
        try integer(body, "maxConcurrentTasks", into: &fields, range: 0...100_000)
        if let type = body["accountType"], !(type is NSNull) {
            guard let value = type as? String, ["shared", "dedicated", "group"].contains(value) else {
                throw Invalid(field: "accountType", reason: "must be shared, dedicated or group")
            }
            fields["accountType"] = value
        }
        if body.keys.contains("proxy") { fields["proxy"] = try proxy(body["proxy"]) }
        if let expiry = body["subscriptionExpiresAt"] {
            fields["subscriptionExpiresAt"] = try timestamp(expiry, field: "subscriptionExpiresAt")
        }
        try kind.input(body, &fields, creating)
        return fields
    }

    /// `supportedModels`: an array (identity mapping) or an object requested → upstream name; empty = every model.
    static func supportedModels(_ body: [String: Any], into fields: inout [String: String], creating: Bool) throws {
        if body.keys.contains("supportedModels") {
            switch body["supportedModels"] {
            case let array as [Any]:
                let models = array.compactMap { $0 as? String }
                fields["supportedModels"] = JSON.string(Dictionary(models.map { ($0, $0) }, uniquingKeysWith: { a, _ in a }))
            case let object as [String: Any]:
                guard object.values.allSatisfy({ $0 is String }) else {
                    throw Invalid(field: "supportedModels", reason: "mapping values must be model names")
                }
                fields["supportedModels"] = JSON.string(object)
            case is NSNull, nil:
                fields["supportedModels"] = "{}"
            default:
                throw Invalid(field: "supportedModels", reason: "must be an array of models or a mapping object")
            }
        } else if creating {
            fields["supportedModels"] = "{}"
        }
    }

    /// An http(s) URL field; required on create.
    static func url(_ body: [String: Any], _ name: String, into fields: inout [String: String], creating: Bool, example: String = "") throws {
        guard let raw = body[name] ?? (creating ? NSNull() : nil) else { return }
        guard let text = (raw as? String)?.trimmingCharacters(in: .whitespaces), let parsed = URL(string: text),
              ["http", "https"].contains(parsed.scheme?.lowercased() ?? ""), parsed.host != nil else {
            throw Invalid(field: name, reason: "must be an http(s) URL" + (example.isEmpty ? "" : " such as \(example)"))
        }
        fields[name] = text
    }

    /// A secret string field (trimmed); required on create, kept as stored when absent (or null) on edit.
    /// `dailyQuota` (USD ≥ 0, 0 = none) and `quotaResetTime` (HH:mm): the account's daily quota (`AccountQuota`).
    static func dailyQuota(_ body: [String: Any], into fields: inout [String: String]) throws {
        if let quota = body["dailyQuota"], !(quota is NSNull) {
            guard let value = JSON.number(quota) ?? (quota as? String).flatMap(Double.init), value >= 0 else {
                throw Invalid(field: "dailyQuota", reason: "must be a number ≥ 0")
            }
            fields["dailyQuota"] = APIKeyInput.formatDecimal(value)
        }
        if let reset = body["quotaResetTime"] as? String {
            guard reset.range(of: #"^([01]\d|2[0-3]):[0-5]\d$"#, options: .regularExpression) != nil else {
                throw Invalid(field: "quotaResetTime", reason: "must be HH:mm")
            }
            fields["quotaResetTime"] = reset
        }
    }

    static func secret(_ body: [String: Any], _ name: String, into fields: inout [String: String], creating: Bool) throws {
        if let raw = body[name], !(raw is NSNull) {
            guard let value = (raw as? String)?.trimmingCharacters(in: .whitespaces), !value.isEmpty else {
                throw Invalid(field: name, reason: "must be a non-empty string")
            }
            // Secrets travel in upstream headers: a line break would inject headers of its own.
            guard Self.isHeaderSafe(value) else { throw Invalid(field: name, reason: "must not contain control characters") }
            fields[name] = value
        } else if creating {
            throw Invalid(field: name, reason: "is required")
        }
    }

    // MARK: field helpers

    /// The token pair of an OAuth kind; on create one of them is required.
    static func tokens(access: String?, refresh: String?, blob: String, into fields: inout [String: String], creating: Bool) throws {
        if let access, !access.isEmpty { fields["accessToken"] = access }
        if let refresh, !refresh.isEmpty { fields["refreshToken"] = refresh }
        if creating, fields["accessToken"] == nil, fields["refreshToken"] == nil {
            throw Invalid(field: blob, reason: "an access token or refresh token is required (run the OAuth flow first)")
        }
    }

    /// A value that is sent upstream as a header (`userAgent`): trimmed, no control characters (CR/LF would inject
    /// headers of its own); absent → untouched, null → cleared.
    static func headerValue(_ body: [String: Any], _ name: String, into fields: inout [String: String]) throws {
        guard body.keys.contains(name) else { return }
        let value = (body[name] as? String)?.trimmingCharacters(in: .whitespaces) ?? ""
        guard isHeaderSafe(value), value.count <= 500 else {
            throw Invalid(field: name, reason: "must be at most 500 characters without control characters")
        }
        fields[name] = value
    }

    static func isHeaderSafe(_ value: String) -> Bool {
        value.unicodeScalars.allSatisfy { $0.value >= 0x20 && $0.value != 0x7F }
    }

    static func text(_ body: [String: Any], _ name: String, into fields: inout [String: String], required: Bool = false, max: Int) throws {
        guard let raw = body[name], !(raw is NSNull) else {
            if required { throw Invalid(field: name, reason: "is required") }
            return
        }
        guard let value = raw as? String else { throw Invalid(field: name, reason: "must be a string") }
        let trimmed = value.trimmingCharacters(in: .whitespacesAndNewlines)
        if required, trimmed.isEmpty { throw Invalid(field: name, reason: "must not be empty") }
        guard trimmed.count <= max else { throw Invalid(field: name, reason: "must be at most \(max) characters") }
        fields[name] = trimmed
    }

    static func integer(_ body: [String: Any], _ name: String, into fields: inout [String: String], range: ClosedRange<Int>) throws {
        guard let raw = body[name], !(raw is NSNull) else { return }
        guard let value = JSON.int(raw), range.contains(value) else {
            throw Invalid(field: name, reason: "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        fields[name] = String(value)
    }

    static func boolean(_ body: [String: Any], _ name: String, into fields: inout [String: String]) throws {
        guard let raw = body[name], !(raw is NSNull) else { return }
        guard let value = JSON.bool(raw) else { throw Invalid(field: name, reason: "must be true or false") }
        fields[name] = value ? "true" : "false"
    }

    static func timestamp(_ raw: Any, field: String) throws -> String {
        if raw is NSNull { return "" }
        if let number = JSON.number(raw) { return ISOTime.string(Date(timeIntervalSince1970: number > 1e11 ? number / 1000 : number)) }
        guard let text = raw as? String else { throw Invalid(field: field, reason: "must be a date") }
        if text.isEmpty { return "" }
        guard let date = ISOTime.parse(text) else { throw Invalid(field: field, reason: "is not an ISO-8601 date") }
        return ISOTime.string(date)
    }

    private static func proxy(_ raw: Any?) throws -> String {
        guard let raw, !(raw is NSNull) else { return "" }
        guard let object = raw as? [String: Any] else { throw Invalid(field: "proxy", reason: "must be an object or null") }
        if object.isEmpty || (object["enabled"].flatMap(JSON.bool) == false) { return "" }
        guard let proxy = UpstreamProxy(object) else {
            throw Invalid(field: "proxy", reason: "needs type (socks5, http, https), host and port")
        }
        if (object["password"] as? String).map({ !$0.isEmpty }) == true, proxy.username == nil {
            throw Invalid(field: "proxy", reason: "a password needs a username")
        }
        // RFC 1929 carries each in one length byte.
        if proxy.kind == .socks5, (proxy.username?.utf8.count ?? 0) > 255 || (proxy.password?.utf8.count ?? 0) > 255 {
            throw Invalid(field: "proxy", reason: "a SOCKS5 username and password are at most 255 bytes each")
        }
        return JSON.string(object)
    }
}
