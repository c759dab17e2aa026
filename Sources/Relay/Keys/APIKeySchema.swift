import Foundation

/// The API key fields an admin may set, with their types. One table drives input validation (admin JSON →
/// Node's all-string Redis hash) and output typing (hash → admin JSON with numbers, booleans and arrays).
enum APIKeySchema {
    enum Kind: Equatable {
        case text(maxLength: Int)
        case integer
        case decimal
        case boolean
        case stringList
        case clientList
        case choice([String])
        case timestamp
        case binding
        case permissions
    }

    static let editable: [(name: String, kind: Kind)] = [
        ("name", .text(maxLength: 100)), ("description", .text(maxLength: 500)), ("icon", .text(maxLength: 500_000)),
        ("tokenLimit", .integer), ("concurrencyLimit", .integer), ("rateLimitWindow", .integer), ("rateLimitRequests", .integer),
        ("rateLimitCost", .decimal), ("dailyCostLimit", .decimal), ("totalCostLimit", .decimal), ("weeklyOpusCostLimit", .decimal),
        ("isActive", .boolean), ("permissions", .permissions),
        ("enableModelRestriction", .boolean), ("restrictedModels", .stringList),
        ("enableClientRestriction", .boolean), ("allowedClients", .clientList), ("tags", .stringList),
        ("expirationMode", .choice(["fixed", "activation"])), ("activationDays", .integer), ("activationUnit", .choice(["hours", "days"])),
        ("expiresAt", .timestamp),
    ] + bindingFields.map { ($0, Kind.binding) }

    /// The fields that bind a key to an account: every registered kind's (`AccountKind.bindingField`), and
    /// Node's `droidAccountId`, kept so keys of a Node deployment round-trip.
    static let bindingFields: [String] = {
        var fields: [String] = []
        for kind in AccountKind.all where !fields.contains(kind.bindingField) { fields.append(kind.bindingField) }
        return fields.contains("droidAccountId") ? fields : fields + ["droidAccountId"]
    }()

    /// Fields the relay maintains itself; shown to admins, never taken from input.
    static let maintained: [(name: String, kind: Kind)] = [
        ("id", .text(maxLength: 100)), ("createdAt", .timestamp), ("updatedAt", .timestamp), ("lastUsedAt", .timestamp),
        ("createdBy", .text(maxLength: 100)), ("isActivated", .boolean), ("activatedAt", .timestamp),
        ("isDeleted", .boolean), ("deletedAt", .timestamp), ("deletedBy", .text(maxLength: 100)),
        ("deletedByType", .text(maxLength: 20)), ("restoredAt", .timestamp), ("userId", .text(maxLength: 100)),
        ("userUsername", .text(maxLength: 100)),
    ]

    static let kinds: [String: Kind] = Dictionary(uniqueKeysWithValues: (editable + maintained).map { ($0.name, $0.kind) })

    /// Never shown: the stored key hash.
    static let hidden: Set<String> = ["apiKey"]

    static let knownClients = ["claude_code", "gemini_cli", "codex_cli", "droid_cli"]
    static let platforms = ["all", "claude", "gemini", "openai", "droid"]

    /// Defaults of a new key, as Node's `generateApiKey` writes them.
    static let defaults: [String: String] = [
        "description": "", "icon": "", "tokenLimit": "0", "concurrencyLimit": "0", "rateLimitWindow": "0",
        "rateLimitRequests": "0", "rateLimitCost": "0", "dailyCostLimit": "0", "totalCostLimit": "0",
        "weeklyOpusCostLimit": "0", "isActive": "true", "permissions": "all", "enableModelRestriction": "false",
        "restrictedModels": "[]", "enableClientRestriction": "false", "allowedClients": "[]", "tags": "[]",
        "expirationMode": "fixed", "activationDays": "0", "activationUnit": "days", "expiresAt": "", "lastUsedAt": "",
        "isDeleted": "false",
    ].merging(bindingFields.map { ($0, "") }) { current, _ in current }

    /// Renders a stored hash as the admin JSON object (typed values, camelCase Node names, no key hash).
    static func adminJSON(_ fields: [String: String]) -> [String: Any] {
        var object: [String: Any] = [:]
        for (name, value) in fields where !hidden.contains(name) {
            object[name] = typed(value, kind: kinds[name])
        }
        for (name, kind) in editable where object[name] == nil {
            object[name] = typed(defaults[name] ?? "", kind: kind)
        }
        return object
    }

    static func typed(_ value: String, kind: Kind?) -> Any {
        switch kind {
        case .integer?: return Int(value) ?? Int(Double(value) ?? 0)
        case .decimal?: return Double(value) ?? 0
        case .boolean?: return value == "true"
        case .stringList?, .clientList?: return JSON.stringArray(value)
        case .timestamp?: return value.isEmpty ? NSNull() : (ISOTime.parse(value).map(ISOTime.string) ?? value)
        case .binding?: return value.isEmpty ? NSNull() : value
        case .permissions?:
            if value.hasPrefix("[") { return JSON.stringArray(value) }
            return value.isEmpty ? "all" : value
        default: return value
        }
    }
}
