/// One scripted reaction of a fake upstream, queued through the control API or in process.
/// Every field is optional; an empty behaviour is a normal success. Behaviours are consumed in FIFO order
/// by the requests whose path starts with `pathPrefix` (all requests when it is nil).
public struct FakeBehavior: Codable, Sendable, Equatable {
    /// Answer with this HTTP status (non-2xx → the provider's error body unless `body` is given).
    public var status: Int?
    /// The provider's error type, e.g. `rate_limit_error`; defaults by status.
    public var errorType: String?
    public var message: String?
    /// Extra response headers, e.g. `anthropic-ratelimit-unified-reset`, `retry-after`.
    public var headers: [String: String]?
    /// Adds `anthropic-ratelimit-unified-reset: <now + N>` (Unix seconds, as the real API sends it).
    public var unifiedResetInSeconds: Int?
    /// A raw response body that replaces the generated one.
    public var body: String?
    /// Wait this long before the response head (time to first byte).
    public var delayMs: Int?
    /// Streams: close the connection after this many events (a cut stream).
    public var cutAfterEvents: Int?
    /// Streams: send a malformed `data:` line after this many events, then continue.
    public var malformedAfterEvents: Int?
    /// Streams: send an in-stream `event: error` after this many events, then end.
    public var streamErrorAfterEvents: Int?
    /// Streams: wait this long between events.
    public var eventIntervalMs: Int?
    /// Streams: hold `pauseMs` after this many events (e.g. 1: after message_start), then go on.
    public var pauseAfterEvents: Int?
    public var pauseMs: Int?
    /// Usage the reply reports (defaults to input 18, output 42).
    public var usage: FakeUsage?
    /// Reply text; split into `deltaCount` deltas.
    public var text: String?
    public var deltaCount: Int?
    /// Streams (Anthropic): every one of the `deltaCount` text deltas carries this many bytes of filler (`text` is
    /// ignored). The delta is encoded once and the same buffer written each time — a producer as fast as the wire,
    /// for back-pressure tests.
    public var deltaBytes: Int?
    /// Only requests whose path starts with this prefix consume the behaviour.
    public var pathPrefix: String?
    /// Refuse (401) requests whose User-Agent is not Claude Code's (`claude_code` or `claude-cli/x.y.z`).
    public var requireClaudeCodeUserAgent: Bool?
    /// How many requests the behaviour applies to; 0 = every request until cleared. Default 1.
    public var times: Int?
    /// Anthropic, Gemini and OpenAI Responses: answer with a call of the request's first tool (by the name the request gave it).
    public var toolUse: Bool?
    /// With `toolUse`: call the first this-many tools at once (parallel calls). Default 1.
    public var toolUseCount: Int?

    public init(
        status: Int? = nil, errorType: String? = nil, message: String? = nil, headers: [String: String]? = nil, unifiedResetInSeconds: Int? = nil,
        body: String? = nil, delayMs: Int? = nil, cutAfterEvents: Int? = nil, malformedAfterEvents: Int? = nil,
        streamErrorAfterEvents: Int? = nil, eventIntervalMs: Int? = nil, pauseAfterEvents: Int? = nil, pauseMs: Int? = nil, usage: FakeUsage? = nil, text: String? = nil,
        deltaCount: Int? = nil, deltaBytes: Int? = nil, pathPrefix: String? = nil, requireClaudeCodeUserAgent: Bool? = nil, times: Int? = nil
    ) {
        self.status = status
        self.errorType = errorType
        self.message = message
        self.headers = headers
        self.unifiedResetInSeconds = unifiedResetInSeconds
        self.body = body
        self.delayMs = delayMs
        self.cutAfterEvents = cutAfterEvents
        self.malformedAfterEvents = malformedAfterEvents
        self.streamErrorAfterEvents = streamErrorAfterEvents
        self.eventIntervalMs = eventIntervalMs
        self.pauseAfterEvents = pauseAfterEvents
        self.pauseMs = pauseMs
        self.usage = usage
        self.text = text
        self.deltaCount = deltaCount
        self.deltaBytes = deltaBytes
        self.pathPrefix = pathPrefix
        self.requireClaudeCodeUserAgent = requireClaudeCodeUserAgent
        self.times = times
    }
}

/// Token usage a fake reports for one reply.
public struct FakeUsage: Codable, Sendable, Equatable {
    public var input: Int
    public var output: Int
    public var cacheCreation5m: Int
    public var cacheCreation1h: Int
    public var cacheRead: Int

    public init(input: Int = 18, output: Int = 42, cacheCreation5m: Int = 0, cacheCreation1h: Int = 0, cacheRead: Int = 0) {
        self.input = input
        self.output = output
        self.cacheCreation5m = cacheCreation5m
        self.cacheCreation1h = cacheCreation1h
        self.cacheRead = cacheRead
    }

    public var cacheCreation: Int { cacheCreation5m + cacheCreation1h }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        input = try container.decodeIfPresent(Int.self, forKey: .input) ?? 18
        output = try container.decodeIfPresent(Int.self, forKey: .output) ?? 42
        cacheCreation5m = try container.decodeIfPresent(Int.self, forKey: .cacheCreation5m) ?? 0
        cacheCreation1h = try container.decodeIfPresent(Int.self, forKey: .cacheCreation1h) ?? 0
        cacheRead = try container.decodeIfPresent(Int.self, forKey: .cacheRead) ?? 0
    }
}
