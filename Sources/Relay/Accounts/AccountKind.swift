/// What distinguishes one kind of upstream account in storage and scheduling. Adding a provider adds a kind.
public struct AccountKind: Sendable, Hashable, CustomStringConvertible {
    /// The scheduler's name for it (Node's sticky mappings store this as `accountType`).
    public let name: String
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
    /// The admin API path segment.
    public let adminPath: String
    /// How Node stores the record: a hash, or (Bedrock) one JSON string.
    public var storage: AccountStorage = .hash
    /// The secret field requests are authenticated with (OAuth kinds: `accessToken`, kept fresh by the refresher).
    public var credentialField = "apiKey"

    public var description: String { name }

    public func redisKey(_ id: String) -> String { keyPrefix + id }

    public static let claudeOfficial = AccountKind(
        name: "claude-official", usageType: "claude", platform: "claude", keyPrefix: "claude:account:", sharedSet: nil,
        salt: .claudeOAuth, secretFields: ["email", "password", "claudeAiOauth", "accessToken", "refreshToken"],
        bindingField: "claudeAccountId", adminPath: "claude-accounts", credentialField: "accessToken")

    public static let claudeConsole = AccountKind(
        name: "claude-console", usageType: "claude-console", platform: "claude-console", keyPrefix: "claude_console_account:",
        sharedSet: RedisKeys.sharedClaudeConsoleAccounts, salt: .claudeConsole, secretFields: ["apiKey"],
        bindingField: "claudeConsoleAccountId", adminPath: "claude-console-accounts")

    /// Google OAuth (Gemini CLI / Code Assist upstream, `cloudcode-pa …/v1internal:`).
    public static let gemini = AccountKind(
        name: "gemini", usageType: "gemini", platform: "gemini", keyPrefix: "gemini_account:",
        sharedSet: RedisKeys.sharedGeminiAccounts, salt: .gemini, secretFields: ["geminiOauth", "accessToken", "refreshToken"],
        bindingField: "geminiAccountId", adminPath: "gemini-accounts", credentialField: "accessToken")

    /// Gemini API keys (`{base}/v1beta/models/{model}:{action}` on generativelanguage), Node (current)'s gemini-api.
    public static let geminiAPI = AccountKind(
        name: "gemini-api", usageType: "gemini-api", platform: "gemini-api", keyPrefix: "gemini_api_account:",
        sharedSet: "shared_gemini_api_accounts", salt: .geminiAPI, secretFields: ["apiKey"],
        bindingField: "geminiAccountId", adminPath: "gemini-api-accounts")

    /// ChatGPT OAuth (Codex backend).
    public static let openAI = AccountKind(
        name: "openai", usageType: "openai", platform: "openai", keyPrefix: "openai:account:",
        sharedSet: RedisKeys.sharedOpenAIAccounts, salt: .openAI,
        secretFields: ["idToken", "accessToken", "refreshToken", "openaiOauth", "email"],
        bindingField: "openaiAccountId", adminPath: "openai-accounts", credentialField: "accessToken")

    /// AWS Bedrock (Anthropic models through InvokeModel). Node keeps it as a JSON string, credentials inside as
    /// `{encrypted, iv}`.
    public static let bedrock = AccountKind(
        name: "bedrock", usageType: "bedrock", platform: "bedrock", keyPrefix: "bedrock_account:", sharedSet: nil,
        salt: .bedrock, secretFields: ["awsCredentials"], bindingField: "bedrockAccountId", adminPath: "bedrock-accounts",
        storage: .json, credentialField: "awsCredentials")

    /// OpenAI Responses API with an API key (`{baseApi}/v1/responses`). Bound as `openaiAccountId: responses:<id>`.
    public static let openAIResponses = AccountKind(
        name: "openai-responses", usageType: "openai-responses", platform: "openai-responses", keyPrefix: "openai_responses_account:",
        sharedSet: "shared_openai_responses_accounts", salt: .openAIResponses, secretFields: ["apiKey"],
        bindingField: "openaiAccountId", adminPath: "openai-responses-accounts")

    /// Claude Code Router endpoints (Console-shaped: `apiUrl` + `apiKey`). Served only to requests whose model
    /// carries the `ccr,` vendor prefix, or to keys bound with `claudeAccountId: ccr:<id>` (Node's rules).
    public static let ccr = AccountKind(
        name: "ccr", usageType: "ccr", platform: "ccr", keyPrefix: "ccr_account:", sharedSet: "shared_ccr_accounts",
        salt: .ccr, secretFields: ["apiKey"], bindingField: "claudeAccountId", adminPath: "ccr-accounts")

    /// The kinds that serve Anthropic Messages requests, in the order the pool considers them.
    public static let claudeFamily: [AccountKind] = [.claudeOfficial, .claudeConsole, .bedrock]
    /// Azure OpenAI deployments (`{azureEndpoint}/openai/deployments/{deployment}/…?api-version=…`, `api-key`).
    public static let azureOpenAI = AccountKind(
        name: "azure-openai", usageType: "azure-openai", platform: "azure_openai", keyPrefix: "azure_openai:account:",
        sharedSet: "shared_azure_openai_accounts", salt: .azureOpenAIDefault, secretFields: ["apiKey"],
        bindingField: "azureOpenaiAccountId", adminPath: "azure-openai-accounts")

    /// The kinds that serve OpenAI Responses requests (`/openai/responses`).
    public static let openAIFamily: [AccountKind] = [.openAI, .openAIResponses]
    /// The kinds that serve Gemini requests (`/gemini/…`).
    public static let geminiFamily: [AccountKind] = [.gemini, .geminiAPI]
    public static let all: [AccountKind] = claudeFamily + [.ccr] + geminiFamily + openAIFamily + [.azureOpenAI]
}
