import Foundation
import Hummingbird

/// Node's live concurrency views on its paths and in its shapes: `GET /admin/concurrency` (every key's leases — active
/// with their expiry, expired ones not yet swept — and its queue), `GET /admin/concurrency/:apiKeyId`,
/// `POST /admin/concurrency/cleanup` (`{apiKeyId?}`: drops expired leases only), `DELETE /admin/concurrency[/:apiKeyId]`
/// (force-frees leases: running requests keep running, their slots are given back early), `GET
/// /admin/concurrency-queue/stats` (per key: waiting now and the queue's outcome counts) and `DELETE
/// /admin/concurrency-queue[/:apiKeyId]` (resets waiting counters). Leases live in `concurrency:{keyId}`; the queue is
/// named by the key's hash (`ConcurrencyQueue`), found through the key's record.
struct ConcurrencyController {
    let redis: RedisClient
    let clock: RelayClock

    func register(on admin: RouterGroup<RelayRequestContext>) {
        admin.get("concurrency") { _, _ -> Response in
            var rows: [[String: Any]] = []
            for id in try await keyIDs() { rows.append(try await status(id, withQueue: true)) }
            rows = rows.filter { ($0["activeCount"] as? Int ?? 0) + ($0["expiredCount"] as? Int ?? 0) > 0 }
            func total(_ field: String) -> Int { rows.reduce(0) { $0 + ($1[field] as? Int ?? 0) } }
            return AdminReply.ok(["summary": ["totalKeys": rows.count, "totalActiveRequests": total("activeCount"),
                                              "totalExpiredRequests": total("expiredCount"), "totalQueuedRequests": total("queueCount")],
                                  "concurrencyStatus": rows])
        }
        admin.get("concurrency/:apiKeyId") { _, context -> Response in
            AdminReply.ok(["concurrencyStatus": try await status(try context.parameters.require("apiKeyId"), withQueue: true)])
        }
        admin.post("concurrency/cleanup") { request, _ -> Response in
            let body = try await AdminReply.body(request)
            var ids = try await keyIDs()
            if let one = body["apiKeyId"] as? String, !one.isEmpty { ids = [one] }
            let now = RedisArgument(clock.nowMilliseconds)
            let replies = try await redis.pipeline(ids.map { RedisCommand("ZREMRANGEBYSCORE", RedisArgument(RedisKeys.keyConcurrency($0)), "-inf", now) })
            let removed = replies.reduce(0) { $0 + Int($1.int ?? 0) }
            return AdminReply.ok(["message": "Expired concurrency entries cleaned up", "result": ["keysChecked": ids.count, "entriesRemoved": removed]])
        }
        admin.delete("concurrency/:apiKeyId") { _, context -> Response in
            let id = try context.parameters.require("apiKeyId")
            let freed = try await redis.send("ZCARD", RedisArgument(RedisKeys.keyConcurrency(id))).int ?? 0
            try await redis.send("DEL", RedisArgument(RedisKeys.keyConcurrency(id)))
            return AdminReply.ok(["message": "Successfully cleared concurrency for API key \(id)", "result": ["apiKeyId": id, "clearedCount": freed]])
        }
        admin.delete("concurrency") { _, _ -> Response in
            let ids = try await keyIDs()
            let counts = try await redis.pipeline(ids.map { RedisCommand("ZCARD", RedisArgument(RedisKeys.keyConcurrency($0))) })
            if !ids.isEmpty { _ = try await redis.send(RedisCommand("DEL", arguments: ids.map { RedisArgument(RedisKeys.keyConcurrency($0)) })) }
            return AdminReply.ok(["message": "Successfully cleared all concurrency",
                                  "result": ["keysCleared": ids.count, "totalCleared": counts.reduce(0) { $0 + Int($1.int ?? 0) }]])
        }
        admin.get("concurrency-queue/stats") { _, _ -> Response in
            var perKey: [[String: Any]] = []
            for id in try await allKeyIDs() {
                guard let hash = try await hash(of: id) else { continue }
                let stats = try await redis.send("HGETALL", RedisArgument(ConcurrencyQueue.statsKey(hash))).stringDictionary
                let waiting = Int(try await redis.send("GET", RedisArgument(RedisKeys.concurrencyQueue(hash))).string ?? "") ?? 0
                guard waiting > 0 || !stats.isEmpty else { continue }
                var row: [String: Any] = ["apiKeyId": id, "currentQueueCount": waiting]
                for field in ["entered", "success", "timeout", "full", "rejected_overload"] { row[field] = Int(stats[field] ?? "") ?? 0 }
                perKey.append(row)
            }
            func total(_ field: String) -> Int { perKey.reduce(0) { $0 + ($1[field] as? Int ?? 0) } }
            let global: [String: Any] = ["totalQueued": total("currentQueueCount"), "totalEntered": total("entered"), "totalSuccess": total("success"),
                                         "totalTimeout": total("timeout"), "totalFull": total("full"), "totalRejectedOverload": total("rejected_overload")]
            return AdminReply.ok(["globalStats": global, "keyStats": perKey])
        }
        admin.delete("concurrency-queue/:apiKeyId") { _, context -> Response in
            let id = try context.parameters.require("apiKeyId")
            guard let hash = try await hash(of: id) else { throw AdminError(404, "Not Found", "API key not found") }
            try await redis.send("DEL", RedisArgument(RedisKeys.concurrencyQueue(hash)))
            return AdminReply.ok(["message": "Successfully cleared queue for API key \(id)"])
        }
        admin.delete("concurrency-queue") { _, _ -> Response in
            let counters = try await redis.scan(match: RedisKeys.concurrencyQueue("*")).filter {
                !$0.hasPrefix(ConcurrencyQueue.statsKey("")) && !$0.hasPrefix(ConcurrencyQueue.waitTimesKey(""))
            }
            if !counters.isEmpty { _ = try await redis.send(RedisCommand("DEL", arguments: counters.map { RedisArgument($0) })) }
            return AdminReply.ok(["message": "Successfully cleared all queues", "cleared": counters.count])
        }
    }

    /// Node's status of one key's leases.
    private func status(_ id: String, withQueue: Bool) async throws -> [String: Any] {
        let key = RedisKeys.keyConcurrency(id)
        let now = clock.nowMilliseconds
        let members = try await redis.send("ZRANGE", RedisArgument(key), "0", "-1", "WITHSCORES").array ?? []
        var active: [[String: Any]] = [], expired: [[String: Any]] = []
        for index in stride(from: 0, to: members.count - 1, by: 2) {
            guard let request = members[index].string, let score = members[index + 1].string.flatMap(Double.init) else { continue }
            let info: [String: Any] = ["requestId": request, "expireAt": ISOTime.string(Date(timeIntervalSince1970: score / 1000)),
                                       "remainingSeconds": Int(((score - Double(now)) / 1000).rounded())]
            if Int64(score) > now { active.append(info) } else { expired.append(info) }
        }
        var row: [String: Any] = ["apiKeyId": id, "key": key, "activeCount": active.count, "expiredCount": expired.count,
                                  "activeRequests": active, "expiredRequests": expired, "exists": !members.isEmpty]
        if withQueue {
            var waiting = 0
            if let hash = try await hash(of: id) {
                waiting = Int(try await redis.send("GET", RedisArgument(RedisKeys.concurrencyQueue(hash))).string ?? "") ?? 0
            }
            row["queueCount"] = waiting
        }
        return row
    }

    /// Keys with a lease set now (`concurrency:{id}`, not accounts' or the queue's).
    private func keyIDs() async throws -> [String] {
        try await redis.scan(match: RedisKeys.concurrencyPrefix + "*").compactMap { key -> String? in
            let rest = String(key.dropFirst(RedisKeys.concurrencyPrefix.count))
            return rest.hasPrefix("account:") || rest.hasPrefix("queue:") ? nil : rest
        }
    }

    private func allKeyIDs() async throws -> [String] {
        try await redis.scan(match: RedisKeys.apiKeyPrefix + "*").compactMap { key -> String? in
            let rest = String(key.dropFirst(RedisKeys.apiKeyPrefix.count))
            return rest.contains(":") || rest == "hash_map" ? nil : rest
        }
    }

    private func hash(of id: String) async throws -> String? {
        try await redis.send("HGET", RedisArgument(RedisKeys.apiKey(id)), "apiKey").string.flatMap { $0.isEmpty ? nil : $0 }
    }
}
