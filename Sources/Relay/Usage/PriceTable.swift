import Foundation
import NIOConcurrencyHelpers

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
    /// The most output tokens one request may ask for (`max_tokens` above it is refused upstream).
    public var maxOutputTokens: Int?

    public init(input: Double, output: Double, cacheWrite5m: Double? = nil, cacheWrite1h: Double? = nil, cacheRead: Double? = nil,
                longContext: (threshold: Int, input: Double, output: Double)? = nil, maxOutputTokens: Int? = nil) {
        self.input = input
        self.output = output
        self.cacheWrite5m = cacheWrite5m ?? input * 1.25
        self.cacheWrite1h = cacheWrite1h ?? input * 2
        self.cacheRead = cacheRead ?? input * 0.1
        self.longContext = longContext
        self.maxOutputTokens = maxOutputTokens
    }

    public static func == (lhs: ModelPrice, rhs: ModelPrice) -> Bool {
        lhs.input == rhs.input && lhs.output == rhs.output && lhs.cacheWrite5m == rhs.cacheWrite5m
            && lhs.cacheWrite1h == rhs.cacheWrite1h && lhs.cacheRead == rhs.cacheRead
            && lhs.longContext?.threshold == rhs.longContext?.threshold && lhs.longContext?.input == rhs.longContext?.input
            && lhs.maxOutputTokens == rhs.maxOutputTokens
    }

    /// Per million tokens, as price lists write them.
    static func perMillion(_ input: Double, _ output: Double, longContext: (Int, Double, Double)? = nil, maxOutput: Int? = nil) -> ModelPrice {
        ModelPrice(input: input / 1e6, output: output / 1e6,
                   longContext: longContext.map { ($0.0, $0.1 / 1e6, $0.2 / 1e6) }, maxOutputTokens: maxOutput)
    }
}

/// A price table, looked up deterministically: the exact id, then the normalised id (no date/version suffix,
/// vendor or provider prefix), then the longest family prefix (`claude-sonnet-4-5-foo` → `claude-sonnet-4-5`).
/// Lookups never scan the table, so a 1,500-model LiteLLM file costs the same as the built-in one.
public struct PriceTable: Sendable {
    public let prices: [String: ModelPrice]
    private let normalized: [String: ModelPrice]
    /// Resolved names (model ids clients send repeat): the normalising lookup runs once per id, not per request.
    private let resolved = NIOLockedValueBox<[String: ModelPrice?]>([:])

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
        if let known = resolved.withLockedValue({ $0[model] }) { return known }
        let price = lookUp(model)
        resolved.withLockedValue { table in
            if table.count >= 4096 { table.removeAll(keepingCapacity: true) }  // bounded: ids are client input
            table[model] = .some(price)
        }
        return price
    }

    /// The model's output-token maximum, only from an entry for this model itself (its id, or its id without a
    /// date or provider prefix) — never a family fallback, which would hold a newer model to an older one's limit.
    public func outputLimit(for model: String) -> Int? {
        (prices[model] ?? normalized[Self.normalize(model)])?.maxOutputTokens
    }

    private func lookUp(_ model: String) -> ModelPrice? {
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
        // By hand, on bytes: this runs for every request (Foundation's string searching goes through NSString on Linux).
        var bytes = Array(model.lowercased().utf8)
        if let slash = bytes.lastIndex(of: UInt8(ascii: "/")) { bytes.removeFirst(slash + 1) }
        if let vendor = firstIndex(of: "anthropic.", in: bytes) { bytes.removeFirst(vendor + "anthropic.".utf8.count) }
        bytes = removingMarkers(bytes)
        if let at = bytes.firstIndex(of: UInt8(ascii: "@")) { bytes.removeLast(bytes.count - at) }
        // `-v\d+(:\d+)?$` (Bedrock's `-v1:0`), then `-\d{8}$` (a date stamp).
        bytes.removeLast(bytes.count - versionSuffixStart(bytes))
        if bytes.count >= 9, bytes[bytes.count - 9] == UInt8(ascii: "-"), bytes.suffix(8).allSatisfy(TextScan.isDigit) {
            bytes.removeLast(9)
        }
        var name = String(decoding: bytes, as: UTF8.self)
        if name.hasSuffix("-latest") { name.removeLast("-latest".count) }
        return name
    }

    static let markers: [[UInt8]] = [Array("[1m]".utf8), Array(":latest".utf8)]

    /// Every `[1m]` and `:latest`, also those that removing one forms (`[1[1m]m]`), in one pass: each byte is
    /// appended and a marker just completed is dropped from the end. (Searching from the start after each removal
    /// was quadratic in the name's length, and this runs for client input.)
    static func removingMarkers(_ bytes: [UInt8]) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for byte in bytes {
            out.append(byte)
            for marker in markers where byte == marker.last! && out.count >= marker.count && out.suffix(marker.count).elementsEqual(marker) {
                out.removeLast(marker.count)
                break
            }
        }
        return out
    }

    /// Where a `-v<digits>` or `-v<digits>:<digits>` suffix starts (the end when there is none).
    private static func versionSuffixStart(_ bytes: [UInt8]) -> Int {
        func dashV(before index: Int) -> Bool {
            index >= 2 && bytes[index - 1] == UInt8(ascii: "v") && bytes[index - 2] == UInt8(ascii: "-")
        }
        let last = trailingDigits(bytes, end: bytes.count)
        guard last > 0 else { return bytes.count }
        let lastStart = bytes.count - last
        if lastStart > 0, bytes[lastStart - 1] == UInt8(ascii: ":") {
            let major = trailingDigits(bytes, end: lastStart - 1)
            if major > 0, dashV(before: lastStart - 1 - major) { return lastStart - 1 - major - 2 }
        }
        return dashV(before: lastStart) ? lastStart - 2 : bytes.count
    }

    private static func firstIndex(of needle: String, in bytes: [UInt8]) -> Int? {
        let pattern = Array(needle.utf8)
        guard bytes.count >= pattern.count else { return nil }
        return (0...(bytes.count - pattern.count)).first { bytes[$0..<$0 + pattern.count].elementsEqual(pattern) }
    }

    private static func trailingDigits(_ bytes: [UInt8], end: Int) -> Int {
        var count = 0
        while end - count > 0, TextScan.isDigit(bytes[end - count - 1]) { count += 1 }
        return count
    }
}
