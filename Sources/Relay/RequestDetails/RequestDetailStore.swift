import Foundation

/// Node's request details in Redis: each request `request_detail:item:{id}` (JSON, kept `retentionHours`), indexed per
/// UTC day in `request_detail:index:day:{yyyy-mm-dd}` (sorted set, score = time in ms, kept a day longer).
struct RequestDetailStore: Sendable {
    static let itemPrefix = "request_detail:item:"
    static let dayPrefix = "request_detail:index:day:"

    let redis: RedisClient

    static func dayKey(_ date: Date) -> String { dayPrefix + ISOTime.string(date).prefix(10) }

    /// The commands that keep `record` (its `requestId` and `timestamp` set).
    static func commands(_ record: [String: Any], id: String, at date: Date, retentionHours: Int) -> [RedisCommand] {
        let ttl = max(3600, retentionHours * 3600)
        let day = RedisArgument(dayKey(date))
        return [
            RedisCommand("SET", RedisArgument(itemPrefix + id), RedisArgument(JSON.string(record)), "EX", RedisArgument(ttl)),
            RedisCommand("ZADD", day, RedisArgument(Int64(date.timeIntervalSince1970 * 1000)), RedisArgument(id)),
            RedisCommand("EXPIRE", day, RedisArgument(ttl + 86_400)),
        ]
    }

    func get(_ id: String) async throws -> [String: Any]? {
        try await redis.send("GET", RedisArgument(Self.itemPrefix + id)).string.flatMap { JSON.object(Data($0.utf8)) }
    }

    /// Every kept record between the two instants, oldest first.
    func records(from start: Date, to end: Date) async throws -> [[String: Any]] {
        var ids: [String] = []
        var day = Date(timeIntervalSince1970: (start.timeIntervalSince1970 / 86_400).rounded(.down) * 86_400)  // UTC midnight
        let startMs = Int64(start.timeIntervalSince1970 * 1000), endMs = Int64(end.timeIntervalSince1970 * 1000)
        var dayKeys: [String] = []
        while day <= end, dayKeys.count < 32 {
            dayKeys.append(Self.dayKey(day))
            day = day.addingTimeInterval(86_400)
        }
        let replies = try await redis.pipeline(dayKeys.map { RedisCommand("ZRANGEBYSCORE", RedisArgument($0), RedisArgument(startMs), RedisArgument(endMs)) })
        for reply in replies { ids += reply.array?.compactMap(\.string) ?? [] }
        var out: [[String: Any]] = []
        for batch in stride(from: 0, to: ids.count, by: 200).map({ Array(ids[$0..<min($0 + 200, ids.count)]) }) {
            let values = try await redis.send(RedisCommand("MGET", arguments: batch.map { RedisArgument(Self.itemPrefix + $0) })).array ?? []
            out += values.compactMap { $0.string.flatMap { JSON.object(Data($0.utf8)) } }
        }
        return out
    }

    /// Visits every kept record (key and value) in batches; `change` returns a replacement to write (TTL kept).
    func rewriteAll(_ change: ([String: Any]) -> [String: Any]?) async throws -> (seen: Int, changed: Int) {
        var cursor = "0", seen = 0, changed = 0
        repeat {
            let reply = try await redis.send("SCAN", RedisArgument(cursor), "MATCH", RedisArgument(Self.itemPrefix + "*"), "COUNT", "200").array ?? []
            cursor = reply.first?.string ?? "0"
            let keys = reply.dropFirst().first?.array?.compactMap(\.string) ?? []
            guard !keys.isEmpty else { continue }
            let values = try await redis.send(RedisCommand("MGET", arguments: keys.map { RedisArgument($0) })).array ?? []
            var writes: [RedisCommand] = []
            for (key, value) in zip(keys, values) {
                guard let record = value.string.flatMap({ JSON.object(Data($0.utf8)) }) else { continue }
                seen += 1
                if let replacement = change(record) {
                    writes.append(RedisCommand("SET", RedisArgument(key), RedisArgument(JSON.string(replacement)), "KEEPTTL"))
                }
            }
            changed += writes.count
            if !writes.isEmpty { _ = try await redis.pipeline(writes) }
        } while cursor != "0"
        return (seen, changed)
    }
}
