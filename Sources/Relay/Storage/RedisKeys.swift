/// Every Redis key the relay reads or writes, in the Node original's layout (docs/reference/data-layout.md), in one place.
public enum RedisKeys {
    // API keys
    public static func apiKey(_ id: String) -> String { "apikey:\(id)" }
    public static let apiKeyPrefix = "apikey:"
    public static let apiKeyHashMap = "apikey:hash_map"

    // Accounts, one hash (Bedrock: one JSON string) per account under its kind's prefix; Node keeps the shared
    // accounts of some kinds in a set as well. Each provider's `AccountKind` names its keys from here.
    public static let claudeOfficialAccountPrefix = "claude:account:"
    public static let claudeConsoleAccountPrefix = "claude_console_account:"
    public static let ccrAccountPrefix = "ccr_account:"
    public static let bedrockAccountPrefix = "bedrock_account:"
    public static let geminiAccountPrefix = "gemini_account:"
    public static let geminiAPIAccountPrefix = "gemini_api_account:"
    public static let openAIAccountPrefix = "openai:account:"
    public static let openAIResponsesAccountPrefix = "openai_responses_account:"
    public static let azureOpenAIAccountPrefix = "azure_openai:account:"
    public static let droidAccountPrefix = "droid:account:"
    public static let droidAccountIndex = "droid:account:index"
    public static let sharedClaudeConsoleAccounts = "shared_claude_console_accounts"
    public static let sharedCCRAccounts = "shared_ccr_accounts"
    public static let sharedGeminiAccounts = "shared_gemini_accounts"
    public static let sharedGeminiAPIAccounts = "shared_gemini_api_accounts"
    public static let sharedOpenAIAccounts = "shared_openai_accounts"
    public static let sharedOpenAIResponsesAccounts = "shared_openai_responses_accounts"
    public static let sharedAzureOpenAIAccounts = "shared_azure_openai_accounts"
    public static func accountFiveXXErrors(_ id: String) -> String { "claude_account:\(id):5xx_errors" }

    // Scheduling: a sticky session's account, per pool (`AccountPool.stickyPrefix` + the session hash).
    public static let claudeStickyPrefix = "unified_claude_session_mapping:"
    public static let openAIStickyPrefix = "unified_openai_session_mapping:"
    public static let geminiStickyPrefix = "unified_gemini_session_mapping:"
    public static let azureOpenAIStickyPrefix = "azure_openai_session_account_mapping:"
    public static let droidStickyPrefix = "droid_session_account_mapping:"

    // Limits (docs/reference/data-layout.md)
    public static let concurrencyPrefix = "concurrency:"
    public static func keyConcurrency(_ keyID: String) -> String { concurrencyPrefix + keyID }
    /// Node's user-message serial queue per account: the turn's lock, and when the last turn ended.
    public static func userMessageQueueLock(_ accountID: String) -> String { "user_msg_queue_lock:\(accountID)" }
    public static func userMessageQueueLast(_ accountID: String) -> String { "user_msg_queue_last:\(accountID)" }
    /// Requests of one key waiting for a concurrency lease (the key's hash; relay naming beside Node's `concurrency:queue:`).
    public static func concurrencyQueue(_ keyHash: String) -> String { concurrencyPrefix + "queue:" + keyHash }
    /// An account's own cap (`maxConcurrentTasks`); relay naming, under the same `concurrency:` sweep.
    public static func accountConcurrency(_ accountID: String) -> String { concurrencyPrefix + "account:" + accountID }
    public static func rateWindowStart(_ keyID: String) -> String { "rate_limit:window_start:\(keyID)" }
    public static func rateWindowRequests(_ keyID: String) -> String { "rate_limit:requests:\(keyID)" }
    public static func rateWindowTokens(_ keyID: String) -> String { "rate_limit:tokens:\(keyID)" }
    public static func rateWindowCost(_ keyID: String) -> String { "rate_limit:cost:\(keyID)" }
    public static let billingEvents = "billing:events"

    // Account groups (Node layout, docs/reference/data-layout.md)
    public static let accountGroups = "account_groups"
    public static func accountGroup(_ id: String) -> String { "account_group:\(id)" }
    public static func accountGroupMembers(_ id: String) -> String { "account_group_members:\(id)" }

    // Settings
    /// Node's webhook notification settings, one JSON value.
    public static let webhookConfig = "webhook_config:default"
    public static let oemSettings = "oem:settings"
    /// The newest Claude Code user agent seen (Node: 25 h TTL).
    public static let claudeCodeUserAgent = "claude_code_user_agent:daily"
    /// Real Claude Code's headers per subscription account (Node: 7 days).
    public static func claudeCodeHeaders(_ accountID: String) -> String { "claude_code_headers:\(accountID)" }
    /// Node's global Claude relay settings (Claude Code only, global session binding), one JSON value.
    public static let claudeRelayConfig = "claude_relay_config"
    /// A Claude Code session bound to the subscription account that first served it (global session binding).
    public static func originalSessionBinding(_ sessionID: String) -> String { "original_session_binding:\(sessionID)" }

    // Admin
    public static let adminCredentials = "session:admin_credentials"
    public static func revokedAdminToken(_ jti: String) -> String { "crs:admin:revoked:\(jti)" }
    public static func adminLoginFailures(_ address: String) -> String { "crs:admin:login_failures:\(address)" }
    /// Calls to the public key-statistics API in one minute, per client address (`ip`) or key id (`key`).
    public static func publicStatsCalls(_ kind: String, _ name: String, _ minute: Int) -> String { "crs:public_stats:\(kind):\(name):\(minute)" }

    // Usage (per key)
    public static func usageTotal(_ keyID: String) -> String { "usage:\(keyID)" }
    public static func usageDaily(_ keyID: String, _ date: String) -> String { "usage:daily:\(keyID):\(date)" }
    public static func usageMonthly(_ keyID: String, _ month: String) -> String { "usage:monthly:\(keyID):\(month)" }
    public static func usageHourly(_ keyID: String, _ hour: String) -> String { "usage:hourly:\(keyID):\(hour)" }
    public static let usagePrefix = "usage:"
    public static func usageModel(_ period: String, _ model: String, _ bucket: String) -> String { usageModelPrefix(period) + "\(model):\(bucket)" }
    /// Every model's counters of one period (`usage:model:daily:` + model + bucket).
    public static func usageModelPrefix(_ period: String) -> String { "usage:model:\(period):" }
    public static func usageKeyModel(_ keyID: String, _ period: String, _ model: String, _ bucket: String) -> String {
        usageKeyModelPrefix(keyID, period) + "\(model):\(bucket)"
    }
    public static func usageKeyModelPrefix(_ keyID: String, _ period: String) -> String { "usage:\(keyID):model:\(period):" }
    public static func usageRecords(_ keyID: String) -> String { "usage:records:\(keyID)" }
    public static func costDaily(_ keyID: String, _ date: String) -> String { "usage:cost:daily:\(keyID):\(date)" }
    public static func costMonthly(_ keyID: String, _ month: String) -> String { "usage:cost:monthly:\(keyID):\(month)" }
    public static func costHourly(_ keyID: String, _ hour: String) -> String { "usage:cost:hourly:\(keyID):\(hour)" }
    public static func costTotal(_ keyID: String) -> String { "usage:cost:total:\(keyID)" }
    public static func opusWeekly(_ keyID: String, _ week: String) -> String { "usage:opus:weekly:\(keyID):\(week)" }
    public static func opusTotal(_ keyID: String) -> String { "usage:opus:total:\(keyID)" }
    public static func systemMetricsMinute(_ unixMinute: some CustomStringConvertible) -> String { "system:metrics:minute:\(unixMinute)" }

    // Usage (per account)
    public static func accountUsageTotal(_ accountID: String) -> String { "account_usage:\(accountID)" }
    public static func accountUsage(_ period: String, _ accountID: String, _ bucket: String) -> String { "account_usage:\(period):\(accountID):\(bucket)" }
    public static func accountUsageModel(_ period: String, _ accountID: String, _ model: String, _ bucket: String) -> String {
        accountUsageModelPrefix(period, accountID) + "\(model):\(bucket)"
    }
    public static func accountUsageModelPrefix(_ period: String, _ accountID: String) -> String { "account_usage:model:\(period):\(accountID):" }

    // Relay-only additions (the Node original has no equivalent; additive, never conflicting)
    /// Held by the instance running the periodic account health check.
    public static let healthCheckLock = "crs:health_check:lock"
    /// An account's last health-check results (newest first, 50 kept).
    public static func healthCheckHistory(_ accountID: String) -> String { "crs:health_check:history:\(accountID)" }
    /// An account's upstream failures, newest first (Node's `error_history:{accountType}:{id}`).
    public static func errorHistory(_ accountType: String, _ accountID: String) -> String { "error_history:\(accountType):\(accountID)" }
    public static let unpricedModels = "crs:pricing:unpriced_models"
    /// Marks a request's usage write as applied (makes replays after a lost reply idempotent; 1 h TTL).
    public static func usageApplied(_ requestID: String) -> String { "crs:usage:applied:\(requestID)" }
    public static let invalidationChannel = "crs:invalidate"

    // OAuth
    public static func oauthSession(_ id: String) -> String { "oauth:\(id)" }
    public static func tokenRefreshLock(_ platform: String, _ accountID: String) -> String { "token_refresh_lock:\(platform):\(accountID)" }

    // Alerts (consumed by webhooks; readable by operators with XRANGE)
    public static let alertStream = "crs:alerts"
    public static let alertChannel = "crs:alerts"
    /// Present while an alert of this type for this account is in its quiet period.
    public static func alertQuiet(_ type: String, _ accountID: String) -> String { "crs:alerts:quiet:\(type):\(accountID)" }

    /// Key families this relay (or the Node original, on the same data) reads or writes, by prefix: what
    /// `crs migrate --check` does not report as unknown.
    public static var families: [String] {
        [apiKeyPrefix, usagePrefix, "account_usage:", "rate_limit:", concurrencyPrefix, "unified_", "sticky_session:", "session:",
         "oauth:", "token_refresh_lock:", "system:metrics:", "claude_account:", "account_group", "oem:", "webhook_config:",
         "claude_code_user_agent:", "billing:", "crs:", "shared_", "ratelimit:", "account:overload:", "temp_unavailable:",
         "claude_code_headers:", "claude_relay_config", "original_session_binding:", azureOpenAIStickyPrefix, droidStickyPrefix,
         "error_history:", droidAccountIndex, "user_msg_queue_"]
            + AccountKind.all.map(\.keyPrefix)
    }
}
