/// Token and request counts summed from Node usage hashes (`usage:*`, `account_usage:*`), whichever field names
/// the hash uses (`inputTokens` in the date buckets, `totalInputTokens` in the all-time hashes).
struct UsageTotals {
    var requests = 0
    var input = 0
    var output = 0
    var cacheCreate = 0
    var cacheRead = 0
    var cost = 0.0

    var allTokens: Int { input + output + cacheCreate + cacheRead }

    mutating func add(_ hash: [String: String]) {
        func value(_ names: String...) -> Int {
            for name in names { if let text = hash[name], let number = Int(text) { return number } }
            return 0
        }
        requests += value("requests", "totalRequests")
        input += value("inputTokens", "totalInputTokens")
        output += value("outputTokens", "totalOutputTokens")
        cacheCreate += value("cacheCreateTokens", "totalCacheCreateTokens")
        cacheRead += value("cacheReadTokens", "totalCacheReadTokens")
    }

    static func + (lhs: UsageTotals, rhs: UsageTotals) -> UsageTotals {
        UsageTotals(requests: lhs.requests + rhs.requests, input: lhs.input + rhs.input, output: lhs.output + rhs.output,
                    cacheCreate: lhs.cacheCreate + rhs.cacheCreate, cacheRead: lhs.cacheRead + rhs.cacheRead, cost: lhs.cost + rhs.cost)
    }

    /// The fields every statistics endpoint shows.
    var json: [String: Any] {
        [
            "requests": requests, "inputTokens": input, "outputTokens": output, "cacheCreateTokens": cacheCreate,
            "cacheReadTokens": cacheRead, "allTokens": allTokens, "cost": cost, "formattedCost": CostFormat.string(cost),
        ]
    }
}

/// Node's `formatCost`: `$0.000000`, exponential below a millionth, 6 / 4 / 2 decimals by size.
enum CostFormat {
    static func string(_ cost: Double) -> String {
        if cost == 0 { return "$0.000000" }
        if cost < 1e-6 { return "$" + String(format: "%.2e", cost) }
        if cost < 0.01 { return "$" + String(format: "%.6f", cost) }
        if cost < 1 { return "$" + String(format: "%.4f", cost) }
        return "$" + String(format: "%.2f", cost)
    }
}
