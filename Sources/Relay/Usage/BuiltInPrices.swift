/// The relay's own prices (USD per million tokens) for the model families it serves, from the providers' public
/// price lists (Anthropic, Google AI, OpenAI; checked against LiteLLM's table where it has the model).
/// `CRS_PRICING_FILE` / `CRS_PRICING_URL` replace it with a LiteLLM-format file.
extension PriceTable {
    public static let builtIn = PriceTable(prices: anthropic.merging(google) { a, _ in a }.merging(openAI) { a, _ in a })

    /// Anthropic: cache writes 1.25× (5 min) / 2× (1 h) input, cache reads 0.1× input; each model's output-token maximum.
    static let anthropic: [String: ModelPrice] = [
        "claude-opus-4-5": .perMillion(5, 25, maxOutput: 64000),
        "claude-opus-4-1": .perMillion(15, 75, maxOutput: 32000),
        "claude-opus-4": .perMillion(15, 75, maxOutput: 32000),
        "claude-4-opus": .perMillion(15, 75, maxOutput: 32000),
        "claude-sonnet-4-5": .perMillion(3, 15, longContext: (200_000, 6, 22.5), maxOutput: 64000),
        "claude-sonnet-4": .perMillion(3, 15, longContext: (200_000, 6, 22.5), maxOutput: 64000),
        "claude-4-sonnet": .perMillion(3, 15, longContext: (200_000, 6, 22.5), maxOutput: 64000),
        "claude-3-7-sonnet": .perMillion(3, 15, maxOutput: 64000),
        "claude-3-5-sonnet": .perMillion(3, 15, maxOutput: 8192),
        "claude-haiku-4-5": .perMillion(1, 5, maxOutput: 64000),
        "claude-3-5-haiku": .perMillion(0.8, 4, maxOutput: 8192),
        "claude-3-haiku": .perMillion(0.25, 1.25, maxOutput: 4096),
        "claude-3-opus": .perMillion(15, 75, maxOutput: 4096),
    ]

    /// Gemini: no cache-write charge in the token price; cached input at its own rate; 2.5 Pro's long-context tier.
    static let google: [String: ModelPrice] = [
        "gemini-2.5-pro": .uncached(1.25, 10, cacheRead: 0.3125, longContext: (200_000, 2.5, 15)),
        "gemini-2.5-flash": .uncached(0.30, 2.5, cacheRead: 0.075),
        "gemini-2.5-flash-lite": .uncached(0.10, 0.40, cacheRead: 0.025),
        "gemini-2.0-flash": .uncached(0.10, 0.40, cacheRead: 0.025),
        "gemini-2.0-flash-lite": .uncached(0.075, 0.30, cacheRead: 0.01875),
    ]

    /// OpenAI (Responses / Codex): no cache writes; cached input at its own rate.
    static let openAI: [String: ModelPrice] = [
        "gpt-5": .uncached(1.25, 10, cacheRead: 0.125),
        "gpt-5-codex": .uncached(1.25, 10, cacheRead: 0.125),
        "gpt-5-mini": .uncached(0.25, 2, cacheRead: 0.025),
        "gpt-5-nano": .uncached(0.05, 0.40, cacheRead: 0.005),
        "gpt-4.1": .uncached(2, 8, cacheRead: 0.5),
        "gpt-4.1-mini": .uncached(0.40, 1.60, cacheRead: 0.10),
        "gpt-4.1-nano": .uncached(0.10, 0.40, cacheRead: 0.025),
        "gpt-4o": .uncached(2.5, 10, cacheRead: 1.25),
        "gpt-4o-mini": .uncached(0.15, 0.60, cacheRead: 0.075),
        "o3": .uncached(2, 8, cacheRead: 0.5),
        "o3-mini": .uncached(1.1, 4.4, cacheRead: 0.55),
        "o4-mini": .uncached(1.1, 4.4, cacheRead: 0.275),
        "codex-mini": .uncached(1.5, 6, cacheRead: 0.375),
    ]
}

extension ModelPrice {
    /// Per million tokens, for providers that do not charge cache writes separately.
    static func uncached(_ input: Double, _ output: Double, cacheRead: Double, longContext: (Int, Double, Double)? = nil) -> ModelPrice {
        ModelPrice(input: input / 1e6, output: output / 1e6, cacheWrite5m: input / 1e6, cacheWrite1h: input / 1e6,
                   cacheRead: cacheRead / 1e6, longContext: longContext.map { ($0.0, $0.1 / 1e6, $0.2 / 1e6) })
    }
}
