import Foundation

/// Usage per model for the dashboard, a key's expanded row and the public key-stats page.
struct ModelUsage {
    let reader: UsageReader
    let prices: PriceBook

    /// Usage per model in the current day or month (all keys, or one key), priced at today's prices. Cache writes
    /// are priced as 5-minute writes where the bucket does not split them (the global model buckets do not).
    func rows(period: String, keyID: String? = nil) async throws -> [[String: Any]] {
        let bucket = period == "daily" ? reader.today : reader.month
        let pattern = keyID.map { RedisKeys.usageKeyModel($0, period, "*", bucket) } ?? RedisKeys.usageModel(period, "*", bucket)
        let found = try await reader.redis.scan(match: pattern).sorted()
        let replies = try await reader.redis.pipeline(found.map { RedisCommand("HGETALL", RedisArgument($0)) })
        let prefix = keyID.map { RedisKeys.usageKeyModelPrefix($0, period) } ?? RedisKeys.usageModelPrefix(period)
        var rows: [[String: Any]] = []
        for (key, reply) in zip(found, replies) {
            let model = String(key.dropFirst(prefix.count).dropLast(bucket.count + 1))
            var (totals, cost) = Self.priced(reply.stringDictionary, model: model, table: prices.table)
            totals.cost = cost?.total ?? 0
            var row = totals.json
            row["model"] = model
            row["period"] = period
            row["priced"] = cost != nil
            row["costs"] = ["input": cost?.input ?? 0, "output": cost?.output ?? 0, "cacheCreate": cost?.cacheCreate ?? 0,
                            "cacheRead": cost?.cacheRead ?? 0, "total": cost?.total ?? 0]
            row["formatted"] = ["total": cost.map { CostFormat.string($0.total) } ?? "unknown"]
            rows.append(row)
        }
        return rows.sorted { ($0["allTokens"] as? Int ?? 0) > ($1["allTokens"] as? Int ?? 0) }
    }

    /// One model's usage hash summed and priced at today's prices. Cache writes count as 5-minute writes unless the
    /// hash says how many were 1-hour ones (`ephemeral1hTokens`).
    static func priced(_ hash: [String: String], model: String, table: PriceTable) -> (UsageTotals, CostBreakdown?) {
        var totals = UsageTotals()
        totals.add(hash)
        let oneHour = min(Int(hash["ephemeral1hTokens"] ?? "") ?? 0, totals.cacheCreate)
        let usage = TokenUsage(input: totals.input, output: totals.output, cacheCreate5m: totals.cacheCreate - oneHour,
                               cacheCreate1h: oneHour, cacheRead: totals.cacheRead)
        return (totals, CostCalculator.cost(of: usage, model: model, table: table))
    }
}
