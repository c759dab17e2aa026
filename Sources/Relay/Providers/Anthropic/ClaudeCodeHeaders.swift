import Foundation
import HTTPTypes
import NIOConcurrencyHelpers

/// The headers real Claude Code sends, per subscription account, in Node's `claude_code_headers:{accountId}`
/// (`{"headers": {…}, "version": "2.1.3", "updatedAt": …}`, 7 days). Requests from other clients on the account go
/// out with them — or with Node's defaults before any real Claude Code request has succeeded on it.
///
/// Client input must not change shared account state freely: only the listed header names are kept, each value
/// short and printable, the User-Agent must be Claude Code's, a capture happens only after the upstream accepted the
/// request, and only a newer Claude Code version replaces what is stored.
public final class ClaudeCodeHeaders: Sendable {
    static let names = [
        "x-stainless-retry-count", "x-stainless-timeout", "x-stainless-lang", "x-stainless-package-version", "x-stainless-os",
        "x-stainless-arch", "x-stainless-runtime", "x-stainless-runtime-version", "anthropic-dangerous-direct-browser-access",
        "x-app", "user-agent", "accept-language", "sec-fetch-mode",
    ]
    static let fieldNames = names.map { HTTPField.Name($0)! }

    public static let defaults: [(String, String)] = [
        ("x-stainless-retry-count", "0"), ("x-stainless-timeout", "60"), ("x-stainless-lang", "js"),
        ("x-stainless-package-version", "0.55.1"), ("x-stainless-os", "Windows"), ("x-stainless-arch", "x64"),
        ("x-stainless-runtime", "node"), ("x-stainless-runtime-version", "v20.19.2"),
        ("anthropic-dangerous-direct-browser-access", "true"), ("x-app", "cli"),
        ("user-agent", AnthropicUpstreamRequest.defaultUserAgent), ("accept-language", "*"), ("sec-fetch-mode", "cors"),
    ]

    static let cacheSeconds: TimeInterval = 60
    static let ttlSeconds = 7 * 86_400

    let redis: RedisClient
    private let cache = NIOLockedValueBox<[String: (at: Date, headers: [(String, String)]?)]>([:])
    private let unified = NIOLockedValueBox<(at: Date, value: String?)?>(nil)
    /// The newest version this instance stored or found per account: older or equal captures skip Redis.
    private let known = NIOLockedValueBox<[String: String]>([:])

    public init(redis: RedisClient) {
        self.redis = redis
    }

    /// What a non-Claude-Code request on this account sends as Claude Code's headers.
    func headers(for accountID: String, now: Date = Date()) async -> [(String, String)] {
        if let hit = cache.withLockedValue({ $0[accountID] }), now.timeIntervalSince(hit.at) < Self.cacheSeconds {
            return hit.headers ?? Self.defaults
        }
        let stored = await load(accountID)
        cache.withLockedValue { cache in
            if cache.count > 10_000 { cache.removeAll() }
            cache[accountID] = (now, stored)
        }
        return stored ?? Self.defaults
    }

    /// The newest Claude Code User-Agent the relay has seen (`claude_code_user_agent:daily`), read at most once a minute.
    func unifiedUserAgent(now: Date = Date()) async -> String? {
        if let hit = unified.withLockedValue({ $0 }), now.timeIntervalSince(hit.at) < Self.cacheSeconds { return hit.value }
        let value = (try? await redis.send("GET", RedisArgument(RedisKeys.claudeCodeUserAgent)))?.string.flatMap { Self.acceptable("user-agent", $0) }
        unified.withLockedValue { $0 = (now, value) }
        return value
    }

    /// After a real Claude Code request succeeded on the account: keep its headers if its version is newer.
    func capture(accountID: String, clientHeaders: HTTPFields, now: Date = Date()) async {
        var captured: [String: String] = [:]
        for (name, field) in zip(Self.names, Self.fieldNames) {
            guard let value = clientHeaders[field], let clean = Self.acceptable(name, value) else { continue }
            captured[name] = clean
        }
        guard let userAgent = captured["user-agent"], ClaudeCodeClient.isClaudeCodeUserAgent(userAgent),
              let version = ClaudeCodeUserAgent.version(of: userAgent) else { return }
        if let seen = known.withLockedValue({ $0[accountID] }), Self.compare(version, seen) <= 0 { return }
        let key = RedisKeys.claudeCodeHeaders(accountID)
        if let current = (try? await redis.send("GET", RedisArgument(key)))?.string,
           let object = JSON.object(Data(current.utf8)), let stored = object["version"] as? String,
           Self.compare(version, stored) <= 0 {
            known.withLockedValue { $0[accountID] = stored }
            return
        }
        let record: [String: Any] = ["headers": captured, "version": version, "updatedAt": ISOTime.string(now)]
        _ = try? await redis.send("SET", RedisArgument(key), RedisArgument(JSON.string(record)), "EX", RedisArgument(String(Self.ttlSeconds)))
        cache.withLockedValue { $0[accountID] = (now, Self.ordered(captured)) }
        known.withLockedValue { known in
            if known.count > 10_000 { known.removeAll() }
            known[accountID] = version
        }
    }

    private func load(_ accountID: String) async -> [(String, String)]? {
        guard let text = (try? await redis.send("GET", RedisArgument(RedisKeys.claudeCodeHeaders(accountID))))?.string,
              let object = JSON.object(Data(text.utf8)), let headers = object["headers"] as? [String: Any] else { return nil }
        var clean: [String: String] = [:]
        for name in Self.names {
            if let value = headers[name] as? String, let ok = Self.acceptable(name, value) { clean[name] = ok }
        }
        return clean.isEmpty ? nil : Self.ordered(clean)
    }

    static func ordered(_ headers: [String: String]) -> [(String, String)] {
        names.compactMap { name in headers[name].map { (name, $0) } }
    }

    /// Short printable ASCII only; a User-Agent must be Claude Code's.
    static func acceptable(_ name: String, _ value: String) -> String? {
        guard !value.isEmpty, value.utf8.count <= 200, value.utf8.allSatisfy({ $0 >= 0x20 && $0 < 0x7F }) else { return nil }
        if name == "user-agent", !ClaudeCodeClient.isClaudeCodeUserAgent(value) { return nil }
        return value
    }

    /// Dotted versions compared numerically ("2.1.10" > "2.1.9").
    static func compare(_ a: String, _ b: String) -> Int {
        let left = a.split(separator: ".").map { Int($0.prefix(while: \.isNumber)) ?? 0 }
        let right = b.split(separator: ".").map { Int($0.prefix(while: \.isNumber)) ?? 0 }
        for index in 0..<max(left.count, right.count) {
            let l = index < left.count ? left[index] : 0
            let r = index < right.count ? right[index] : 0
            if l != r { return l > r ? 1 : -1 }
        }
        return 0
    }
}
