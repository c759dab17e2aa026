import Foundation

/// Turns an admin create/edit body into the Node hash fields to write, validating each value.
/// Only fields present in the body are returned (a PUT that omits `tags` keeps the stored tags).
struct APIKeyInput {
    struct Invalid: Error, CustomStringConvertible {
        let field: String
        let reason: String
        var description: String { "\(field): \(reason)" }
    }

    static func fields(from body: [String: Any], now: Date) throws -> [String: String] {
        var fields: [String: String] = [:]
        for (name, kind) in APIKeySchema.editable {
            guard body.keys.contains(name) else { continue }
            fields[name] = try value(body[name] as Any, name: name, kind: kind)
        }
        // The batch-era bind call (`PUT … {"account_id": <console id>}`) meant the Console binding.
        if fields["claudeConsoleAccountId"] == nil, let legacy = body["account_id"], !(legacy is NSNull) {
            fields["claudeConsoleAccountId"] = try value(legacy, name: "account_id", kind: .binding)
        }
        // The SPA's combined selector: claudeAccountId "console:<id>" binds a Console account.
        if let claude = fields["claudeAccountId"], claude.hasPrefix("console:") {
            fields["claudeConsoleAccountId"] = String(claude.dropFirst("console:".count))
            fields["claudeAccountId"] = ""
        }
        if fields["expirationMode"] == "activation" {
            if let expires = fields["expiresAt"], !expires.isEmpty {
                throw Invalid(field: "expiresAt", reason: "cannot be set in activation mode (it is set on first use)")
            }
            if Int(fields["activationDays"] ?? "0") ?? 0 < 1 { fields["activationDays"] = "30" }
        }
        return fields
    }

    private static func value(_ raw: Any, name: String, kind: APIKeySchema.Kind) throws -> String {
        let isNull = raw is NSNull
        switch kind {
        case .text(let maxLength):
            if isNull { return "" }
            guard let text = raw as? String else { throw Invalid(field: name, reason: "must be a string") }
            let trimmed = text.trimmingCharacters(in: .whitespacesAndNewlines)
            if name == "name", trimmed.isEmpty { throw Invalid(field: name, reason: "must not be empty") }
            guard trimmed.count <= maxLength else { throw Invalid(field: name, reason: "must be at most \(maxLength) characters") }
            return trimmed
        case .integer:
            if isNull { return "0" }
            guard let number = numeric(raw), number >= 0, number == number.rounded(), number < 1e12 else {
                throw Invalid(field: name, reason: "must be a whole number ≥ 0")
            }
            return String(Int(number))
        case .decimal:
            if isNull { return "0" }
            guard let number = numeric(raw), number >= 0, number < 1e12 else { throw Invalid(field: name, reason: "must be a number ≥ 0") }
            return formatDecimal(number)
        case .boolean:
            if let bool = JSON.bool(raw) { return bool ? "true" : "false" }
            if let text = raw as? String, text == "true" || text == "false" { return text }
            throw Invalid(field: name, reason: "must be true or false")
        case .stringList, .clientList:
            if isNull { return "[]" }
            guard let array = raw as? [Any], array.allSatisfy({ $0 is String }) else {
                throw Invalid(field: name, reason: "must be an array of strings")
            }
            var seen = Set<String>()
            let items = array.compactMap { ($0 as? String)?.trimmingCharacters(in: .whitespacesAndNewlines) }
                .filter { !$0.isEmpty && seen.insert($0).inserted }
            if kind == .clientList, let unknown = items.first(where: { !APIKeySchema.knownClients.contains($0) }) {
                throw Invalid(field: name, reason: "unknown client '\(unknown)' (known: \(APIKeySchema.knownClients.joined(separator: ", ")))")
            }
            return JSON.string(items)
        case .choice(let allowed):
            guard let text = raw as? String, allowed.contains(text) else {
                throw Invalid(field: name, reason: "must be one of \(allowed.joined(separator: ", "))")
            }
            return text
        case .timestamp:
            if isNull { return "" }
            guard let text = raw as? String else { throw Invalid(field: name, reason: "must be an ISO-8601 date or null") }
            if text.isEmpty { return "" }
            guard let date = ISOTime.parse(text) else { throw Invalid(field: name, reason: "is not an ISO-8601 date") }
            return ISOTime.string(date)
        case .binding:
            if isNull { return "" }
            guard let text = raw as? String, text.count <= 200 else { throw Invalid(field: name, reason: "must be an account id or null") }
            return text.trimmingCharacters(in: .whitespaces)
        case .permissions:
            if let text = raw as? String, APIKeySchema.platforms.contains(text) { return text }
            if let array = raw as? [String], !array.isEmpty, array.allSatisfy(APIKeySchema.platforms.contains) { return JSON.string(array) }
            throw Invalid(field: name, reason: "must be one of \(APIKeySchema.platforms.joined(separator: ", ")) or an array of them")
        }
    }

    private static func numeric(_ raw: Any) -> Double? {
        if let number = JSON.number(raw) { return number }
        if let text = raw as? String { return Double(text.trimmingCharacters(in: .whitespaces)) }
        return nil
    }

    static func formatDecimal(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e15 ? String(Int64(value)) : String(value)
    }
}
