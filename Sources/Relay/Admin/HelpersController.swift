import Foundation
import Hummingbird

/// The small lookups the admin dialogs make: the client ids a key can be restricted to, the admin users an owner
/// can be picked from, and the Claude Code version the relay presents upstream.
struct HelpersController {
    let redis: RedisClient
    let credentials: AdminCredentials
    let claudeCodeVersion: String

    /// The clients `ClientRestriction` can recognise (Node's clientDefinitions.js).
    static var supportedClients: [[String: Any]] { [
        ["id": "claude_code", "name": "Claude Code", "description": "Claude Code command-line interface", "icon": "🤖"],
        ["id": "gemini_cli", "name": "Gemini CLI", "description": "Gemini command-line interface", "icon": "💎"],
        ["id": "codex_cli", "name": "Codex CLI", "description": "OpenAI Codex command-line interface", "icon": "🔷"],
        ["id": "droid_cli", "name": "Droid CLI", "description": "Factory Droid command-line interface", "icon": "🤖"],
    ] }

    func register(on admin: RouterGroup<RelayRequestContext>) {
        admin.get("supported-clients") { _, _ -> Response in
            AdminReply.data(Self.supportedClients)
        }
        admin.get("users") { _, _ -> Response in
            // The relay has one administrator (no LDAP/user portal): the owner list is that account.
            let username = try await credentials.username() ?? "admin"
            return AdminReply.data([["id": username, "username": username, "displayName": username, "role": "admin"]])
        }
        admin.get("claude-code-version") { _, _ -> Response in
            let key = RedisArgument(RedisKeys.claudeCodeUserAgent)
            let replies = try await redis.pipeline([RedisCommand("GET", key), RedisCommand("TTL", key)])
            let captured = replies[0].string
            let version = captured.flatMap(ClaudeCodeUserAgent.version(of:)) ?? claudeCodeVersion
            return AdminReply.data([
                "version": version, "userAgent": captured.map { $0 as Any } ?? NSNull(), "isActive": captured != nil,
                "ttlSeconds": max(0, Int(replies[1].int ?? 0)), "source": captured == nil ? "configured" : "captured",
            ])
        }
        admin.post("claude-code-version/clear") { _, _ -> Response in
            try await redis.send("DEL", RedisArgument(RedisKeys.claudeCodeUserAgent))
            return AdminReply.ok(["message": "Captured Claude Code user agent cleared", "data": ["version": claudeCodeVersion]])
        }
    }
}
