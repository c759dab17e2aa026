import Foundation

/// What the key list, the key detail and the public key-stats page show about a key's consumption: usage today,
/// this month and all time (with averages since creation), the cost counters the limits use, and the current
/// rate-limit window. Read for many keys in one pipelined round trip (11 commands a key).
struct KeyUsageReport {
    let redis: RedisClient
    let clock: RelayClock
    let offsetHours: Int

    static let perKey = 11

    struct Entry {
        var total = UsageTotals()
        var daily = UsageTotals()
        var monthly = UsageTotals()
        var weeklyOpusCost = 0.0
        var windowStart: Double?
        var windowRequests = 0
        var windowTokens = 0
        var windowCost = 0.0
    }

    func entries(_ keys: [APIKeyRecord]) async throws -> [Entry] {
        guard !keys.isEmpty else { return [] }
        let now = TimeBuckets(clock.now, offsetHours: offsetHours)
        var commands: [RedisCommand] = []
        commands.reserveCapacity(keys.count * Self.perKey)
        for key in keys {
            let id = key.id
            for name in [RedisKeys.usageTotal(id), RedisKeys.usageDaily(id, now.date), RedisKeys.usageMonthly(id, now.month)] {
                commands.append(RedisCommand("HGETALL", RedisArgument(name)))
            }
            for name in [RedisKeys.costTotal(id), RedisKeys.costDaily(id, now.date), RedisKeys.costMonthly(id, now.month),
                         RedisKeys.opusWeekly(id, now.week), RedisKeys.rateWindowStart(id), RedisKeys.rateWindowRequests(id),
                         RedisKeys.rateWindowTokens(id), RedisKeys.rateWindowCost(id)] {
                commands.append(RedisCommand("GET", RedisArgument(name)))
            }
        }
        let replies = try await redis.pipeline(commands)
        return keys.indices.map { index in
            let r = Array(replies[(index * Self.perKey)..<((index + 1) * Self.perKey)])
            func number(_ reply: RedisReply) -> Double { reply.string.flatMap(Double.init) ?? 0 }
            var entry = Entry()
            entry.total.add(r[0].stringDictionary)
            entry.daily.add(r[1].stringDictionary)
            entry.monthly.add(r[2].stringDictionary)
            entry.total.cost = number(r[3])
            entry.daily.cost = number(r[4])
            entry.monthly.cost = number(r[5])
            entry.weeklyOpusCost = number(r[6])
            entry.windowStart = r[7].string.flatMap(Double.init)
            entry.windowRequests = Int(number(r[8]))
            entry.windowTokens = Int(number(r[9]))
            entry.windowCost = number(r[10])
            return entry
        }
    }

    /// The key's admin JSON with `usage.{total,daily,monthly,averages}`, the cost counters and the window fields
    /// the key list, the edit dialog and the public stats page read (Node's names).
    func json(_ key: APIKeyRecord, _ entry: Entry) -> [String: Any] {
        var json = key.adminJSON
        let created = key.fields["createdAt"].flatMap(ISOTime.parse) ?? clock.now
        let minutes = max(1, clock.now.timeIntervalSince(created) / 60)
        let days = max(1, minutes / 1440)
        json["usage"] = [
            "total": Self.usage(entry.total), "daily": Self.usage(entry.daily), "monthly": Self.usage(entry.monthly),
            "averages": [
                "rpm": Self.rounded(Double(entry.total.requests) / minutes), "tpm": Self.rounded(Double(entry.total.allTokens) / minutes),
                "dailyRequests": Self.rounded(Double(entry.total.requests) / days), "dailyTokens": Self.rounded(Double(entry.total.allTokens) / days),
                "dailyCost": Self.rounded(entry.total.cost / days),
            ],
        ]
        json["totalCost"] = entry.total.cost
        json["dailyCost"] = entry.daily.cost
        json["weeklyOpusCost"] = entry.weeklyOpusCost
        json["currentWindowCost"] = entry.windowCost
        json["currentWindowRequests"] = entry.windowRequests
        json["currentWindowTokens"] = entry.windowTokens
        let windowMinutes = Double(key.fields["rateLimitWindow"] ?? "") ?? 0
        if let start = entry.windowStart, windowMinutes > 0 {
            let end = start + windowMinutes * 60_000
            let remaining = max(0, (end - clock.now.timeIntervalSince1970 * 1000) / 1000)
            json["windowStartTime"] = Int64(start)
            json["windowEndTime"] = Int64(end)
            json["windowRemainingSeconds"] = Int(remaining.rounded(.up))
        } else {
            json["windowStartTime"] = NSNull()
            json["windowEndTime"] = NSNull()
            json["windowRemainingSeconds"] = NSNull()
        }
        return json
    }

    /// Both in one call: the JSON of each key with its usage.
    func json(_ keys: [APIKeyRecord]) async throws -> [[String: Any]] {
        zip(keys, try await entries(keys)).map { json($0, $1) }
    }

    static func usage(_ totals: UsageTotals) -> [String: Any] {
        totals.json.merging(["tokens": totals.allTokens, "formattedCost": CostFormat.string(totals.cost)]) { _, new in new }
    }

    static func rounded(_ value: Double) -> Double { (value * 100).rounded() / 100 }
}
