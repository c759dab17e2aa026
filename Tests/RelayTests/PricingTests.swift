import Foundation
import Relay
import Testing

@Suite("Prices and cost")
struct PricingTests {
    let table = PriceTable.builtIn

    /// USD per million input (or output) tokens of the model's price, if it has one.
    func perMillion(_ model: String, output: Bool = false) -> Double? {
        table.price(for: model).map { ((output ? $0.output : $0.input) * 1e6 * 1e6).rounded() / 1e6 }
    }

    @Test func lookupIsExactThenNormalisedThenLongestFamily() throws {
        #expect(perMillion("claude-3-5-haiku-20241022") == 0.8)
        #expect(perMillion("us.anthropic.claude-sonnet-4-5-20250929-v1:0") == 3)
        #expect(perMillion("claude-sonnet-4-5-20250929[1m]", output: true) == 15)
        #expect(perMillion("vertex_ai/claude-opus-4-1@20250805") == 15)
        // Opus 4.5 is not Opus 4: the longest family wins, whatever the dictionary order.
        #expect(perMillion("claude-opus-4-5-20251101") == 5)
        #expect(perMillion("claude-opus-4-20250514") == 15)
        #expect(perMillion("gpt-5-mini-2025-08-07") == 0.25)
        #expect(perMillion("gemini-2.5-flash-lite") == 0.1)
        #expect(table.price(for: "house-model-7b") == nil)
    }

    @Test func cacheWritesArePricedByTheirLifetimeAndReadsAtTheirOwnRate() throws {
        let usage = TokenUsage(input: 100, output: 200, cacheCreate5m: 1000, cacheCreate1h: 1000, cacheRead: 10_000)
        let cost = try #require(CostCalculator.cost(of: usage, model: "claude-sonnet-4-5-20250929", table: table))
        #expect(abs(cost.input - 100 * 3e-6) < 1e-12)
        #expect(abs(cost.output - 200 * 15e-6) < 1e-12)
        #expect(abs(cost.cacheWrite5m - 1000 * 3.75e-6) < 1e-12)
        #expect(abs(cost.cacheWrite1h - 1000 * 6e-6) < 1e-12)
        #expect(abs(cost.cacheRead - 10_000 * 0.3e-6) < 1e-12)
        #expect(!cost.isLongContext)
    }

    @Test func undifferentiatedCacheWritesAreFiveMinuteWrites() {
        let usage = TokenUsage.anthropic(["input_tokens": 1, "output_tokens": 1, "cache_creation_input_tokens": 500])
        #expect(usage.cacheCreate5m == 500 && usage.cacheCreate1h == 0)
        let split = TokenUsage.anthropic(["cache_creation_input_tokens": 500,
                                          "cache_creation": ["ephemeral_5m_input_tokens": 200, "ephemeral_1h_input_tokens": 300]])
        #expect(split.cacheCreate5m == 200 && split.cacheCreate1h == 300)
    }

    @Test func longContextTierAppliesAboveTwoHundredThousandTokensOfContext() throws {
        let usage = TokenUsage(input: 150_000, output: 1000, cacheRead: 60_000)
        let cost = try #require(CostCalculator.cost(of: usage, model: "claude-sonnet-4-5", table: table))
        #expect(cost.isLongContext)
        #expect(abs(cost.input - 150_000 * 6e-6) < 1e-9)
        #expect(abs(cost.output - 1000 * 22.5e-6) < 1e-9)
        #expect(abs(cost.cacheRead - 60_000 * 0.6e-6) < 1e-9)
        let short = try #require(CostCalculator.cost(of: TokenUsage(input: 150_000, output: 1000), model: "claude-sonnet-4-5", table: table))
        #expect(!short.isLongContext)
    }

    @Test func liteLLMFileIsReadToleratingNonChatEntries() throws {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("fixtures/pricing/house-prices.json")
        let parsed = try LiteLLMPrices.table(from: Data(contentsOf: url))
        #expect(parsed.count == 2)
        let haiku = try #require(parsed.price(for: "claude-3-5-haiku-20241022"))
        #expect(haiku.cacheWrite5m == 1e-6 && haiku.cacheRead == 8e-8)
        #expect(abs(haiku.cacheWrite1h - 1.6e-6) < 1e-15)  // not in the file: Anthropic's rule, 2 × input
        let house = try #require(parsed.price(for: "house-model-7b"))
        #expect(house.cacheRead == house.input)  // a non-Claude model without cache prices: no discount invented
        #expect(throws: LiteLLMPrices.Invalid.self) { try LiteLLMPrices.table(from: Data(#"{"x": {"mode": "chat"}}"#.utf8)) }
        #expect(throws: LiteLLMPrices.Invalid.self) { try LiteLLMPrices.table(from: Data("[1, 2]".utf8)) }
    }

    @Test func providerPrefixedDuplicatesResolveDeterministically() {
        let cheap = ModelPrice(input: 1e-6, output: 1e-6)
        let dear = ModelPrice(input: 9e-6, output: 9e-6)
        for _ in 0..<20 {
            let table = PriceTable(prices: ["openrouter/acme-1": dear, "acme-1": cheap, "azure/acme-1": dear])
            #expect(table.price(for: "acme-1-2025-01-01") == cheap)
        }
    }
}
