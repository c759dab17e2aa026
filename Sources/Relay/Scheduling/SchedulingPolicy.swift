/// What one API family schedules over: the key fields that bind a key to an account (checked in order; a
/// `group:<id>` value names an account group), the kinds of the shared pool in preference order, and where
/// sticky sessions are kept.
public struct SchedulingPolicy: Sendable {
    public struct Binding: Sendable {
        public let field: String
        public let kind: AccountKind
        /// Values with one of these prefixes name an account of another kind (Node: `responses:<id>`).
        public let prefixed: [String: AccountKind]

        public init(field: String, kind: AccountKind, prefixed: [String: AccountKind] = [:]) {
            self.field = field
            self.kind = kind
            self.prefixed = prefixed
        }
    }

    /// For messages: "No available Claude account serves …".
    public let name: String
    public let bindings: [Binding]
    public let poolKinds: [AccountKind]
    public let stickyPrefix: String

    public init(name: String, bindings: [Binding], poolKinds: [AccountKind], stickyPrefix: String) {
        self.name = name
        self.bindings = bindings
        self.poolKinds = poolKinds
        self.stickyPrefix = stickyPrefix
    }

    public func stickyKey(_ sessionHash: String) -> String { stickyPrefix + sessionHash }

    public static let claude = SchedulingPolicy(
        name: "Claude",
        bindings: [Binding(field: "claudeAccountId", kind: .claudeOfficial, prefixed: ["ccr:": .ccr]),
                   Binding(field: "claudeConsoleAccountId", kind: .claudeConsole),
                   Binding(field: "bedrockAccountId", kind: .bedrock)],
        poolKinds: AccountKind.claudeFamily, stickyPrefix: "unified_claude_session_mapping:")

    public static let openAI = SchedulingPolicy(
        name: "OpenAI",
        bindings: [Binding(field: "openaiAccountId", kind: .openAI, prefixed: ["responses:": .openAIResponses])],
        poolKinds: AccountKind.openAIFamily, stickyPrefix: "unified_openai_session_mapping:")

    public static let azure = SchedulingPolicy(
        name: "Azure OpenAI", bindings: [Binding(field: "azureOpenaiAccountId", kind: .azureOpenAI)],
        poolKinds: [.azureOpenAI], stickyPrefix: "azure_openai_session_account_mapping:")

    public static let gemini = SchedulingPolicy(
        name: "Gemini", bindings: [Binding(field: "geminiAccountId", kind: .gemini, prefixed: ["api:": .geminiAPI])],
        poolKinds: AccountKind.geminiFamily, stickyPrefix: "unified_gemini_session_mapping:")
}
