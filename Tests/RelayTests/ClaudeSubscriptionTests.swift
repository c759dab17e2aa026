import Foundation
@testable import Relay
import Testing

/// Opus on Claude subscriptions: Free plans serve none, Pro plans Opus 4.5 and newer, Max all.
@Suite("Claude subscription Opus gating")
struct ClaudeSubscriptionTests {
    static func account(_ info: String?) -> AccountRecord {
        var fields = ["id": "a"]
        fields["subscriptionInfo"] = info
        return AccountRecord(kind: .claudeOfficial, fields: fields)
    }

    @Test func opusVersionsByPlan() {
        let pro = Self.account(#"{"hasClaudePro":true,"hasClaudeMax":false}"#)
        let max = Self.account(#"{"hasClaudeMax":true}"#)
        let free = Self.account(#"{"accountType":"free"}"#)
        let unknown = Self.account(nil)
        for model in ["claude-opus-4-5-20251101", "claude-opus-4.5", "claude-opus-latest", "claude-5-opus"] {
            #expect(pro.upstreamModel(for: model) == model, "\(model)")
        }
        for model in ["claude-opus-4-20250514", "claude-opus-4-1-20250805", "claude-3-opus-20240229", "claude-opus-4.1"] {
            #expect(pro.upstreamModel(for: model) == nil, "\(model)")
            #expect(max.upstreamModel(for: model) == model, "\(model)")
            #expect(unknown.upstreamModel(for: model) == model, "\(model)")
        }
        #expect(free.upstreamModel(for: "claude-opus-4-5-20251101") == nil)
        #expect(free.upstreamModel(for: "claude-sonnet-4-5-20250929") == "claude-sonnet-4-5-20250929")
        #expect(Self.account(#"{"accountType":"claude_pro"}"#).upstreamModel(for: "claude-opus-4-1-20250805") == nil)
    }
}
