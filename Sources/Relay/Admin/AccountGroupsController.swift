import Foundation
import Hummingbird

/// `/admin/account-groups`: named sets of accounts a key can be bound to (`group:<id>`), in the Node layout
/// (`account_groups`, `account_group:{id}`, `account_group_members:{id}`; docs/reference/data-layout.md).
struct AccountGroupsController {
    let redis: RedisClient
    let clock: RelayClock

    static let platforms = ["claude", "gemini", "openai", "droid"]

    func register(on admin: RouterGroup<RelayRequestContext>) {
        admin.get("account-groups") { request, _ -> Response in
            var groups = try await all()
            if let platform = request.uri.queryParameters.get("platform"), !platform.isEmpty {
                groups = groups.filter { ($0["platform"] as? String) == platform }
            }
            return AdminReply.data(groups)
        }
        admin.post("account-groups") { request, _ -> Response in
            let body = try await AdminReply.body(request)
            var fields = try Self.input(body, creating: true)
            let now = ISOTime.string(clock.now)
            let id = UUID().uuidString.lowercased()
            fields.merge(["id": id, "createdAt": now, "updatedAt": now]) { _, new in new }
            _ = try await redis.transaction([
                RedisCommand("HSET", arguments: [RedisArgument(RedisKeys.accountGroup(id))] + APIKeyStore.flatten(fields)),
                RedisCommand("SADD", RedisArgument(RedisKeys.accountGroups), RedisArgument(id)),
            ])
            return AdminReply.data(try await group(id) ?? [:])
        }
        admin.get("account-groups/:groupId") { _, context -> Response in
            AdminReply.data(try await existing(context))
        }
        admin.put("account-groups/:groupId") { request, context -> Response in
            let current = try await existing(context)
            let id = current["id"] as? String ?? ""
            var changes = try Self.input(try await AdminReply.body(request), creating: false)
            if let platform = changes["platform"], platform != current["platform"] as? String, (current["memberCount"] as? Int ?? 0) > 0 {
                throw AdminError(400, "Platform locked", "A group with members cannot change platform (\(platform))")
            }
            changes["updatedAt"] = ISOTime.string(clock.now)
            try await redis.send(RedisCommand("HSET", arguments: [RedisArgument(RedisKeys.accountGroup(id))] + APIKeyStore.flatten(changes)))
            return AdminReply.data(try await group(id) ?? [:])
        }
        admin.delete("account-groups/:groupId") { _, context -> Response in
            let current = try await existing(context)
            let id = current["id"] as? String ?? ""
            if (current["memberCount"] as? Int ?? 0) > 0 {
                throw AdminError(400, "Group not empty", "Remove the group's accounts before deleting it")
            }
            _ = try await redis.transaction([
                RedisCommand("DEL", RedisArgument(RedisKeys.accountGroup(id)), RedisArgument(RedisKeys.accountGroupMembers(id))),
                RedisCommand("SREM", RedisArgument(RedisKeys.accountGroups), RedisArgument(id)),
            ])
            return AdminReply.ok(["message": "Group deleted"])
        }
        admin.get("account-groups/:groupId/members") { _, context -> Response in
            let current = try await existing(context)
            let members = try await redis.send("SMEMBERS", RedisArgument(RedisKeys.accountGroupMembers(current["id"] as? String ?? "")))
            return AdminReply.data((members.array?.compactMap(\.string) ?? []).sorted())
        }
        admin.post("account-groups/:groupId/members") { request, context -> Response in
            let current = try await existing(context)
            guard let accountID = try await AdminReply.body(request)["accountId"] as? String, !accountID.isEmpty else {
                throw AdminError(400, "Invalid request", "accountId: required")
            }
            try await redis.send("SADD", RedisArgument(RedisKeys.accountGroupMembers(current["id"] as? String ?? "")), RedisArgument(accountID))
            return AdminReply.data(try await group(current["id"] as? String ?? "") ?? [:])
        }
        admin.delete("account-groups/:groupId/members/:accountId") { _, context -> Response in
            let current = try await existing(context)
            let accountID = try context.parameters.require("accountId")
            try await redis.send("SREM", RedisArgument(RedisKeys.accountGroupMembers(current["id"] as? String ?? "")), RedisArgument(accountID))
            return AdminReply.data(try await group(current["id"] as? String ?? "") ?? [:])
        }
    }

    static func input(_ body: [String: Any], creating: Bool) throws -> [String: String] {
        var fields: [String: String] = [:]
        if let raw = body["name"] ?? (creating ? NSNull() : nil) {
            guard let name = (raw as? String)?.trimmingCharacters(in: .whitespaces), !name.isEmpty, name.count <= 100 else {
                throw AdminError(400, "Invalid name", "name: 1 to 100 characters")
            }
            fields["name"] = name
        }
        if let raw = body["platform"] ?? (creating ? NSNull() : nil) {
            guard let platform = raw as? String, platforms.contains(platform) else {
                throw AdminError(400, "Invalid platform", "platform: one of \(platforms.joined(separator: ", "))")
            }
            fields["platform"] = platform
        }
        if let raw = body["description"] {
            guard let text = raw as? String ?? (raw is NSNull ? "" : nil), text.count <= 500 else {
                throw AdminError(400, "Invalid description", "description: at most 500 characters")
            }
            fields["description"] = text
        }
        return fields
    }

    private func existing(_ context: RelayRequestContext) async throws -> [String: Any] {
        let id = try context.parameters.require("groupId")
        guard let found = try await group(id) else { throw AdminError(404, "Not Found", "Account group \(id) not found") }
        return found
    }

    private func group(_ id: String) async throws -> [String: Any]? {
        let replies = try await redis.pipeline([
            RedisCommand("HGETALL", RedisArgument(RedisKeys.accountGroup(id))), RedisCommand("SCARD", RedisArgument(RedisKeys.accountGroupMembers(id))),
        ])
        return Self.present(replies[0].stringDictionary, members: Int(replies[1].int ?? 0))
    }

    private func all() async throws -> [[String: Any]] {
        let ids = (try await redis.send("SMEMBERS", RedisArgument(RedisKeys.accountGroups)).array?.compactMap(\.string) ?? []).sorted()
        let replies = try await redis.pipeline(ids.flatMap { id in
            [RedisCommand("HGETALL", RedisArgument(RedisKeys.accountGroup(id))), RedisCommand("SCARD", RedisArgument(RedisKeys.accountGroupMembers(id)))]
        })
        return stride(from: 0, to: replies.count, by: 2).compactMap { Self.present(replies[$0].stringDictionary, members: Int(replies[$0 + 1].int ?? 0)) }
            .sorted { ($0["createdAt"] as? String ?? "") < ($1["createdAt"] as? String ?? "") }
    }

    static func present(_ fields: [String: String], members: Int) -> [String: Any]? {
        guard let id = fields["id"], !id.isEmpty else { return nil }
        return [
            "id": id, "name": fields["name"] ?? "", "platform": fields["platform"] ?? "claude", "description": fields["description"] ?? "",
            "createdAt": fields["createdAt"] ?? NSNull(), "updatedAt": fields["updatedAt"] ?? NSNull(), "memberCount": members,
        ]
    }
}
