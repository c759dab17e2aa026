import Foundation

/// API keys in Redis, in the Node layout: `apikey:{id}` hashes plus the `apikey:hash_map` index
/// (`sha256(rawKey + ENCRYPTION_KEY)` → id) used to authenticate.
public final class APIKeyStore: Sendable {
    public enum Failure: Error, Equatable {
        case notFound
        case deleted
        case notDeleted
        case invalid(String)
    }

    let redis: RedisClient
    let hasher: APIKeyHasher
    let clock: RelayClock

    public init(redis: RedisClient, hasher: APIKeyHasher, clock: RelayClock) {
        self.redis = redis
        self.hasher = hasher
        self.clock = clock
    }

    /// Creates a key; the raw key is returned only here and never stored.
    public func create(_ input: [String: String], createdBy: String = "admin") async throws -> (record: APIKeyRecord, rawKey: String) {
        guard let name = input["name"], !name.isEmpty else { throw Failure.invalid("name: is required") }
        let rawKey = hasher.generate()
        let hash = hasher.hash(rawKey)
        let now = ISOTime.string(clock.now)
        var fields = APIKeySchema.defaults.merging(input) { _, new in new }
        fields["id"] = UUID().uuidString.lowercased()
        fields["apiKey"] = hash
        fields["createdAt"] = now
        fields["updatedAt"] = now
        fields["createdBy"] = createdBy
        let activation = fields["expirationMode"] == "activation"
        fields["isActivated"] = activation ? "false" : "true"
        fields["activatedAt"] = activation ? "" : now
        if activation { fields["expiresAt"] = "" }
        let record = APIKeyRecord(fields: fields)
        _ = try await redis.transaction([
            RedisCommand("HSET", arguments: [RedisArgument(RedisKeys.apiKey(record.id))] + Self.flatten(fields)),
            RedisCommand("HSET", RedisArgument(RedisKeys.apiKeyHashMap), RedisArgument(hash), RedisArgument(record.id)),
        ])
        return (record, rawKey)
    }

    public func get(_ id: String) async throws -> APIKeyRecord? {
        let fields = try await redis.send("HGETALL", RedisArgument(RedisKeys.apiKey(id))).stringDictionary
        return fields.isEmpty ? nil : APIKeyRecord(fields: fields)
    }

    /// Every key (SCAN over `apikey:*`, one pipelined HGETALL for all of them).
    public func all() async throws -> [APIKeyRecord] {
        let keys = try await redis.scan(match: RedisKeys.apiKeyPrefix + "*").filter { $0 != RedisKeys.apiKeyHashMap && !$0.dropFirst(7).contains(":") }
        let replies = try await redis.pipeline(keys.map { RedisCommand("HGETALL", RedisArgument($0)) })
        return replies.map(\.stringDictionary).filter { !$0.isEmpty }.map(APIKeyRecord.init)
            .sorted { ($0.fields["createdAt"] ?? "") > ($1.fields["createdAt"] ?? "") }
    }

    /// Applies the given fields to a live key.
    public func update(_ id: String, changes: [String: String]) async throws -> APIKeyRecord {
        guard var record = try await get(id) else { throw Failure.notFound }
        if record.isDeleted { throw Failure.deleted }
        var changes = changes
        changes["updatedAt"] = ISOTime.string(clock.now)
        if changes["expirationMode"] == "activation", record.expirationMode != "activation" {
            changes["isActivated"] = "false"
            changes["activatedAt"] = ""
            changes["expiresAt"] = ""
        }
        try await redis.send(RedisCommand("HSET", arguments: [RedisArgument(RedisKeys.apiKey(id))] + Self.flatten(changes)))
        record.fields.merge(changes) { _, new in new }
        return record
    }

    /// Soft delete: flagged, deactivated, and removed from the auth index so it can no longer authenticate.
    public func softDelete(_ id: String, by: String) async throws {
        guard let record = try await get(id) else { throw Failure.notFound }
        if record.isDeleted { throw Failure.deleted }
        let now = ISOTime.string(clock.now)
        var commands = [RedisCommand("HSET", arguments: [RedisArgument(RedisKeys.apiKey(id))] + Self.flatten([
            "isDeleted": "true", "deletedAt": now, "deletedBy": by, "deletedByType": "admin", "isActive": "false", "updatedAt": now,
        ]))]
        if let hash = record.hashedKey { commands.append(RedisCommand("HDEL", RedisArgument(RedisKeys.apiKeyHashMap), RedisArgument(hash))) }
        _ = try await redis.transaction(commands)
    }

    public func restore(_ id: String) async throws -> APIKeyRecord {
        guard var record = try await get(id) else { throw Failure.notFound }
        guard record.isDeleted else { throw Failure.notDeleted }
        let now = ISOTime.string(clock.now)
        let changes = ["isDeleted": "false", "isActive": "true", "restoredAt": now, "updatedAt": now]
        var commands = [
            RedisCommand("HSET", arguments: [RedisArgument(RedisKeys.apiKey(id))] + Self.flatten(changes)),
            RedisCommand("HDEL", RedisArgument(RedisKeys.apiKey(id)), "deletedAt", "deletedBy", "deletedByType"),
        ]
        if let hash = record.hashedKey { commands.append(RedisCommand("HSET", RedisArgument(RedisKeys.apiKeyHashMap), RedisArgument(hash), RedisArgument(id))) }
        _ = try await redis.transaction(commands)
        record.fields.merge(changes) { _, new in new }
        for field in ["deletedAt", "deletedBy", "deletedByType"] { record.fields.removeValue(forKey: field) }
        return record
    }

    /// Removes a soft-deleted key for good (its usage history stays).
    public func purge(_ id: String) async throws {
        guard let record = try await get(id) else { throw Failure.notFound }
        guard record.isDeleted else { throw Failure.notDeleted }
        try await redis.send("DEL", RedisArgument(RedisKeys.apiKey(id)))
    }

    static func flatten(_ fields: [String: String]) -> [RedisArgument] {
        fields.sorted { $0.key < $1.key }.flatMap { [RedisArgument($0.key), RedisArgument($0.value)] }
    }
}
