import Foundation

/// One upstream account as stored in its Node hash (all values strings; secrets encrypted).
public struct AccountRecord: Sendable, Equatable {
    public let kind: AccountKind
    public var fields: [String: String]

    public init(kind: AccountKind, fields: [String: String]) {
        self.kind = kind
        self.fields = fields
    }

    public var id: String { fields["id"] ?? "" }
    public var name: String { fields["name"] ?? "" }
    public var isActive: Bool { fields["isActive"] != "false" }
    public var schedulable: Bool { fields["schedulable"] != "false" }
    public var status: String { fields["status"] ?? "active" }
    public var priority: Int { Int(fields["priority"] ?? "") ?? 50 }
    /// `shared` (pool), `dedicated` (only through a key binding) or `group`.
    public var accountType: String { (fields["accountType"] ?? "").isEmpty ? "shared" : fields["accountType"]! }
    /// The account's own concurrency cap (Node current's `maxConcurrentTasks`); 0 = none.
    public var maxConcurrentTasks: Int { Int(fields["maxConcurrentTasks"] ?? "") ?? 0 }
    public var lastUsedAt: Date? { fields["lastUsedAt"].flatMap(ISOTime.parse) }
    public var userAgent: String? { nonEmpty("userAgent") }
    public var apiURL: String? { nonEmpty("apiUrl") }

    public func nonEmpty(_ field: String) -> String? {
        guard let value = fields[field], !value.isEmpty else { return nil }
        return value
    }

    public func date(_ field: String) -> Date? { fields[field].flatMap(ISOTime.parse) }

    /// `supportedModels` as a mapping requested → upstream model; empty = every model, unchanged.
    /// Node stores a JSON object, or (older records) an array meaning an identity mapping.
    public var modelMapping: [String: String] {
        // Read on every scheduling decision: most accounts have none ("" or "{}"), which costs no parse.
        guard let text = fields["supportedModels"], text.utf8.count > 2, let value = JSONParser.parse(Data(text.utf8)) else { return [:] }
        if let object = value as? [String: Any] { return object.compactMapValues { $0 as? String } }
        if let array = value as? [String] { return Dictionary(array.map { ($0, $0) }, uniquingKeysWith: { first, _ in first }) }
        return [:]
    }

    /// The model to send upstream for `requested`, or nil when this account does not serve it.
    public func upstreamModel(for requested: String) -> String? {
        switch kind {
        case .claudeOfficial:
            let lower = requested.lowercased()
            let claudeLike = lower.hasPrefix("claude-") || ["claude", "sonnet", "opus", "haiku"].contains { lower.contains($0) }
            // Opus only on the plans that include it (Free: none; Pro: 4.5 and newer).
            return claudeLike && ClaudeSubscription.serves(requested, subscriptionInfo: fields["subscriptionInfo"]) ? requested : nil
        default:
            let mapping = modelMapping
            if mapping.isEmpty { return requested }
            if let exact = mapping[requested] { return exact }
            return mapping.first { $0.key.lowercased() == requested.lowercased() }?.value
        }
    }

    /// The proxy this account's upstream traffic goes through (docs/reference/data-layout.md), if any.
    public var proxy: UpstreamProxy? {
        guard let text = fields["proxy"], text.utf8.count > 4, let object = JSON.object(Data(text.utf8)) else { return nil }
        return UpstreamProxy(object)
    }
}

/// `{"type":"socks5"|"http"|"https","host":…,"port":…,"username"?:…,"password"?:…}`
public struct UpstreamProxy: Sendable, Hashable {
    public enum Kind: String, Sendable { case socks5, http, https }
    public let kind: Kind
    public let host: String
    public let port: Int
    public let username: String?
    public let password: String?

    public init?(_ object: [String: Any]) {
        guard let type = (object["type"] as? String).flatMap({ Kind(rawValue: $0.lowercased() == "socks" ? "socks5" : $0.lowercased()) }),
              let host = object["host"] as? String, !host.isEmpty,
              let port = JSON.int(object["port"]), (1...65535).contains(port) else { return nil }
        kind = type
        self.host = host
        self.port = port
        username = (object["username"] as? String).flatMap { $0.isEmpty ? nil : $0 }
        // A password without a username authenticates nobody: the proxy is used as if it had neither.
        password = username == nil ? nil : (object["password"] as? String).flatMap { $0.isEmpty ? nil : $0 }
    }
}
