/// Credentials the fakes accept, by name: lists (`apiKeys`, `oauthTokens`, `refreshTokens`, a fake's own such as
/// `azureDeployments`) and maps (`awsKeys`: access key id → secret). Each fake declares the names it reads
/// (`FakeUpstream.credentialNames`); an empty list means any credential is accepted (but still recorded).
/// In JSON (the control API, scenario files) it is one flat object: arrays are lists, objects are maps.
public struct FakeCredentials: Codable, Sendable, Equatable {
    public var lists: [String: Set<String>]
    public var maps: [String: [String: String]]

    /// The names every fake may read: the bearer tokens and API keys, and refresh tokens the fake token endpoints
    /// accept (passed to them, not kept here).
    public static let sharedNames: Set<String> = ["apiKeys", "oauthTokens", "refreshTokens"]

    public init(oauthTokens: Set<String> = [], apiKeys: Set<String> = [], refreshTokens: Set<String> = [],
                lists: [String: Set<String>] = [:], maps: [String: [String: String]] = [:]) {
        self.lists = lists
        self.maps = maps
        self.oauthTokens.formUnion(oauthTokens)
        self.apiKeys.formUnion(apiKeys)
        self.refreshTokens.formUnion(refreshTokens)
    }

    public func list(_ name: String) -> Set<String> { lists[name] ?? [] }
    public func map(_ name: String) -> [String: String] { maps[name] ?? [:] }

    public var apiKeys: Set<String> {
        get { list("apiKeys") }
        set { lists["apiKeys"] = newValue.isEmpty ? nil : newValue }
    }
    public var oauthTokens: Set<String> {
        get { list("oauthTokens") }
        set { lists["oauthTokens"] = newValue.isEmpty ? nil : newValue }
    }
    public var refreshTokens: Set<String> {
        get { list("refreshTokens") }
        set { lists["refreshTokens"] = newValue.isEmpty ? nil : newValue }
    }

    /// Lists are joined; map entries of `other` win.
    public mutating func merge(_ other: FakeCredentials) {
        for (name, values) in other.lists { lists[name, default: []].formUnion(values) }
        for (name, entries) in other.maps { maps[name, default: [:]].merge(entries) { _, new in new } }
    }

    /// Reads `{name: [strings]}` and `{name: {key: string}}`; anything else under a name is an error.
    public init(json object: [String: Any]) throws {
        self.init()
        for (name, value) in object {
            if let array = value as? [Any] {
                let strings = array.compactMap { $0 as? String }
                guard strings.count == array.count else { throw Malformed(name: name) }
                lists[name, default: []].formUnion(strings)
            } else if let entries = value as? [String: Any] {
                let strings = entries.compactMapValues { $0 as? String }
                guard strings.count == entries.count else { throw Malformed(name: name) }
                maps[name] = strings
            } else {
                throw Malformed(name: name)
            }
        }
    }

    public struct Malformed: Error, CustomStringConvertible {
        public let name: String
        public var description: String { "fake credentials '\(name)' must be a list of strings or a mapping of strings" }
    }

    private struct Name: CodingKey {
        let stringValue: String
        init(stringValue: String) { self.stringValue = stringValue }
        var intValue: Int? { nil }
        init?(intValue: Int) { nil }
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Name.self)
        self.init()
        for key in container.allKeys {
            if let values = try? container.decode([String].self, forKey: key) {
                lists[key.stringValue, default: []].formUnion(values)
            } else {
                maps[key.stringValue] = try container.decode([String: String].self, forKey: key)
            }
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Name.self)
        for (name, values) in lists { try container.encode(values.sorted(), forKey: Name(stringValue: name)) }
        for (name, entries) in maps { try container.encode(entries, forKey: Name(stringValue: name)) }
    }
}
