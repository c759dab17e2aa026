import Foundation
import HTTPTypes
@testable import Relay
import Testing

/// The request path's hand-written matchers and formatters against what they replaced (ICU regular expressions,
/// `String(format:)`, the generic JSON writer): same answers on matching, near-miss and hostile inputs.
@Suite("Hot-path text")
struct HotPathTextTests {
    private func regex(_ pattern: String, _ text: String, caseInsensitive: Bool = false) -> Bool {
        text.range(of: pattern, options: caseInsensitive ? [.regularExpression, .caseInsensitive] : .regularExpression) != nil
    }

    @Test func claudeCLIVersionMatchesTheRegex() {
        for agent in ["claude-cli/2.0.14 (external, cli)", "claude-cli/1.0.0", "Claude-CLI/3.1.2", "claude-cli/2.0", "claude-cli/2.0.x",
                      "claude-cli/", "claude-cli", "xclaude-cli/1.2.3", "claude-cli/12.34.56-beta", "claude-cli/1..2", ""] {
            #expect((TextScan.claudeCLIVersion(agent, caseInsensitive: true) != nil) == regex(#"^claude-cli/\d+\.\d+\.\d+"#, agent, caseInsensitive: true), "\(agent)")
            #expect((TextScan.claudeCLIVersion(agent) != nil) == regex(#"^claude-cli/\d+\.\d+\.\d+"#, agent), "\(agent)")
        }
        #expect(TextScan.claudeCLIVersion("claude-cli/2.0.14 (external, cli)") == "2.0.14")
    }

    @Test func claudeCodeUserIDMatchesTheRegex() {
        let hex = String(repeating: "ab", count: 32)
        for id in ["user_\(hex)_account__session_x", "user_\(hex)_account_abc-1_session_9f-2", "user_\(hex)_account_session_x",
                   "user_\(hex)_account__session_", "user_\(hex[...hex.index(hex.startIndex, offsetBy: 62)])_account__session_x",
                   "user_\(hex)_account__session_x y", "user_\(hex)_account_ünï_session_ok", "user_\(hex.uppercased())_account__session_a_session_b",
                   "user_\(hex)_account__sess", "nouser_\(hex)_account__session_x", ""] {
            #expect(TextScan.isClaudeCodeUserID(id) == regex(#"^user_[a-fA-F0-9]{64}_account_[\w-]*_session_[\w-]+$"#, id), "\(id)")
        }
    }

    @Test func sessionUUIDMatchesTheRegex() {
        let uuid = "0f8fad5b-d9cb-469f-a165-70867728950e"
        for text in ["user_x_account__session_\(uuid)", "session_\(uuid)tail", "session_session_\(uuid)", "session_\(uuid.dropLast())",
                     "session_\(uuid.uppercased())", "no session here", "session_zzzzzzzz-d9cb-469f-a165-70867728950e"] {
            let expected = text.range(of: #"session_[a-fA-F0-9-]{36}"#, options: .regularExpression).map { String(text[$0].dropFirst(8)) }
            #expect(TextScan.sessionUUID(in: text) == expected, "\(text)")
        }
    }

    @Test func otherClientPatternsMatchTheirRegexes() {
        for agent in ["GeminiCLI/v0.1.5 (linux)", "GeminiCLI/0.1", "GeminiCLI/.", "GeminiCLI/x", "GeminiCLI/", "geminicli/1"] {
            #expect(TextScan.hasVersion(after: "GeminiCLI/", in: agent, optionalV: true) == regex(#"^GeminiCLI/v?[\d.]+"#, agent), "\(agent)")
        }
        for agent in ["factory-cli/1.2.3", "droid factory-cli/0.22.1 x", "factory-cli/1.2", "factory-cli/factory-cli/1.2.3", "factory-cli/"] {
            #expect(TextScan.hasDottedVersion(after: "factory-cli/", in: agent) == regex(#"factory-cli/\d+\.\d+\.\d+"#, agent), "\(agent)")
        }
    }

    @Test func priceNamesNormaliseAsBefore() {
        let cases = [
            "anthropic.claude-3-5-sonnet-20241022-v2:0": "claude-3-5-sonnet",
            "us.anthropic.claude-sonnet-4-5-20250929-v1:0": "claude-sonnet-4-5",
            "claude-sonnet-4-5-20250929": "claude-sonnet-4-5", "claude-opus-4-1@20250805": "claude-opus-4-1",
            "vertex_ai/claude-3-haiku@20240307": "claude-3-haiku", "claude-sonnet-4[1m]": "claude-sonnet-4",
            "gpt-4o-latest": "gpt-4o", "llama3:latest": "llama3", "model-v2": "model", "model:3": "model:3",
            "x-v:1": "x-v:1", "x-12345678": "x", "x-123456789": "x-123456789", "v1": "v1", "-v1": "", "GPT-5-Codex": "gpt-5-codex",
        ]
        for (model, expected) in cases { #expect(PriceTable.normalize(model) == expected, "\(model)") }
        // Repeated lookups answer from the memo with the same price.
        let table = PriceTable.builtIn
        #expect(table.price(for: "claude-sonnet-4-5-20250929-extra") == table.price(for: "claude-sonnet-4-5-20250929-extra"))
        #expect(table.price(for: "no-such-model-zzz") == nil && table.price(for: "no-such-model-zzz") == nil)
    }

    @Test func headerValueIsTheSubscriptsValue() {
        var headers = HTTPFields()
        headers.append(HTTPField(name: .userAgent, value: "claude-cli/2.0.14"))
        headers.append(HTTPField(name: HTTPField.Name("anthropic-beta")!, value: "a"))
        headers.append(HTTPField(name: .contentType, value: "application/json"))
        headers.append(HTTPField(name: HTTPField.Name("anthropic-beta")!, value: "b"))
        headers.append(HTTPField(name: .cookie, value: "x=1"))
        headers.append(HTTPField(name: .cookie, value: "y=2"))
        for name in [HTTPField.Name.userAgent, HTTPField.Name("anthropic-beta")!, .contentType, .cookie, .authorization, HTTPField.Name("User-Agent")!] {
            #expect(headers.value(name) == headers[name], "\(name)")
        }
        #expect(headers.value(HTTPField.Name("anthropic-beta")!) == "a, b" && headers.value(.cookie) == "x=1; y=2")
    }

    @Test func containsMatchesBytes() {
        #expect(TextScan.contains("claude-opus-4-1", "claude-opus") && TextScan.contains("x-claude-opus", "claude-opus"))
        #expect(!TextScan.contains("claude-sonnet-4", "claude-opus") && !TextScan.contains("claude-opu", "claude-opus"))
        #expect(TextScan.contains("anything", "") && !TextScan.contains("", "a"))
        #expect(TextScan.contains("aaab", "aab") && TextScan.contains("/api/v1/messages", "messages") && TextScan.contains("ab", "ab"))
        #expect(!TextScan.contains("/api/v1/message", "messages") && TextScan.contains("naïve-claude-opus", "claude-opus"))
    }

    @Test func uuidTextIsFoundationsLowercased() {
        for _ in 0..<1_000 {
            let uuid = UUID()
            #expect(uuid.lowercasedString == uuid.uuidString.lowercased())
        }
        let fixed = UUID(uuid: (0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0A, 0x0B, 0x0C, 0xAD, 0xEF, 0xFF))
        #expect(fixed.lowercasedString == "00010203-0405-0607-0809-0a0b0cadefff")
    }

    @Test func numbersFormatLikePrintf() {
        // Exact ties at the tenth decimal (2⁻¹¹ = 0.00048828125) round half to even, as glibc does; negatives,
        // zeros, subnormals, the largest magnitudes fixed10 takes itself and the ones it hands to printf.
        var values: [Double] = [0, -0.0, 1, -1, 0.000684, 1.23456789012345, 1e-12, 123456.5, 0.00000000005, 0.00000000015, 1e20,
                                0.00048828125, 0.00146484375, -0.00048828125, 5e-324, 2.2250738585072014e-308, 999_999_999_999_999.9,
                                1e15, .infinity, -.infinity, .nan, 0.1, 0.3, 2.675, 1e-10, 5e-11, 4.9999999999e-11]
        var generator = SystemRandomNumberGenerator()
        for scale in [1e-11, 1e-9, 1e-6, 1e-3, 1, 1e3, 1e6, 1e9, 1e14] {
            for _ in 0..<2_000 { values.append(Double.random(in: 0..<scale, using: &generator)) }
        }
        for _ in 0..<2_000 { values.append(Double(bitPattern: UInt64.random(in: 0...UInt64.max, using: &generator))) }
        for value in values {
            #expect(DecimalText.fixed10(value) == DecimalText.printf10(value), "\(value.bitPattern)")
        }
        #expect(DecimalText.padded(7, 2) == "07" && DecimalText.padded(2026, 4) == "2026" && DecimalText.padded(12345, 2) == "12345")
        let buckets = TimeBuckets(Date(timeIntervalSince1970: 1_767_225_599), offsetHours: 8)  // 2026-01-01 07:59:59 +8
        #expect(buckets.date == "2026-01-01" && buckets.month == "2026-01" && buckets.hour == "2026-01-01:07" && buckets.week == "2026-W01")
        #expect(ISOTime.string(Date(timeIntervalSince1970: 1_767_225_599.042)) == "2025-12-31T23:59:59.042Z")
    }

    @Test func requestLogLineIsTheGenericWritersText() {
        let usage = TokenUsage(input: 18, output: 42, cacheCreate5m: 3, cacheCreate1h: 4, cacheRead: 5)
        let cost = CostBreakdown(input: 0.000054, output: 0.00063, cacheWrite5m: 1.125e-05, cacheWrite1h: 2.4e-05, cacheRead: 1.5e-06, isLongContext: false)
        for priced in [cost, nil] {
            var record: [String: Any] = [
                "timestamp": "2026-11-27T12:00:00.000Z", "model": "claude-\"x\"", "accountId": "acc-1", "accountType": "claude-console",
                "inputTokens": 18, "outputTokens": 42, "cacheCreateTokens": 7, "cacheReadTokens": 5, "ephemeral5mTokens": 3,
                "ephemeral1hTokens": 4, "totalTokens": 72, "isLongContext": false,
            ]
            if let priced {
                record["cost"] = (priced.total * 1e6).rounded() / 1e6
                record["costBreakdown"] = ["input": priced.input, "output": priced.output, "cacheCreate": priced.cacheCreate,
                                           "cacheRead": priced.cacheRead, "ephemeral5m": priced.cacheWrite5m, "ephemeral1h": priced.cacheWrite1h]
            } else {
                record["cost"] = NSNull()
                record["costUnknown"] = true
            }
            let line = UsageRecordLine.json(at: "2026-11-27T12:00:00.000Z", model: "claude-\"x\"", accountID: "acc-1", accountType: "claude-console",
                                            usage: usage, longContext: false, cost: priced)
            #expect(line == JSON.string(record))
        }
    }

    @Test func trimmedMatchesFoundationsWhitespaceTrim() {
        // Every scalar, alone and around a word: the same verdict as Foundation's set.
        for value in 0...0x10FFFF {
            guard let scalar = Unicode.Scalar(value) else { continue }
            let text = "\(scalar)x\(scalar)"
            if TextScan.trimmed(text) != text.trimmingCharacters(in: .whitespaces) {
                Issue.record("U+\(String(value, radix: 16)) trimmed differently")
                break
            }
        }
        for text in ["", " ", "\t \t", "abc", " abc ", "\tBearer cr_x\t", "\u{00A0}key\u{3000}", "a b", " \u{2003}é ", "\n x \n",
                     "\u{200B}zero-width\u{200B}", "https://x.example/v1/messages/  ", "  \u{1F600} "] {
            #expect(TextScan.trimmed(text) == text.trimmingCharacters(in: .whitespaces), "\(text.debugDescription)")
        }
        #expect(TextScan.hasPrefixIgnoringCase("BeArEr cr_1", "bearer "))
        #expect(!TextScan.hasPrefixIgnoringCase("Bear", "bearer "))
        #expect(!TextScan.hasPrefixIgnoringCase("bearerx", "bearer "))
        #expect(ClientKey.stripBearer("  Bearer  cr_abc  ") == "cr_abc")
        #expect(ClientKey.stripBearer("BEARER\u{00A0}cr_abc") == "BEARER\u{00A0}cr_abc".trimmingCharacters(in: .whitespaces))
    }
}

