@testable import FakeUpstreams
import Foundation
import NIOCore
@testable import Relay
import Testing

/// The pure parts of subscription shaping: who counts as real Claude Code, what shaping does to a body, and that
/// every shaped body passes the strict fake's rules (the same checks the real API makes).
@Suite("Claude Code shaping")
struct ClaudeCodeShapingTests {
    static let identity = "You are Claude Code, Anthropic's official CLI for Claude."

    static func input(_ json: [String: Any], countTokens: Bool = false, outputLimit: Int? = 64_000, betas: [String] = [],
                      toolSuffix: String? = nil, session: String? = "s1") -> ClaudeCodeShaping.Input {
        .init(json: json, countTokens: countTokens, accountID: "acc-1", accountUUID: nil, sessionHash: session, outputLimit: outputLimit,
              betas: betas, toolSuffix: toolSuffix)
    }

    static func texts(_ system: Any?) -> [String] { ClaudeCodeClient.systemTexts(system) }

    @Test func realClaudeCodeNeedsBothItsUserAgentAndItsIdentity() {
        let system: [Any] = [["type": "text", "text": "x-anthropic-billing-header: cc_version=2.1.3"], ["type": "text", "text": Self.identity]]
        #expect(ClaudeCodeClient.isReal(json: ["system": system], userAgent: "claude-cli/2.1.3 (external, cli)"))
        #expect(ClaudeCodeClient.isReal(json: ["system": "You are a Claude agent, built on Anthropic's Claude Agent SDK."], userAgent: "claude-cli/2.0.1 (external, sdk-py)"))
        #expect(!ClaudeCodeClient.isReal(json: ["system": system], userAgent: "Anthropic/Python 0.71.0"))
        #expect(!ClaudeCodeClient.isReal(json: ["system": "Be brief."], userAgent: "claude-cli/2.1.3 (external, cli)"))
        #expect(!ClaudeCodeClient.isReal(json: [:], userAgent: "claude-cli/2.1.3 (external, cli)"))
        // The identity must be the first block after the billing header, not merely somewhere.
        #expect(!ClaudeCodeClient.isReal(json: ["system": [["type": "text", "text": "Other"], ["type": "text", "text": Self.identity]]], userAgent: "claude-cli/2.1.3 (x)"))
        #expect(!ClaudeCodeClient.isClaudeCodeUserAgent("claude-cli/2.1.3"))
        #expect(!ClaudeCodeClient.isClaudeCodeUserAgent("claude-cli/ (x)"))
    }

    @Test func identityComesFirstAndTheClientsPromptFollowsOnce() {
        let shaped = ClaudeCodeShaping.shape(Self.input(["model": "m", "max_tokens": 5, "system": "Translate.", "messages": [["role": "user", "content": "hi"]]]))
        #expect(Self.texts(shaped.json["system"]) == [Self.identity, "Translate."])
        let again = ClaudeCodeShaping.shape(Self.input(shaped.json))
        #expect(Self.texts(again.json["system"]) == [Self.identity, "Translate."])
        let billing = ClaudeCodeShaping.shape(Self.input(["system": [["type": "text", "text": "x-anthropic-billing-header: x"], ["type": "text", "text": "Mine"]]]))
        #expect(Self.texts(billing.json["system"]) == [Self.identity, "Mine"])
        #expect(Self.texts(ClaudeCodeShaping.shape(Self.input(["system": ""])).json["system"]) == [Self.identity])
    }

    @Test func userIDIsStablePerAccountAndConversationAndKeptWhenSent() throws {
        let first = ClaudeCodeShaping.shape(Self.input(["messages": []])).json["metadata"] as? [String: Any]
        let second = ClaudeCodeShaping.shape(Self.input(["messages": []])).json["metadata"] as? [String: Any]
        let other = ClaudeCodeShaping.shape(Self.input(["messages": []], session: "s2")).json["metadata"] as? [String: Any]
        let id = try #require(first?["user_id"] as? String)
        #expect(id == second?["user_id"] as? String)
        #expect(id != other?["user_id"] as? String)
        let object = try #require(JSON.object(Data(id.utf8)))
        #expect((object["device_id"] as? String)?.count == 64)
        #expect((object["session_id"] as? String)?.range(of: #"^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$"#, options: .regularExpression) != nil)
        let kept = ClaudeCodeShaping.shape(Self.input(["metadata": ["user_id": "mine"]])).json["metadata"] as? [String: Any]
        #expect(kept?["user_id"] as? String == "mine")
        #expect(ClaudeCodeShaping.shape(Self.input(["messages": []], countTokens: true)).json["metadata"] == nil)
    }

    @Test func cacheControlKeepsFourAndDropsTTLWithoutItsBeta() {
        func block(_ text: String, ttl: Bool = false) -> [String: Any] {
            ["type": "text", "text": text, "cache_control": ttl ? ["type": "ephemeral", "ttl": "1h"] : ["type": "ephemeral"]]
        }
        let json: [String: Any] = ["system": [block("s", ttl: true)], "messages": [
            ["role": "user", "content": [block("a"), block("b")]], ["role": "assistant", "content": [block("c")]], ["role": "user", "content": [block("d", ttl: true)]],
        ]]
        let shaped = ClaudeCodeShaping.shape(Self.input(json)).json
        #expect(AnthropicRequestRules.cacheControl(shaped, betas: []) == nil)
        let messages = shaped["messages"] as? [[String: Any]] ?? []
        let marked = messages.map { (($0["content"] as? [[String: Any]]) ?? []).map { $0["cache_control"] != nil } }
        #expect(marked == [[false, false], [true], [true]])  // identity + "s" + the two newest message breakpoints
        let withBeta = ClaudeCodeShaping.shape(Self.input(json, betas: [ClaudeCodeShaping.extendedCacheTTLBeta])).json
        #expect(((withBeta["system"] as? [[String: Any]])?[1]["cache_control"] as? [String: Any])?["ttl"] as? String == "1h")
    }

    @Test func maxTokensAndThinkingAreMadeValid() {
        func shaped(_ json: [String: Any], limit: Int? = 64_000) -> [String: Any] { ClaudeCodeShaping.shape(Self.input(json, outputLimit: limit)).json }
        #expect(JSON.int(shaped(["max_tokens": 100_000])["max_tokens"]) == 64_000)
        #expect(JSON.int(shaped(["max_tokens": 100_000], limit: nil)["max_tokens"]) == 100_000)
        #expect(JSON.int(shaped(["max_tokens": 10])["max_tokens"]) == 10)
        #expect((shaped(["max_tokens": 4000, "thinking": ["type": "enabled", "budget_tokens": 10]])["thinking"] as? [String: Any])?["budget_tokens"] as? Int == 1024)
        #expect((shaped(["max_tokens": 4000, "thinking": ["type": "enabled", "budget_tokens": 9000]])["thinking"] as? [String: Any])?["budget_tokens"] as? Int == 3999)
        #expect(shaped(["max_tokens": 500, "thinking": ["type": "enabled", "budget_tokens": 2000]])["thinking"] == nil)
        #expect(shaped(["max_tokens": 500, "thinking": "on"])["thinking"] == nil)
        #expect(shaped(["max_tokens": 500, "thinking": ["type": "sometimes"]])["thinking"] == nil)
        #expect((shaped(["max_tokens": 500, "thinking": ["type": "adaptive"]])["thinking"] as? [String: Any])?["type"] as? String == "adaptive")
    }

    @Test func everyShapedBodyPassesTheStrictFake() {
        let bodies: [[String: Any]] = [
            ["model": "claude-sonnet-4-5-20250929", "max_tokens": 200_000, "messages": [["role": "user", "content": "hi"]]],
            ["model": "claude-sonnet-4-5", "max_tokens": 2000, "system": [["type": "text", "text": "a", "cache_control": ["type": "ephemeral", "ttl": "5m"]]],
             "thinking": ["type": "enabled", "budget_tokens": 5000], "messages": [["role": "user", "content": "hi"]]],
        ]
        for body in bodies {
            let shaped = ClaudeCodeShaping.shape(Self.input(body, outputLimit: 64_000)).json
            #expect(AnthropicRequestRules.check(shaped, countTokens: false, oauth: true, betas: [], relaxed: []) == nil, "\(shaped)")
            #expect(AnthropicRequestRules.check(body, countTokens: false, oauth: true, betas: [], relaxed: []) != nil)
        }
    }

    @Test func retryRenamesCustomToolsAndTheReplyGetsThemBack() throws {
        let json: [String: Any] = [
            "tools": [["name": "get_weather", "input_schema": [:]], ["type": "web_search_20250305", "name": "web_search"]],
            "tool_choice": ["type": "tool", "name": "get_weather"],
            "messages": [["role": "assistant", "content": [["type": "tool_use", "id": "t1", "name": "get_weather", "input": [:]]]]],
        ]
        let shaped = ClaudeCodeShaping.shape(Self.input(json, toolSuffix: "ab12cd"))
        let tools = shaped.json["tools"] as? [[String: Any]] ?? []
        #expect(tools.map { $0["name"] as? String } == ["get_weather_ab12cd", "web_search"])
        #expect((shaped.json["tool_choice"] as? [String: Any])?["name"] as? String == "get_weather_ab12cd")
        #expect(shaped.toolNames == ["get_weather_ab12cd": "get_weather"])
        let restorer = ToolNameRestorer(names: shaped.toolNames)
        let reply = restorer.reply(ByteBuffer(string: #"{"content":[{"type":"tool_use","id":"x","name":"get_weather_ab12cd","input":{}}]}"#))
        #expect(String(buffer: reply).contains(#""name":"get_weather""#))

        // The stream, cut at every byte: the same output as one chunk.
        let stream = "event: content_block_start\ndata: {\"type\":\"content_block_start\",\"index\":0,\"content_block\":{\"type\":\"tool_use\",\"id\":\"x\",\"name\":\"get_weather_ab12cd\",\"input\":{}}}\n\nevent: ping\ndata: {\"type\":\"ping\"}\n\n"
        let bytes = Array(stream.utf8)
        for cut in 1..<bytes.count {
            var transcoder = ToolNameStreamRestorer(restorer)
            var output = ""
            for part in [bytes[..<cut], bytes[cut...]] {
                if case .events(let events) = transcoder.transcode(ByteBuffer(bytes: part)) { output += String(buffer: events) }
            }
            #expect(output.contains(#""name":"get_weather""#) && !output.contains("ab12cd"), "cut at \(cut)")
            #expect(output.hasSuffix("event: ping\ndata: {\"type\":\"ping\"}\n\n"))
        }
    }

    @Test func theFakeNamesEachRuleItRefuses() {
        let oauthBody: [String: Any] = ["model": "claude-sonnet-4-5", "max_tokens": 5, "messages": [["role": "user", "content": "hi"]]]
        #expect(AnthropicRequestRules.check(oauthBody, countTokens: false, oauth: true, betas: [], relaxed: [])?.message == AnthropicRequestRules.onlyClaudeCodeMessage)
        #expect(AnthropicRequestRules.check(oauthBody, countTokens: false, oauth: true, betas: [], relaxed: [.claudeCodeIdentity]) == nil)
        #expect(AnthropicRequestRules.check(oauthBody, countTokens: false, oauth: false, betas: [], relaxed: []) == nil)
        var extra = oauthBody
        extra["frequency_penalty"] = 1
        #expect(AnthropicRequestRules.check(extra, countTokens: false, oauth: false, betas: [], relaxed: [])?.message == "frequency_penalty: Extra inputs are not permitted")
        #expect(AnthropicRequestRules.check(["model": "m", "messages": []], countTokens: false, oauth: false, betas: [], relaxed: [])?.message == "max_tokens: Field required")
        #expect(AnthropicRequestRules.check(["model": "m", "messages": [["role": "user", "content": "x"]]], countTokens: true, oauth: false, betas: [], relaxed: []) == nil)
        #expect(AnthropicRequestRules.check(["model": "m", "max_tokens": 5, "messages": [["role": "user", "content": "x"]]], countTokens: true, oauth: false, betas: [], relaxed: [])?.message
                == "max_tokens: Extra inputs are not permitted")
    }
}
