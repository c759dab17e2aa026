/// The accounts one API family schedules over, declared by the provider that owns the family; account kinds join
/// it (`AccountKind.pool`), possibly from other providers (Bedrock serves the Anthropic family).
public struct AccountPool: Sendable, Hashable, CustomStringConvertible {
    /// For messages: "No available Claude account serves …".
    public let name: String
    /// The key permission requests to this pool need (`claude`, `gemini`, `openai`).
    public let permission: String
    /// Where sticky sessions are kept (`RedisKeys`).
    public let stickyPrefix: String
    /// The `platform` of the account groups a key can be bound to in this pool (`group:<id>`); nil: none.
    public let groupPlatform: String?

    public init(name: String, permission: String, stickyPrefix: String, groupPlatform: String?) {
        self.name = name
        self.permission = permission
        self.stickyPrefix = stickyPrefix
        self.groupPlatform = groupPlatform
    }

    public var description: String { name }

    /// The kinds that serve in it, in preference order.
    public var kinds: [AccountKind] { AccountKind.all.filter { $0.pool == self } }
}
