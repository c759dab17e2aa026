/// Tokens of one relayed request, as Anthropic reports them (input excludes cache reads and writes).
public struct TokenUsage: Sendable, Equatable {
    public var input = 0
    public var output = 0
    public var cacheCreate5m = 0
    public var cacheCreate1h = 0
    public var cacheRead = 0
    /// The model the upstream said it used, if it said.
    public var model: String?
    /// `output` was counted from what reached the client (a stream that ended before the upstream reported its
    /// output), not reported by the upstream.
    public var outputEstimated = false

    public init(input: Int = 0, output: Int = 0, cacheCreate5m: Int = 0, cacheCreate1h: Int = 0, cacheRead: Int = 0, model: String? = nil) {
        self.input = input
        self.output = output
        self.cacheCreate5m = cacheCreate5m
        self.cacheCreate1h = cacheCreate1h
        self.cacheRead = cacheRead
        self.model = model
    }

    /// This usage charged for `delivered` output tokens counted from a stream, when the upstream reported none.
    func withDeliveredOutput(_ delivered: Int) -> TokenUsage {
        var estimated = self
        estimated.output = delivered
        estimated.outputEstimated = true
        return estimated
    }

    public var cacheCreate: Int { cacheCreate5m + cacheCreate1h }
    /// Node's `tokens`: input + output.
    public var tokens: Int { input + output }
    /// Node's `allTokens`: everything billed.
    public var allTokens: Int { input + output + cacheCreate + cacheRead }
    /// Everything the model read, for the long-context tier.
    public var contextTokens: Int { input + cacheCreate + cacheRead }
    public var isEmpty: Bool { allTokens == 0 }

    public static func + (lhs: TokenUsage, rhs: TokenUsage) -> TokenUsage {
        var sum = TokenUsage(input: lhs.input + rhs.input, output: lhs.output + rhs.output, cacheCreate5m: lhs.cacheCreate5m + rhs.cacheCreate5m,
                             cacheCreate1h: lhs.cacheCreate1h + rhs.cacheCreate1h, cacheRead: lhs.cacheRead + rhs.cacheRead, model: lhs.model ?? rhs.model)
        sum.outputEstimated = lhs.outputEstimated || rhs.outputEstimated
        return sum
    }

    /// Reads an Anthropic `usage` object (message body, `message_start.message.usage` or `message_delta.usage`).
    /// Cache writes without a 5m/1h split count as 5-minute writes (the API's default TTL).
    public static func anthropic(_ usage: [String: Any], model: String? = nil) -> TokenUsage {
        var result = TokenUsage(model: model)
        result.input = JSON.int(usage["input_tokens"]) ?? 0
        result.output = JSON.int(usage["output_tokens"]) ?? 0
        result.cacheRead = JSON.int(usage["cache_read_input_tokens"]) ?? 0
        let created = JSON.int(usage["cache_creation_input_tokens"]) ?? 0
        if let split = usage["cache_creation"] as? [String: Any] {
            result.cacheCreate5m = JSON.int(split["ephemeral_5m_input_tokens"]) ?? 0
            result.cacheCreate1h = JSON.int(split["ephemeral_1h_input_tokens"]) ?? 0
            let unsplit = created - result.cacheCreate5m - result.cacheCreate1h
            if unsplit > 0 { result.cacheCreate5m += unsplit }
        } else {
            result.cacheCreate5m = created
        }
        return result
    }
}
