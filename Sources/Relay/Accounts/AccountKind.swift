import Foundation

/// What distinguishes one kind of upstream account in storage, validation and scheduling. Each provider declares
/// its kinds in its own folder (`Providers/<name>/…Provider.swift`); `AccountKind.all` is what the registered
/// providers declare, so everything shared (admin routes, health checks, migration checks, metrics) follows.
///
/// A class: kinds are a handful of constants that every `AccountRecord` carries, so a record copy retains one
/// reference instead of a kind's twenty-odd strings and closures.
public final class AccountKind: Sendable, Hashable, CustomStringConvertible {
    /// The scheduler's name for it (Node's sticky mappings store this as `accountType`).
    public let name: String
    /// What the admin UI calls it.
    public let label: String
    /// The account type written into usage records (`claude`, `claude-console`, …).
    public let usageType: String
    /// The `platform` field Node stores in the hash.
    public let platform: String
    public let keyPrefix: String
    /// Node keeps shared accounts of some kinds in a set as well.
    public let sharedSet: String?
    public let salt: SecretSalt
    public let secretFields: Set<String>
    /// The API key field that binds a key to one account of this kind.
    public let bindingField: String
    /// A binding value with this prefix names an account of this kind (`ccr:<id>` in `claudeAccountId`); nil: the
    /// field's plain value does.
    public let bindingPrefix: String?
    /// The admin API path segment.
    public let adminPath: String
    /// The pool of the API family it serves.
    public let pool: AccountPool
    /// Picked from the shared pool; false: reached only through a binding or a vendor prefix (CCR).
    public let inSharedPool: Bool
    /// How Node stores the record: a hash, or (Bedrock) one JSON string.
    public let storage: AccountStorage
    /// The secret field requests are authenticated with (OAuth kinds: `accessToken`, kept fresh by the refresher).
    public let credentialField: String
    /// Accounts are created through an OAuth authorization (the admin OAuth routes exist for it).
    public let isOAuth: Bool
    /// The kind's own create/edit body fields (the common ones — name, priority, proxy, … — are read for every kind).
    let input: AccountInput.Rules
    /// The admin UI's form for creating one by hand (empty: OAuth kinds are created only through their flow).
    let form: [AccountFormField]
    /// Fields the admin API adds to this kind's accounts beyond the stored ones (Codex: the usage windows).
    let presented: (@Sendable (AccountRecord, Date) -> [String: Any])?
    /// A field holding several API keys (`AccountKeyList`, Droid's `apiKeys`); the credential is one of them.
    public let keyListField: String?
    /// A set Node keeps of every account of the kind (Droid's `droid:account:index`), maintained on create and delete.
    public let indexSet: String?

    init(name: String, label: String, usageType: String? = nil, platform: String? = nil, keyPrefix: String, sharedSet: String?,
         salt: SecretSalt, secretFields: Set<String>, bindingField: String, bindingPrefix: String? = nil, adminPath: String,
         pool: AccountPool, inSharedPool: Bool = true, storage: AccountStorage = .hash, credentialField: String = "apiKey",
         isOAuth: Bool = false, input: @escaping AccountInput.Rules, form: [AccountFormField],
         presented: (@Sendable (AccountRecord, Date) -> [String: Any])? = nil, keyListField: String? = nil, indexSet: String? = nil) {
        self.name = name
        self.label = label
        self.usageType = usageType ?? name
        self.platform = platform ?? name
        self.keyPrefix = keyPrefix
        self.sharedSet = sharedSet
        self.salt = salt
        self.secretFields = secretFields
        self.bindingField = bindingField
        self.bindingPrefix = bindingPrefix
        self.adminPath = adminPath
        self.pool = pool
        self.inSharedPool = inSharedPool
        self.storage = storage
        self.credentialField = credentialField
        self.isOAuth = isOAuth
        self.input = input
        self.form = form
        self.presented = presented
        self.keyListField = keyListField
        self.indexSet = indexSet
    }

    public var description: String { name }

    public func redisKey(_ id: String) -> String { keyPrefix + id }

    public static func == (a: AccountKind, b: AccountKind) -> Bool { a.name == b.name }
    public func hash(into hasher: inout Hasher) { hasher.combine(name) }

    /// Every kind the registered providers declare, in registration order (which is the pools' preference order).
    public static let all: [AccountKind] = ProviderRegistry.all.flatMap(\.accountKinds)

    public static func named(_ name: String) -> AccountKind? { all.first { $0.name == name } }
}
