import Foundation

/// Per-token prices of a model (USD). Cache prices follow Anthropic's rules from the base input price unless given:
/// 5-minute cache write = 1.25 × input, 1-hour write = 2 × input, cache read = 0.1 × input.
public struct ModelPrice: Sendable, Equatable {
    public var input: Double
    public var output: Double
    public var cacheWrite5m: Double
    public var cacheWrite1h: Double
    public var cacheRead: Double
    /// Long-context tier: when the request's context exceeds `threshold` tokens, input/output use these prices.
    public var longContext: (threshold: Int, input: Double, output: Double)?

    public init(input: Double, output: Double, cacheWrite5m: Double? = nil, cacheWrite1h: Double? = nil, cacheRead: Double? = nil,
                longContext: (threshold: Int, input: Double, output: Double)? = nil) {
        self.input = input
        self.output = output
        self.cacheWrite5m = cacheWrite5m ?? input * 1.25
        self.cacheWrite1h = cacheWrite1h ?? input * 2
        self.cacheRead = cacheRead ?? input * 0.1
        self.longContext = longContext
    }

    public static func == (lhs: ModelPrice, rhs: ModelPrice) -> Bool {
        lhs.input == rhs.input && lhs.output == rhs.output && lhs.cacheWrite5m == rhs.cacheWrite5m
            && lhs.cacheWrite1h == rhs.cacheWrite1h && lhs.cacheRead == rhs.cacheRead
            && lhs.longContext?.threshold == rhs.longContext?.threshold && lhs.longContext?.input == rhs.longContext?.input
    }

    /// Per million tokens, as price lists write them.
    static func perMillion(_ input: Double, _ output: Double, longContext: (Int, Double, Double)? = nil) -> ModelPrice {
        ModelPrice(input: input / 1e6, output: output / 1e6,
                   longContext: longContext.map { ($0.0, $0.1 / 1e6, $0.2 / 1e6) })
    }
}

/// The relay's own price table for the models it serves (Anthropic's public price list), looked up
/// deterministically: exact id, then the id without a date/version suffix, then the longest family prefix.
public struct PriceTable: Sendable {
    public let prices: [String: ModelPrice]

    public init(prices: [String: ModelPrice]) {
        self.prices = prices
    }

    public static let builtIn = PriceTable(prices: [
        "claude-opus-4-5": .perMillion(5, 25),
        "claude-opus-4-1": .perMillion(15, 75),
        "claude-opus-4": .perMillion(15, 75),
        "claude-4-opus": .perMillion(15, 75),
        "claude-sonnet-4-5": .perMillion(3, 15, longContext: (200_000, 6, 22.5)),
        "claude-sonnet-4": .perMillion(3, 15, longContext: (200_000, 6, 22.5)),
        "claude-4-sonnet": .perMillion(3, 15, longContext: (200_000, 6, 22.5)),
        "claude-3-7-sonnet": .perMillion(3, 15),
        "claude-3-5-sonnet": .perMillion(3, 15),
        "claude-haiku-4-5": .perMillion(1, 5),
        "claude-3-5-haiku": .perMillion(0.8, 4),
        "claude-3-haiku": .perMillion(0.25, 1.25),
        "claude-3-opus": .perMillion(15, 75),
    ])

    public func price(for model: String) -> ModelPrice? {
        let normalized = Self.normalize(model)
        if let exact = prices[model] ?? prices[normalized] { return exact }
        let candidates = prices.keys.filter { normalized == $0 || normalized.hasPrefix($0 + "-") }
        guard let best = candidates.max(by: { $0.count < $1.count }) else { return nil }
        return prices[best]
    }

    /// Lower-cased, without a Bedrock region/vendor prefix, a `-vN:M` / `:latest` / `@date` suffix, a `[1m]` tag,
    /// or a trailing `-YYYYMMDD` date.
    public static func normalize(_ model: String) -> String {
        var name = model.lowercased()
        if let range = name.range(of: "anthropic.") { name = String(name[range.upperBound...]) }
        for marker in ["[1m]", ":latest"] { name = name.replacingOccurrences(of: marker, with: "") }
        if let at = name.firstIndex(of: "@") { name = String(name[..<at]) }
        if let range = name.range(of: #"-v\d+(:\d+)?$"#, options: .regularExpression) { name.removeSubrange(range) }
        if let range = name.range(of: #"-\d{8}$"#, options: .regularExpression) { name.removeSubrange(range) }
        if name.hasSuffix("-latest") { name.removeLast("-latest".count) }
        return name
    }
}
