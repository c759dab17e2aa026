import Foundation

/// Node's Redis layout for account tests: the schedule `account:test_config:{platform}:{id}` (hash: enabled,
/// cronExpression, model, updatedAt; kept a year), the last five results `account:test_history:{platform}:{id}` (list of
/// JSON, newest first, 30 days) and the last run `account:last_test:{platform}:{id}` (ms).
struct AccountTestStore: Sendable {
    struct Config: Sendable, Equatable {
        var enabled = false
        var cronExpression = "0 8 * * *"
        var model = AccountTestRun.defaultModel
        var updatedAt: String?

        var json: [String: Any] {
            var object: [String: Any] = ["enabled": enabled, "cronExpression": cronExpression, "model": model]
            if let updatedAt { object["updatedAt"] = updatedAt }
            return object
        }
    }

    static let historyLimit = 5
    static let historySeconds = 30 * 86_400
    static let configSeconds = 365 * 86_400

    let redis: RedisClient

    static func configKey(_ platform: String, _ id: String) -> String { "account:test_config:\(platform):\(id)" }
    static func historyKey(_ platform: String, _ id: String) -> String { "account:test_history:\(platform):\(id)" }
    static func lastKey(_ platform: String, _ id: String) -> String { "account:last_test:\(platform):\(id)" }

    func config(_ platform: String, _ id: String) async throws -> Config? {
        let fields = try await redis.send("HGETALL", RedisArgument(Self.configKey(platform, id))).stringDictionary
        guard !fields.isEmpty else { return nil }
        // Node's older layout kept only an hour (`testHour`).
        let cron = fields["cronExpression"] ?? fields["testHour"].flatMap(Int.init).map { "0 \($0) * * *" }
        return Config(enabled: fields["enabled"] == "true", cronExpression: cron ?? "0 8 * * *",
                      model: fields["model"] ?? AccountTestRun.defaultModel, updatedAt: fields["updatedAt"])
    }

    func save(_ platform: String, _ id: String, _ config: Config, at now: Date) async throws {
        let key = RedisArgument(Self.configKey(platform, id))
        _ = try await redis.pipeline([
            RedisCommand("HSET", arguments: [key, "enabled", RedisArgument(config.enabled ? "true" : "false"), "cronExpression",
                                             RedisArgument(config.cronExpression), "model", RedisArgument(config.model),
                                             "updatedAt", RedisArgument(ISOTime.string(now))]),
            RedisCommand("EXPIRE", key, RedisArgument(Self.configSeconds)),
        ])
    }

    func record(_ platform: String, _ id: String, _ result: [String: Any], at now: Date) async throws {
        let key = RedisArgument(Self.historyKey(platform, id))
        _ = try await redis.pipeline([
            RedisCommand("LPUSH", key, RedisArgument(JSON.string(result))),
            RedisCommand("LTRIM", key, "0", RedisArgument(Self.historyLimit - 1)),
            RedisCommand("EXPIRE", key, RedisArgument(Self.historySeconds)),
            RedisCommand("SET", RedisArgument(Self.lastKey(platform, id)), RedisArgument(Int64(now.timeIntervalSince1970 * 1000))),
        ])
    }

    func history(_ platform: String, _ ids: [String]) async throws -> [String: [[String: Any]]] {
        guard !ids.isEmpty else { return [:] }
        let replies = try await redis.pipeline(ids.map { RedisCommand("LRANGE", RedisArgument(Self.historyKey(platform, $0)), "0", "-1") })
        var out: [String: [[String: Any]]] = [:]
        for (id, reply) in zip(ids, replies) {
            out[id] = (reply.array ?? []).compactMap { $0.string.flatMap { JSON.object(Data($0.utf8)) } }
        }
        return out
    }

    /// The accounts of `platform` with an enabled schedule.
    func enabled(_ platform: String) async throws -> [(id: String, config: Config)] {
        var found: [(String, Config)] = []
        var cursor = "0"
        let prefix = Self.configKey(platform, "")
        repeat {
            let reply = try await redis.send("SCAN", RedisArgument(cursor), "MATCH", RedisArgument(prefix + "*"), "COUNT", "200").array ?? []
            cursor = reply.first?.string ?? "0"
            for key in reply.dropFirst().first?.array?.compactMap(\.string) ?? [] {
                let id = String(key.dropFirst(prefix.count))
                if let config = try await config(platform, id), config.enabled { found.append((id, config)) }
            }
        } while cursor != "0"
        return found
    }
}
