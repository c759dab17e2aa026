import Foundation
import Logging
import Scenario
import HTTPTypes
import NIOCore
import NIOHTTP1
@testable import Relay
import Testing

/// Hostile client input that reaches the relay's shared logic (issue #23): model names fed to the normaliser, and
/// upstream error bodies that echo what the client sent.
@Suite("Hostile clients")
struct HostileClientTests {
    static let account = AccountRecord(kind: .claudeOfficial, fields: ["id": "a1", "name": "shared"])

    static func body(_ type: String, _ message: String) -> String {
        JSON.string(["type": "error", "error": ["type": type, "message": message]])
    }

    static func classify(_ status: Int, _ body: String) -> UpstreamVerdict {
        AnthropicErrorClassifier.classify(status: status, headers: HTTPHeaders(), body: body, account: account, now: Date(timeIntervalSince1970: 1_800_000_000))
    }

    /// Finding 3: a phrase inside a message that echoes client input marks nothing.
    @Test func finding3_echoedPhrasesDoNotMarkTheAccount() {
        #expect(Self.classify(400, Self.body("invalid_request_error", "model: claude-x exceed your account's rate limit")).mark == nil)
        #expect(Self.classify(400, Self.body("invalid_request_error", "model: This request would exceed your account's rate limit.")).mark == nil)
        #expect(Self.classify(400, Self.body("invalid_request_error", "Unknown model: this organization has been disabled")).mark == nil)
        guard case .temporaryError? = Self.classify(403, Self.body("permission_error", "claude-x: organization has been disabled")).mark else {
            Issue.record("an echoing 403 only rests the account")
            return
        }
        // A body the client filled entirely (no error object) says nothing either.
        #expect(Self.classify(400, "organization has been disabled; exceed your account's rate limit").mark == nil)
    }

    @Test func finding3_theAPIsOwnWordingsStillMark() {
        guard case .blocked? = Self.classify(400, Self.body("invalid_request_error", "This organization has been disabled.")).mark,
              case .blocked? = Self.classify(403, Self.body("permission_error", "OAuth authentication is currently not allowed for this organization.")).mark,
              case .rateLimited? = Self.classify(400, Self.body("rate_limit_error", "This request would exceed your account's rate limit. Please try again later.")).mark
        else {
            Issue.record("the API's own wordings must mark the account")
            return
        }
        #expect(Self.classify(429, Self.body("rate_limit_error", "Extra usage is required for long context requests.")) == .init(mark: nil, failover: false))
    }

    /// Finding 1: normalising removes every marker in one pass, with the same result as removing them until none is
    /// left (also where a removal forms a new one).
    @Test func finding1_markerRemovalMatchesRepeatedRemoval() {
        func reference(_ text: String) -> String {
            var current = text
            while true {
                var next = current
                for marker in ["[1m]", ":latest"] { next = next.replacingOccurrences(of: marker, with: "") }
                if next == current { return current }
                current = next
            }
        }
        #expect(String(decoding: PriceTable.removingMarkers(Array("claude-[1[1m]m]x".utf8)), as: UTF8.self) == "claude-x")
        var generator = SystemRandomNumberGenerator()
        let alphabet = Array("[1m]:latest-x")
        for _ in 0..<5_000 {
            let text = String((0..<Int.random(in: 0...40, using: &generator)).map { _ in alphabet.randomElement(using: &generator)! })
            #expect(String(decoding: PriceTable.removingMarkers(Array(text.utf8)), as: UTF8.self) == reference(text), "\(text)")
        }
        // Half a million markers: one pass (the old search-from-the-start loop took seconds here).
        let huge = String(repeating: "[1m]", count: 500_000) + "claude-sonnet-4-5"
        #expect(PriceTable.normalize(huge) == "claude-sonnet-4-5")
    }

    /// Finding 7: a stream that ends after its deltas but before `message_delta` is charged for what it delivered.
    @Test func finding7_deliveredDeltasAreChargedWhenTheCountNeverCame() {
        let start = #"data: {"type":"message_start","message":{"model":"claude-sonnet-4-5","usage":{"input_tokens":12,"output_tokens":1}}}"# + "\n\n"
        let delta = #"data: {"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":"0123456789abcdef"}}"# + "\n\n"
        let end = #"data: {"type":"message_delta","delta":{"stop_reason":"end_turn"},"usage":{"output_tokens":7}}"# + "\n\n"
        var cut = AnthropicStreamMeter()
        cut.feed(ByteBuffer(string: start + String(repeating: delta, count: 10)))
        #expect(cut.usage.input == 12)
        #expect(cut.usage.output == 40 && cut.usage.outputEstimated)  // 10 deltas × 16 bytes ≈ 40 tokens
        var complete = AnthropicStreamMeter()
        complete.feed(ByteBuffer(string: start + String(repeating: delta, count: 10) + end))
        #expect(complete.usage.output == 7 && !complete.usage.outputEstimated)  // the upstream's own count wins
        // Two messages in one stream: the first reported, the second cut.
        var two = AnthropicStreamMeter()
        two.feed(ByteBuffer(string: start + delta + end + start + delta + delta))
        #expect(two.usage.output == 7 + 8 && two.usage.outputEstimated && two.usage.input == 24)
    }

    @Test func finding7_openAIStreamsToo() {
        let delta = #"data: {"type":"response.output_text.delta","item_id":"m","output_index":0,"content_index":0,"delta":"Hi"}"# + "\n\n"
        let done = #"data: {"type":"response.completed","response":{"model":"gpt-5","usage":{"input_tokens":5,"output_tokens":2}}}"# + "\n\n"
        var cut = OpenAIResponsesStreamMeter()
        cut.feed(ByteBuffer(string: String(repeating: delta, count: 3)))
        #expect(cut.usage.output == 3 && cut.usage.outputEstimated)
        var complete = OpenAIResponsesStreamMeter()
        complete.feed(ByteBuffer(string: String(repeating: delta, count: 3) + done))
        #expect(complete.usage.output == 2 && !complete.usage.outputEstimated && complete.usage.input == 5)

        let chunk = #"data: {"id":"c","model":"gpt-4o","choices":[{"index":0,"delta":{"content":"Hi"}}],"usage":null}"# + "\n\n"
        let usage = #"data: {"id":"c","model":"gpt-4o","choices":[],"usage":{"prompt_tokens":4,"completion_tokens":2,"total_tokens":6}}"# + "\n\n"
        var chat = ChatCompletionsStreamMeter()
        chat.feed(ByteBuffer(string: chunk + chunk + "data: [DONE]\n\n"))
        #expect(chat.usage.output == 2 && chat.usage.outputEstimated && chat.usage.model == "gpt-4o")
        var reported = ChatCompletionsStreamMeter()
        reported.feed(ByteBuffer(string: chunk + chunk + chunk + usage + "data: [DONE]\n\n"))
        #expect(reported.usage.output == 2 && !reported.usage.outputEstimated)
    }

    /// Finding 9 (headers): no dialect forwards the client's address, CDN headers, or headers its `Connection` names.
    @Test func finding9_noDialectForwardsClientAddressOrHopByHopHeaders() async throws {
        var client = HTTPFields()
        for (name, value) in [("cf-connecting-ip", "203.0.113.7"), ("cf-ray", "abc"), ("true-client-ip", "203.0.113.7"), ("x-client-ip", "203.0.113.7"),
                              ("via", "1.1 cdn"), ("x-forwarded-for", "203.0.113.7"), ("connection", "x-private-hop"), ("x-private-hop", "secret"),
                              ("x-api-key", "cr_client_key"), ("sec-fetch-mode", "cors"), ("x-stainless-lang", "python"), ("anthropic-version", "2023-06-01")] {
            client.append(HTTPField(name: HTTPField.Name(name)!, value: value))
        }
        let banned = ["cf-connecting-ip", "cf-ray", "true-client-ip", "x-client-ip", "via", "x-forwarded-for", "x-private-hop", "sec-fetch-mode"]
        let console = AccountRecord(kind: .claudeConsole, fields: ["id": "c1", "apiUrl": "https://console.example/api"])
        let claude = AnthropicUpstreamRequest.build(account: console, credential: "sk-ant-x", endpoint: .messages, clientHeaders: client, clientQuery: nil,
                                                 body: ByteBuffer(string: "{}"), requestedModel: "m", upstreamModel: "m", officialBaseURL: "https://api.anthropic.com")
        let responsesAccount = AccountRecord(kind: .openAIResponses, fields: ["id": "o1", "baseApi": "https://openai.example"])
        let responses = try await OpenAIResponsesDialect().request(DialectInput(
            account: responsesAccount, credential: "sk-o", operation: "responses", clientHeaders: client, clientQuery: nil, body: ByteBuffer(string: "{}"),
            json: [:], requestedModel: "m", upstreamModel: "m", stream: false))
        for (dialect, headers) in [("anthropic", claude.headers), ("openai-responses", responses.headers)] {
            for name in banned { #expect(headers[name].isEmpty, "\(dialect) forwarded \(name)") }
            #expect(!headers.contains { $0.value.contains("cr_client_key") }, "\(dialect) forwarded the relay key")
            #expect(headers.first(name: "x-stainless-lang") == "python", "\(dialect) dropped an ordinary header")
        }
    }

    /// Finding 5: an IPv6 client is counted per /64 (it commonly holds the whole block), IPv4-mapped as IPv4.
    @Test func finding5_loginFailuresCountPerIPv6Slash64() {
        #expect(LoginThrottle.bucket("2001:db8:1:2:aaaa::1") == LoginThrottle.bucket("2001:db8:1:2:ffff:ffff:ffff:fffe"))
        #expect(LoginThrottle.bucket("2001:db8:1:2::1") == "2001:db8:1:2::/64")
        #expect(LoginThrottle.bucket("2001:db8:1:3::1") != LoginThrottle.bucket("2001:db8:1:2::1"))
        #expect(LoginThrottle.bucket("::ffff:203.0.113.9") == "203.0.113.9")
        #expect(LoginThrottle.bucket("203.0.113.9") == "203.0.113.9")
    }

    /// Finding 2: the parser's bounds — repeated keys and more than `maxValues` values are errors, not objects.
    @Test func finding2_parserRefusesRepeatedKeysAndUnboundedDocuments() {
        #expect(JSONParser.parse(Data(#"{"a":1,"a":2}"#.utf8)) == nil)
        #expect(JSONParser.parse(Data(#"{"a":{"b":1,"b":1}}"#.utf8)) == nil)
        #expect(JSONParser.parse(Data(#"{"a":1,"b":2}"#.utf8)) != nil)
        let many = "[" + Array(repeating: "0", count: JSONParser.maxValues).joined(separator: ",") + "]"
        #expect(JSONParser.parse(Data(many.utf8)) == nil)  // the array itself is one more value
        let fits = "[" + Array(repeating: "0", count: JSONParser.maxValues - 1).joined(separator: ",") + "]"
        #expect((JSONParser.parse(Data(fits.utf8)) as? [Any])?.count == JSONParser.maxValues - 1)
    }

    /// Finding 9 (sessions): rotating the admin password through the environment ends the sessions issued under the
    /// old one (the same password again does not), and refreshing cannot keep a session alive past its maximum age.
    @Test func finding9_passwordRotationEndsSessionsAndRefreshIsBounded() async throws {
        try await RelayHarness.with { harness in
            let logger = Logger(label: "test")
            let credentials = AdminCredentials(redis: harness.redis, clock: RelayClock())
            let sessions = await AdminSessions(secret: RelayHarness.jwtSecret, redis: harness.redis, clock: RelayClock())
            _ = try await credentials.bootstrap(username: "root", password: "first-password-1", logger: logger)
            let before = try await sessions.issue(username: "root")
            _ = try await credentials.bootstrap(username: "root", password: "first-password-1", logger: logger)  // a restart, same env
            #expect(try await sessions.verify(before) != nil)
            _ = try await credentials.bootstrap(username: "root", password: "rotated-password-2", logger: logger)
            #expect(try await sessions.verify(before) == nil)
            #expect(try await credentials.verify(username: "root", password: "rotated-password-2"))

            // A refresh chain keeps its login time: eight days after the login it is refused.
            let clock = RelayClock()
            let aging = await AdminSessions(secret: RelayHarness.jwtSecret, redis: harness.redis, clock: clock)
            let login = try await aging.issue(username: "root")
            let session = try #require(try await aging.verify(login))
            #expect(aging.mayRefresh(session))
            clock.advance(by: 6 * 86400 + 23 * 3600)
            let refreshed = try await aging.issue(username: "root", loggedInAt: session.loggedInAt)
            let later = try #require(try await aging.verify(refreshed))
            #expect(later.expiresAt <= session.loggedInAt.addingTimeInterval(aging.maxSessionAge))  // capped, not +24 h
            clock.advance(by: 2 * 3600)
            #expect(!aging.mayRefresh(later))
        }
    }

    @Test func finding7_geminiStreamsToo() {
        let piece = #"data: {"candidates":[{"content":{"role":"model","parts":[{"text":"0123456789abcdef"}]}}],"modelVersion":"gemini-2.5-pro"}"# + "\r\n\r\n"
        let last = #"data: {"candidates":[{"content":{"role":"model","parts":[{"text":"x"}]},"finishReason":"STOP"}],"usageMetadata":{"promptTokenCount":9,"candidatesTokenCount":5,"totalTokenCount":14}}"# + "\r\n\r\n"
        var cut = GeminiStreamMeter()
        cut.feed(ByteBuffer(string: piece + piece))
        #expect(cut.usage.output == 8 && cut.usage.outputEstimated)
        var complete = GeminiStreamMeter()
        complete.feed(ByteBuffer(string: piece + piece + last))
        #expect(complete.usage.output == 5 && !complete.usage.outputEstimated && complete.usage.input == 9)
    }

    /// Found by the error-classifier fuzz target: HTTP dates are read by hand (fixtures/fuzz/error-classifier/).
    @Test func retryAfterHTTPDates() {
        #expect(AnthropicErrorClassifier.httpDate("Sun, 06 Nov 1994 08:49:37 GMT") == Date(timeIntervalSince1970: 784_111_777))
        #expect(AnthropicErrorClassifier.httpDate("Thu, 01 Jan 1970 00:00:00 GMT") == Date(timeIntervalSince1970: 0))
        #expect(AnthropicErrorClassifier.httpDate("Wed, 29 Feb 2028 23:59:59 GMT") == Date(timeIntervalSince1970: 1_835_481_599))
        #expect(AnthropicErrorClassifier.httpDate("06 Nov 1994 08:49:37") == nil)
        #expect(AnthropicErrorClassifier.httpDate("Sun, 06 Foo 1994 08:49:37 GMT") == nil)
        #expect(AnthropicErrorClassifier.httpDate("Sun, 99 Nov 1994 25:49:37 GMT") == nil)
    }
}
