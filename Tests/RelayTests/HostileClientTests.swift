import Foundation
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

    static func classify(_ status: Int, _ body: String) -> ClaudeErrorClassifier.Verdict {
        ClaudeErrorClassifier.classify(status: status, headers: HTTPHeaders(), body: body, account: account, now: Date(timeIntervalSince1970: 1_800_000_000))
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
}
