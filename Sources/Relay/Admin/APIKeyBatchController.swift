import Foundation
import Hummingbird

/// The key list's multi-key actions and the expiry dialog, on Node's paths (admin UI contract (docs/admin-ui.md), IMP-03/04/05):
/// `POST|PUT|DELETE /admin/api-keys/batch` and `PATCH /admin/api-keys/{id}/expiration`.
struct APIKeyBatchController {
    let keys: APIKeysController

    static let countRange = 2...500
    static let maxBatch = 1000

    func register(on admin: RouterGroup<RelayRequestContext>) {
        admin.post("api-keys/batch") { request, context -> Response in
            let body = try await AdminReply.body(request)
            guard let baseName = (body["baseName"] as? String ?? body["name"] as? String)?.trimmingCharacters(in: .whitespaces),
                  !baseName.isEmpty else {
                throw AdminError(400, "Invalid request", "baseName: is required")
            }
            guard let count = JSON.int(body["count"]), Self.countRange.contains(count) else {
                throw AdminError(400, "Invalid request", "count: must be between \(Self.countRange.lowerBound) and \(Self.countRange.upperBound)")
            }
            var fields = try keys.input(body.filter { $0.key != "name" })
            var created: [[String: Any]] = []
            for index in 1...count {
                fields["name"] = "\(baseName)_\(index)"
                let (record, rawKey) = try await keys.mapped { try await keys.store.create(fields, createdBy: context.adminUsername ?? "admin") }
                var json = record.adminJSON
                json["key"] = rawKey
                json["apiKey"] = rawKey
                created.append(json)
            }
            return AdminReply.data(created, ["message": "Created \(count) API keys; each key is shown only once"])
        }
        admin.put("api-keys/batch") { request, _ -> Response in
            let body = try await AdminReply.body(request)
            let ids = try Self.ids(body)
            guard let updates = body["updates"] as? [String: Any], !updates.isEmpty else {
                throw AdminError(400, "Invalid request", "updates: an object with the fields to change is required")
            }
            let operation = updates["tagOperation"] as? String ?? "set"
            guard ["set", "add", "remove"].contains(operation) else { throw AdminError(400, "Invalid request", "tagOperation: set, add or remove") }
            var changes = try keys.input(updates.filter { $0.key != "name" })
            let tags = changes.removeValue(forKey: "tags").map(JSON.stringArray)
            return try await Self.each(ids) { id in
                var perKey = changes
                if let tags {
                    guard let current = try await keys.store.get(id) else { throw APIKeyStore.Failure.notFound }
                    let merged: [String]
                    switch operation {
                    case "add": merged = current.tags + tags.filter { !current.tags.contains($0) }
                    case "remove": merged = current.tags.filter { !tags.contains($0) }
                    default: merged = tags
                    }
                    perKey["tags"] = JSON.string(merged)
                }
                _ = try await keys.store.update(id, changes: perKey)
            }
        }
        admin.delete("api-keys/batch") { request, context -> Response in
            let ids = try Self.ids(try await AdminReply.body(request))
            return try await Self.each(ids) { id in try await keys.store.softDelete(id, by: context.adminUsername ?? "admin") }
        }
        admin.patch("api-keys/:id/expiration") { request, context -> Response in
            let id = try context.parameters.require("id")
            let body = try await AdminReply.body(request)
            guard let record = try await keys.store.get(id), !record.isDeleted else { throw AdminError(404, "Not Found", "API key not found") }
            let now = keys.clock.now
            var changes: [String: String] = [:]
            if JSON.bool(body["activateNow"] as Any) == true, record.fields["isActivated"] != "true" {
                changes["isActivated"] = "true"
                changes["activatedAt"] = ISOTime.string(now)
                let days = Double(record.fields["activationDays"] ?? "") ?? 30
                let unit = record.fields["activationUnit"] == "hours" ? 3600.0 : 86400.0
                changes["expiresAt"] = ISOTime.string(now.addingTimeInterval(max(1, days) * unit))
            }
            // With activateNow the period decides the date; an explicit date (not null) overrides it.
            if body.keys.contains("expiresAt"), !(body["expiresAt"] is NSNull) || changes["isActivated"] == nil {
                let given = try keys.input(["expiresAt": body["expiresAt"] as Any])
                changes["expiresAt"] = given["expiresAt"] ?? ""
                if changes["isActivated"] == nil, record.fields["isActivated"] != "true", !(changes["expiresAt"] ?? "").isEmpty {
                    // A fixed date given to a not-yet-activated key makes it an ordinary fixed-expiry key.
                    changes["expirationMode"] = "fixed"
                    changes["isActivated"] = "true"
                    changes["activatedAt"] = ISOTime.string(now)
                }
            }
            guard !changes.isEmpty else { throw AdminError(400, "Invalid request", "expiresAt or activateNow: true is required") }
            let updated = try await keys.mapped { try await keys.store.update(id, changes: changes) }
            let json = updated.adminJSON
            let updates: [String: Any] = ["expiresAt": json["expiresAt"] ?? NSNull(), "activatedAt": json["activatedAt"] ?? NSNull(),
                                          "isActivated": json["isActivated"] ?? false]
            return AdminReply.ok(["message": "Expiration updated", "updates": updates, "data": json])
        }
    }

    static func ids(_ body: [String: Any]) throws -> [String] {
        guard let ids = body["keyIds"] as? [String], !ids.isEmpty else {
            throw AdminError(400, "Invalid request", "keyIds: a non-empty array of key ids is required")
        }
        guard ids.count <= maxBatch else { throw AdminError(400, "Invalid request", "keyIds: at most \(maxBatch) at once") }
        var seen = Set<String>()
        return ids.filter { seen.insert($0).inserted }
    }

    /// Runs the operation on every id; one failing id does not stop the others. Node's reply shape.
    static func each(_ ids: [String], _ operation: (String) async throws -> Void) async throws -> Response {
        var errors: [[String: Any]] = []
        var succeeded = 0
        for id in ids {
            do {
                try await operation(id)
                succeeded += 1
            } catch let failure as APIKeyStore.Failure {
                let reason: String
                switch failure {
                case .notFound: reason = "API key not found"
                case .deleted: reason = "API key is deleted"
                case .notDeleted: reason = "API key is not deleted"
                case .invalid(let message): reason = message
                }
                errors.append(["keyId": id, "error": reason])
            }
        }
        return AdminReply.data(["successCount": succeeded, "failedCount": errors.count, "errors": errors],
                               ["message": "\(succeeded) succeeded, \(errors.count) failed"])
    }
}
