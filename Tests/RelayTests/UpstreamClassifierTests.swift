import Foundation
import NIOCore
import NIOHTTP1
@testable import Relay
import Testing

/// The pure decisions of the relay, each table-driven: what every dialect's error classifier makes of an upstream
/// failure (the health mark and whether another account is tried), and how an admission refusal is read.
@Suite("Upstream error classifiers and admission refusals")
struct UpstreamClassifierTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)

    static func headers(_ pairs: [(String, String)]) -> HTTPHeaders { HTTPHeaders(pairs) }

    static func anthropic(_ status: Int, type: String = "api_error", message: String = "x", headers: [(String, String)] = [],
                          kind: AccountKind = .claudeOfficial, fields: [String: String] = [:]) -> UpstreamVerdict {
        let body = JSON.string(["type": "error", "error": ["type": type, "message": message]])
        return AnthropicErrorClassifier.classify(status: status, headers: Self.headers(headers), body: body,
                                              account: AccountRecord(kind: kind, fields: ["id": "a"].merging(fields) { $1 }), now: now)
    }

    @Test func anthropicStatusesToMarks() {
        #expect(Self.anthropic(401).mark == .unauthorized("upstream 401: x") && Self.anthropic(401).failover)
        #expect(Self.anthropic(403, type: "permission_error", message: "Your account has been disabled.").mark
            == .blocked("upstream 403: Your account has been disabled."))
        #expect(Self.anthropic(403).mark == .temporaryError(until: Self.now.addingTimeInterval(1800), "upstream 403: x"))
        #expect(Self.anthropic(529).mark == .overloaded(until: Self.now.addingTimeInterval(600)))
        #expect(Self.anthropic(500) == UpstreamVerdict(mark: nil, failover: true, countsAsServerError: true))
        #expect(Self.anthropic(503).countsAsServerError)
        // A client's own mistake: no mark, and no other account would answer differently.
        #expect(Self.anthropic(400, type: "invalid_request_error") == UpstreamVerdict(mark: nil, failover: false))
        #expect(Self.anthropic(404) == UpstreamVerdict(mark: nil, failover: false))
        // A long-context 429 without extra usage is not a rate limit.
        #expect(Self.anthropic(429, type: "rate_limit_error", message: "Extra usage is required for long context requests.")
            == UpstreamVerdict(mark: nil, failover: false))
    }

    @Test func anthropicRateLimitEndsInPreferenceOrder() {
        let unified = Self.now.timeIntervalSince1970 + 900
        #expect(Self.anthropic(429, headers: [("anthropic-ratelimit-unified-reset", String(Int(unified))), ("retry-after", "30")]).mark
            == .rateLimited(until: Date(timeIntervalSince1970: unified)))
        #expect(Self.anthropic(429, headers: [("retry-after", "30")]).mark == .rateLimited(until: Self.now.addingTimeInterval(30)))
        // A reset already past falls through to retry-after, then to the account's own duration (Console) or an hour.
        #expect(Self.anthropic(429, headers: [("anthropic-ratelimit-unified-reset", "100"), ("retry-after", "7")]).mark
            == .rateLimited(until: Self.now.addingTimeInterval(7)))
        // `now` is 2027-01-15 08:00:00 UTC; an HTTP date ten minutes on.
        #expect(Self.anthropic(429, headers: [("retry-after", "Fri, 15 Jan 2027 08:10:00 GMT")]).mark == .rateLimited(until: Self.now.addingTimeInterval(600)))
        #expect(Self.anthropic(429).mark == .rateLimited(until: Self.now.addingTimeInterval(3600)))
        #expect(Self.anthropic(429, kind: .claudeConsole, fields: ["rateLimitDuration": "5"]).mark == .rateLimited(until: Self.now.addingTimeInterval(300)))
        // Console `rateLimitDuration: 0`: do not mark, but try another account.
        #expect(Self.anthropic(429, kind: .claudeConsole, fields: ["rateLimitDuration": "0"]) == UpstreamVerdict(mark: nil, failover: true))
    }

    @Test func openAIAndAzure() {
        let account = AccountRecord(kind: .openAIResponses, fields: ["id": "o", "rateLimitDuration": "2"])
        func classify(_ status: Int, _ body: String = "{}", _ headers: [(String, String)] = []) -> UpstreamVerdict {
            OpenAIErrors.classify(status: status, headers: Self.headers(headers), body: ByteBuffer(string: body), account: account, now: Self.now)
        }
        #expect(classify(429, #"{"error":{"type":"usage_limit_reached","resets_in_seconds":4000}}"#).mark == .rateLimited(until: Self.now.addingTimeInterval(4000)))
        #expect(classify(429, "{}", [("retry-after", "12")]).mark == .rateLimited(until: Self.now.addingTimeInterval(12)))
        #expect(classify(429).mark == .rateLimited(until: Self.now.addingTimeInterval(120)))
        #expect(classify(401, #"{"error":{"message":"Incorrect API key"}}"#).mark == .unauthorized("upstream 401: Incorrect API key"))
        #expect(classify(402).mark == .unauthorized("upstream 402: HTTP 402"))
        #expect(classify(502) == UpstreamVerdict(mark: nil, failover: true, countsAsServerError: true))
        #expect(classify(400) == UpstreamVerdict(mark: nil, failover: false))
    }

    @Test func gemini() {
        func classify(_ status: Int, _ body: String = "{}") -> UpstreamVerdict {
            GeminiErrors.classify(status: status, body: ByteBuffer(string: body), now: Self.now)
        }
        let quota = #"[{"error":{"code":429,"message":"Quota","details":[{"@type":"type.googleapis.com/google.rpc.RetryInfo","retryDelay":"47s"}]}}]"#
        #expect(classify(429, quota).mark == .rateLimited(until: Self.now.addingTimeInterval(47)))
        #expect(classify(429).mark == .rateLimited(until: Self.now.addingTimeInterval(60)))
        #expect(classify(401, #"{"error":{"message":"expired"}}"#).mark == .unauthorized("upstream 401: expired"))
        #expect(classify(403).mark == .temporaryError(until: Self.now.addingTimeInterval(1800), "upstream 403: {}"))
        #expect(classify(500).countsAsServerError && classify(500).failover)
        #expect(classify(400) == UpstreamVerdict(mark: nil, failover: false))
    }

    @Test func bedrock() {
        func classify(_ status: Int, _ name: String? = nil, _ headers: [(String, String)] = []) -> UpstreamVerdict {
            BedrockErrors.classify(status: status, name: name, headers: Self.headers(headers), now: Self.now)
        }
        #expect(classify(429, "ThrottlingException", [("retry-after", "9")]).mark == .rateLimited(until: Self.now.addingTimeInterval(9)))
        #expect(classify(403, "AccessDeniedException").mark == .temporaryError(until: Self.now.addingTimeInterval(1800), "Bedrock AccessDeniedException"))
        #expect(classify(403, "UnrecognizedClientException").mark == .unauthorized("Bedrock rejected the credentials (UnrecognizedClientException)"))
        #expect(classify(404, "ResourceNotFoundException") == UpstreamVerdict(mark: nil, failover: true))
        #expect(classify(400, "ValidationException") == UpstreamVerdict(mark: nil, failover: false))
        #expect(classify(424) == UpstreamVerdict(mark: nil, failover: true, countsAsServerError: true))
        #expect(classify(429, "ModelNotReadyException").mark == .rateLimited(until: Self.now.addingTimeInterval(60)))
        #expect(classify(503, "ModelNotReadyException").mark == .temporaryError(until: Self.now.addingTimeInterval(60), "Bedrock model not ready"))
        #expect(classify(503, "ServiceUnavailableException") == UpstreamVerdict(mark: nil, failover: true, countsAsServerError: true))
    }

    // MARK: admission refusals

    static func refusal(_ items: [String]) -> LimitRefusal? {
        LimitRefusal.parse(items, model: "claude-opus-4-1", platform: "gemini", now: now, resets: ResetTimes(now, offsetHours: 8))
    }

    @Test func everyRefusalCodeTheScriptSends() {
        let resets = ResetTimes(Self.now, offsetHours: 8)
        #expect(Self.refusal(["refuse", "invalid"]) == .invalidKey)
        #expect(Self.refusal(["refuse", "disabled"]) == .disabledKey)
        #expect(Self.refusal(["refuse", "expired", "2026-01-01T00:00:00.000Z"]) == .expiredKey(expiresAt: "2026-01-01T00:00:00.000Z"))
        #expect(Self.refusal(["refuse", "permission"]) == .platformNotPermitted(platform: "gemini"))
        #expect(Self.refusal(["refuse", "model"]) == .modelNotAllowed(model: "claude-opus-4-1"))
        #expect(Self.refusal(["refuse", "client", #"["claude_code","gemini_cli"]"#]) == .clientNotAllowed(allowedClients: ["claude_code", "gemini_cli"]))
        #expect(Self.refusal(["refuse", "daily_cost", "10.5", "10"]) == .dailyCost(current: 10.5, limit: 10, resetAt: resets.nextDay))
        #expect(Self.refusal(["refuse", "total_cost", "3", "2"]) == .totalCost(current: 3, limit: 2))
        #expect(Self.refusal(["refuse", "opus_cost", "51", "50"]) == .weeklyOpusCost(current: 51, limit: 50, resetAt: resets.nextWeek))
        #expect(Self.refusal(["refuse", "window_requests", "11", "10", "30000"])
            == .windowRequests(current: 11, limit: 10, resetAt: Self.now.addingTimeInterval(30)))
        #expect(Self.refusal(["refuse", "window_tokens", "900", "800", "1500"]) == .windowTokens(current: 900, limit: 800, resetAt: Self.now.addingTimeInterval(1.5)))
        #expect(Self.refusal(["refuse", "window_cost", "1.25", "1", "60000"]) == .windowCost(current: 1.25, limit: 1, resetAt: Self.now.addingTimeInterval(60)))
        #expect(Self.refusal(["refuse", "concurrency", "3", "2"]) == .concurrency(current: 3, limit: 2))
    }

    /// A code this relay does not know (another version's script) is not "invalid key": the caller answers 500.
    @Test func unknownRefusalIsNotPassedOffAsABadKey() {
        #expect(Self.refusal(["refuse", "weekly_tokens", "1", "2"]) == nil)
        #expect(Self.refusal(["refuse"]) == nil)
        #expect(Self.refusal(["ok", "invalid"]) == nil)
        #expect(Self.refusal([]) == nil)
    }

    @Test func refusalsAnswerWithTheirStatusAndNumbers() {
        let later = Self.now.addingTimeInterval(90)
        let window = LimitRefusal.windowRequests(current: 11, limit: 10, resetAt: later).relayError(now: Self.now, userAgent: "")
        #expect(window.status == 429 && window.headers["retry-after"] == "90")
        #expect(LimitRefusal.concurrency(current: 3, limit: 2).relayError(now: Self.now, userAgent: "").headers["retry-after"] == "1")
        #expect(LimitRefusal.dailyCost(current: 1, limit: 1, resetAt: later).relayError(now: Self.now, userAgent: "").status == 402)
        #expect(LimitRefusal.invalidKey.relayError(now: Self.now, userAgent: "").status == 401)
        #expect(LimitRefusal.modelNotAllowed(model: "m").relayError(now: Self.now, userAgent: "").status == 403)
        #expect(LimitRefusal.money(12.345) == "12.35" && LimitRefusal.money(0.01234) == "0.0123")
    }
}
