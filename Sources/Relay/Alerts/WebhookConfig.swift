import Foundation

/// The webhook configuration in Node's place and shape (`webhook_config:default`, docs/reference/data-layout.md):
/// `{enabled, platforms: [{id, type, name, url, enabled, …type fields}], notificationTypes: {…: Bool},
/// retrySettings: {maxRetries, retryDelay (ms), timeout (ms)}, createdAt, updatedAt}`.
struct WebhookConfig: @unchecked Sendable {
    static let key = RedisKeys.webhookConfig
    static let types: Set<String> = ["wechat_work", "dingtalk", "feishu", "slack", "discord", "telegram", "bark", "smtp", "custom"]
    static let notificationTypes = ["accountAnomaly", "quotaWarning", "systemError", "securityAlert", "rateLimitRecovery", "test"]

    var object: [String: Any]

    static var empty: WebhookConfig {
        WebhookConfig(object: [
            "enabled": false, "platforms": [[String: Any]](),
            "notificationTypes": Dictionary(uniqueKeysWithValues: notificationTypes.map { ($0, true) }),
            "retrySettings": ["maxRetries": 3, "retryDelay": 1000, "timeout": 10000],
        ])
    }

    var enabled: Bool { JSON.bool(object["enabled"]) ?? false }
    var platforms: [[String: Any]] { object["platforms"] as? [[String: Any]] ?? [] }
    var maxRetries: Int { JSON.int((object["retrySettings"] as? [String: Any])?["maxRetries"]) ?? 3 }
    var retryDelayMilliseconds: Int { JSON.int((object["retrySettings"] as? [String: Any])?["retryDelay"]) ?? 1000 }
    var timeoutMilliseconds: Int { JSON.int((object["retrySettings"] as? [String: Any])?["timeout"]) ?? 10000 }

    func wants(_ notificationType: String) -> Bool {
        JSON.bool((object["notificationTypes"] as? [String: Any])?[notificationType]) ?? true
    }

    struct Invalid: Error, CustomStringConvertible {
        let description: String
    }

    /// Checks one platform entry; returns it with an id.
    static func validPlatform(_ raw: [String: Any], id: String? = nil) throws -> [String: Any] {
        var platform = raw
        guard let type = platform["type"] as? String, types.contains(type) else {
            throw Invalid(description: "type must be one of \(types.sorted().joined(separator: ", "))")
        }
        if type == "smtp" { throw Invalid(description: "smtp platforms are not supported by this relay (use a webhook-to-mail bridge)") }
        switch type {
        case "telegram":
            guard (platform["botToken"] as? String).map({ !$0.isEmpty }) ?? false, platform["chatId"] != nil else {
                throw Invalid(description: "telegram needs botToken and chatId")
            }
        case "bark":
            guard (platform["deviceKey"] as? String).map({ !$0.isEmpty }) ?? false else { throw Invalid(description: "bark needs deviceKey") }
        default:
            guard let text = platform["url"] as? String, let url = URL(string: text), ["http", "https"].contains(url.scheme ?? ""), url.host != nil else {
                throw Invalid(description: "url must be an http(s) URL")
            }
        }
        platform["id"] = id ?? (platform["id"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? UUID().uuidString.lowercased()
        if platform["enabled"] == nil { platform["enabled"] = true }
        return platform
    }

    /// The config with secrets masked, for the admin API.
    var presented: [String: Any] {
        var shown = object
        shown["platforms"] = platforms.map { platform in
            var copy = platform
            for field in ["secret", "botToken", "pass"] where (copy[field] as? String).map({ !$0.isEmpty }) ?? false { copy[field] = "********" }
            return copy
        }
        return shown
    }
}

/// Reads and writes the configuration.
struct WebhookConfigStore: Sendable {
    let redis: RedisClient
    let clock: RelayClock

    func load() async throws -> WebhookConfig {
        guard let text = try await redis.send("GET", RedisArgument(WebhookConfig.key)).string, let object = JSON.object(Data(text.utf8)) else {
            return .empty
        }
        var config = WebhookConfig.empty
        config.object.merge(object) { _, stored in stored }
        return config
    }

    func save(_ config: WebhookConfig) async throws {
        var object = config.object
        let now = ISOTime.string(clock.now)
        if object["createdAt"] == nil { object["createdAt"] = now }
        object["updatedAt"] = now
        try await redis.send("SET", RedisArgument(WebhookConfig.key), RedisArgument(JSON.string(object)))
    }
}
