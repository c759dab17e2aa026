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

/// A price table, looked up deterministically: the exact id, then the normalised id (no date/version suffix,
/// vendor or provider prefix), then the longest family prefix (`claude-sonnet-4-5-foo` → `claude-sonnet-4-5`).
/// Lookups never scan the table, so a 1,500-model LiteLLM file costs the same as the built-in one.
public struct PriceTable: Sendable {
    public let prices: [String: ModelPrice]
    private let normalized: [String: ModelPrice]

    public init(prices: [String: ModelPrice]) {
        self.prices = prices
        var index: [String: ModelPrice] = [:]
        // Provider-less ids first, then lexicographic: the same table always resolves a name the same way.
        let ordered = prices.keys.sorted { ($0.contains("/") ? 1 : 0, $0) < ($1.contains("/") ? 1 : 0, $1) }
        for id in ordered {
            let key = Self.normalize(id)
            if index[key] == nil { index[key] = prices[id] }
        }
        self.normalized = index
    }

    public var count: Int { prices.count }

    public func price(for model: String) -> ModelPrice? {
        if let exact = prices[model] { return exact }
        var name = Self.normalize(model)
        while true {
            if let price = normalized[name] { return price }
            guard let dash = name.lastIndex(of: "-") else { return nil }
            name = String(name[..<dash])
        }
    }

    /// Lower-cased, without a provider path (`vertex_ai/…`), a Bedrock region/vendor prefix, a `-vN:M` /
    /// `:latest` / `@date` suffix, a `[1m]` tag, or a trailing `-YYYYMMDD` date.
    public static func normalize(_ model: String) -> String {
        var name = model.lowercased()
        if let slash = name.lastIndex(of: "/") { name = String(name[name.index(after: slash)...]) }
        if let range = name.range(of: "anthropic.") { name = String(name[range.upperBound...]) }
        for marker in ["[1m]", ":latest"] { name = name.replacingOccurrences(of: marker, with: "") }
        if let at = name.firstIndex(of: "@") { name = String(name[..<at]) }
        if let range = name.range(of: #"-v\d+(:\d+)?$"#, options: .regularExpression) { name.removeSubrange(range) }
        if let range = name.range(of: #"-\d{8}$"#, options: .regularExpression) { name.removeSubrange(range) }
        if name.hasSuffix("-latest") { name.removeLast("-latest".count) }
        return name
    }
}
