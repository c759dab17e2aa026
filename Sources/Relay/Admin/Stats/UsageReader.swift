import Foundation

/// Reads the Node usage layout for the dashboard and statistics endpoints: many keys, one pipelined round trip
/// per question. Date buckets follow `CRS_TIMEZONE_OFFSET_HOURS`, like the writes.
struct UsageReader {
    let redis: RedisClient
    let keys: APIKeyStore
    let accounts: AccountStore
    let clock: RelayClock
    let offsetHours: Int

    /// Live (not deleted) API keys.
    func liveKeys() async throws -> [APIKeyRecord] {
        try await keys.all().filter { !$0.isDeleted }
    }

    func allAccounts() async throws -> [AccountRecord] {
        var result: [AccountRecord] = []
        for kind in AccountKind.all { result += try await accounts.all(kind) }
        return result
    }

    /// Each hash summed into one total, in the order given.
    func totals(_ hashKeys: [String]) async throws -> [UsageTotals] {
        let replies = try await redis.pipeline(hashKeys.map { RedisCommand("HGETALL", RedisArgument($0)) })
        return replies.map { reply in
            var totals = UsageTotals()
            totals.add(reply.stringDictionary)
            return totals
        }
    }

    /// Each string counter as a number (missing → 0), in the order given.
    func numbers(_ stringKeys: [String]) async throws -> [Double] {
        guard !stringKeys.isEmpty else { return [] }
        let replies = try await redis.pipeline(stringKeys.map { RedisCommand("GET", RedisArgument($0)) })
        return replies.map { $0.string.flatMap(Double.init) ?? 0 }
    }

    /// Which of a key's usage buckets to read.
    enum Bucket {
        case allTime
        case day(String)
        case hour(String)
    }

    /// Per key: usage and cost of one bucket (usage hash and cost counter read in one round trip).
    func perKey(_ ids: [String], _ bucket: Bucket) async throws -> [UsageTotals] {
        func keys(_ id: String) -> (usage: String, cost: String) {
            switch bucket {
            case .allTime: return (RedisKeys.usageTotal(id), RedisKeys.costTotal(id))
            case .day(let date): return (RedisKeys.usageDaily(id, date), RedisKeys.costDaily(id, date))
            case .hour(let hour): return (RedisKeys.usageHourly(id, hour), RedisKeys.costHourly(id, hour))
            }
        }
        let names = ids.map(keys)
        let replies = try await redis.pipeline(names.flatMap { [RedisCommand("HGETALL", RedisArgument($0.usage)), RedisCommand("GET", RedisArgument($0.cost))] })
        return stride(from: 0, to: replies.count, by: 2).map { index in
            var totals = UsageTotals()
            totals.add(replies[index].stringDictionary)
            totals.cost = replies[index + 1].string.flatMap(Double.init) ?? 0
            return totals
        }
    }

    /// The local dates of the last `days` days, oldest first.
    func recentDates(_ days: Int) -> [String] {
        let now = clock.now
        return (0..<max(1, days)).reversed().map { TimeBuckets(now.addingTimeInterval(-Double($0) * 86400), offsetHours: offsetHours).date }
    }

    /// The local hour buckets (`YYYY-MM-DD:HH`) from `start` to `end` (at most 31 days of hours).
    func hours(from start: Date, to end: Date) -> [(bucket: String, at: Date)] {
        var result: [(String, Date)] = []
        var at = Date(timeIntervalSince1970: (start.timeIntervalSince1970 / 3600).rounded(.down) * 3600)
        while at <= end, result.count < 31 * 24 {
            result.append((TimeBuckets(at, offsetHours: offsetHours).hour, at))
            at.addTimeInterval(3600)
        }
        return result
    }

    var today: String { TimeBuckets(clock.now, offsetHours: offsetHours).date }
    var month: String { TimeBuckets(clock.now, offsetHours: offsetHours).month }
}
