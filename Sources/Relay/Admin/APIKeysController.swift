import Foundation
import Hummingbird

/// `/admin/api-keys…` with the Node original's paths and `{success, data}` shapes (batches.md RS-C1…C7).
struct APIKeysController {
    let store: APIKeyStore
    let redis: RedisClient
    let clock: RelayClock

    func register(on admin: RouterGroup<RelayRequestContext>) {
        admin.get("api-keys") { _, _ -> Response in
            let keys = try await store.all().filter { !$0.isDeleted }
            return AdminReply.data(try await withUsage(keys))
        }
        admin.get("api-keys/tags") { _, _ in try await tags() }
        admin.get("tags") { _, _ in try await tags() }
        admin.get("api-keys/deleted") { _, _ -> Response in
            let deleted = try await store.all().filter(\.isDeleted)
            return AdminReply.ok(["apiKeys": deleted.map(\.adminJSON), "total": deleted.count])
        }
        admin.delete("api-keys/deleted/clear-all") { _, _ -> Response in
            let deleted = try await store.all().filter(\.isDeleted)
            for key in deleted { try await store.purge(key.id) }
            return AdminReply.ok(["message": "Purged \(deleted.count) deleted API keys", "count": deleted.count])
        }
        admin.post("api-keys") { request, context -> Response in
            let fields = try input(await AdminReply.body(request))
            guard fields["name"] != nil else { throw AdminError(400, "Invalid request", "name: is required") }
            let (record, rawKey) = try await store.create(fields, createdBy: context.adminUsername ?? "admin")
            var data = record.adminJSON
            data["key"] = rawKey
            data["apiKey"] = rawKey
            return AdminReply.data(data, ["message": "API key created; the key is shown only once"])
        }
        admin.get("api-keys/:id") { _, context -> Response in
            guard let key = try await store.get(try context.parameters.require("id")) else {
                throw AdminError(404, "Not Found", "API key not found")
            }
            return AdminReply.data(try await withUsage([key])[0])
        }
        admin.put("api-keys/:id") { request, context -> Response in
            let id = try context.parameters.require("id")
            let changes = try input(await AdminReply.body(request))
            let record = try await mapped { try await store.update(id, changes: changes) }
            return AdminReply.data(record.adminJSON, ["message": "API key updated"])
        }
        admin.delete("api-keys/:id") { _, context -> Response in
            let id = try context.parameters.require("id")
            try await mapped { try await store.softDelete(id, by: context.adminUsername ?? "admin") }
            return AdminReply.ok(["message": "API key deleted"])
        }
        admin.post("api-keys/:id/restore") { _, context -> Response in
            let id = try context.parameters.require("id")
            let record = try await mapped { try await store.restore(id) }
            return AdminReply.data(record.adminJSON, ["message": "API key restored"])
        }
        admin.delete("api-keys/:id/permanent") { _, context -> Response in
            let id = try context.parameters.require("id")
            try await mapped { try await store.purge(id) }
            return AdminReply.ok(["message": "API key permanently deleted"])
        }
    }

    /// The store's refusals as the admin API states them.
    private func mapped<T>(_ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch let failure as APIKeyStore.Failure {
            switch failure {
            case .notFound: throw AdminError(404, "Not Found", "API key not found")
            case .deleted: throw AdminError(400, "API Key already deleted", "The API key is deleted; restore it first")
            case .notDeleted: throw AdminError(400, "Not deleted", "Only deleted API keys can be restored or permanently deleted")
            case .invalid(let message): throw AdminError(400, "Invalid request", message)
            }
        }
    }

    private func input(_ body: [String: Any]) throws -> [String: String] {
        do {
            return try APIKeyInput.fields(from: body, now: clock.now)
        } catch let invalid as APIKeyInput.Invalid {
            throw AdminError(400, "Invalid request", invalid.description)
        }
    }

    private func tags() async throws -> Response {
        let all = try await store.all().filter { !$0.isDeleted }.flatMap(\.tags)
        return AdminReply.data(Array(Set(all)).sorted())
    }

    /// Adds lifetime usage and cost to each key (one pipelined round trip for all of them).
    private func withUsage(_ keys: [APIKeyRecord]) async throws -> [[String: Any]] {
        var commands: [RedisCommand] = []
        for key in keys {
            commands.append(RedisCommand("HGETALL", RedisArgument(RedisKeys.usageTotal(key.id))))
            commands.append(RedisCommand("GET", RedisArgument(RedisKeys.costTotal(key.id))))
        }
        let replies = try await redis.pipeline(commands)
        return keys.enumerated().map { index, key in
            let totals = replies[index * 2].stringDictionary
            let cost = Double(replies[index * 2 + 1].string ?? "") ?? 0
            func number(_ field: String) -> Int { Int(totals[field] ?? "") ?? 0 }
            var json = key.adminJSON
            json["usage"] = ["total": [
                "requests": number("totalRequests"), "tokens": number("totalTokens"), "allTokens": number("totalAllTokens"),
                "inputTokens": number("totalInputTokens"), "outputTokens": number("totalOutputTokens"),
                "cacheCreateTokens": number("totalCacheCreateTokens"), "cacheReadTokens": number("totalCacheReadTokens"),
                "cost": cost, "formattedCost": String(format: "$%.6f", cost),
            ]]
            json["totalCost"] = cost
            return json
        }
    }
}
