/// The cost of one request's usage under the exact Claude rules: 5-minute and 1-hour cache writes priced
/// separately, cache reads at their own rate, and the long-context tier when the context exceeds its threshold.
public struct CostBreakdown: Sendable, Equatable {
    public var input: Double
    public var output: Double
    public var cacheWrite5m: Double
    public var cacheWrite1h: Double
    public var cacheRead: Double
    public var isLongContext: Bool

    public var total: Double { input + output + cacheWrite5m + cacheWrite1h + cacheRead }
    public var cacheCreate: Double { cacheWrite5m + cacheWrite1h }
}

public enum CostCalculator {
    /// nil when the model has no price: the caller records tokens and flags the cost as unknown.
    public static func cost(of usage: TokenUsage, model: String, table: PriceTable) -> CostBreakdown? {
        guard var price = table.price(for: model) else { return nil }
        var longContext = false
        if let tier = price.longContext, usage.contextTokens > tier.threshold {
            longContext = true
            let ratio = tier.input / price.input
            price = ModelPrice(input: tier.input, output: tier.output, cacheWrite5m: price.cacheWrite5m * ratio,
                               cacheWrite1h: price.cacheWrite1h * ratio, cacheRead: price.cacheRead * ratio)
        }
        return CostBreakdown(
            input: Double(usage.input) * price.input,
            output: Double(usage.output) * price.output,
            cacheWrite5m: Double(usage.cacheCreate5m) * price.cacheWrite5m,
            cacheWrite1h: Double(usage.cacheCreate1h) * price.cacheWrite1h,
            cacheRead: Double(usage.cacheRead) * price.cacheRead,
            isLongContext: longContext)
    }
}
