import Foundation

/// Reads a LiteLLM-format price file (`model_prices_and_context_window.json`: model id → per-token prices).
/// Entries without per-token input and output prices (images, audio, rerank, `sample_spec`) are skipped; missing
/// cache prices follow Anthropic's rules for Claude models and the input price otherwise.
public enum LiteLLMPrices {
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public static func table(from data: Data) throws -> PriceTable {
        guard let object = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw Invalid(description: "not a JSON object of model prices")
        }
        var prices: [String: ModelPrice] = [:]
        for (id, value) in object {
            guard let entry = value as? [String: Any],
                  let input = JSON.number(entry["input_cost_per_token"]), let output = JSON.number(entry["output_cost_per_token"]),
                  input >= 0, output >= 0 else { continue }
            let claude = id.lowercased().contains("claude")
            let write5m = JSON.number(entry["cache_creation_input_token_cost"]) ?? input * (claude ? 1.25 : 1)
            let write1h = JSON.number(entry["cache_creation_input_token_cost_above_1hr"]) ?? input * (claude ? 2 : 1)
            let read = JSON.number(entry["cache_read_input_token_cost"]) ?? input * (claude ? 0.1 : 1)
            var longContext: (Int, Double, Double)?
            if let longInput = JSON.number(entry["input_cost_per_token_above_200k_tokens"]) {
                longContext = (200_000, longInput, JSON.number(entry["output_cost_per_token_above_200k_tokens"]) ?? output)
            }
            let maxOutput = JSON.int(entry["max_output_tokens"]) ?? JSON.int(entry["max_tokens"])
            prices[id] = ModelPrice(input: input, output: output, cacheWrite5m: write5m, cacheWrite1h: write1h, cacheRead: read, longContext: longContext,
                                    maxOutputTokens: maxOutput.flatMap { $0 > 0 ? $0 : nil })
        }
        guard !prices.isEmpty else { throw Invalid(description: "no model with per-token input and output prices") }
        return PriceTable(prices: prices)
    }
}
