import Foundation
import Hummingbird

/// `/admin/api-keys…` with the Node original's paths and `{success, data}` shapes (RS-C1…C7).
struct APIKeysController {
    let store: APIKeyStore
    let reader: UsageReader
    let clock: RelayClock

    var report: KeyUsageReport { KeyUsageReport(redis: reader.redis, clock: clock, offsetHours: reader.offsetHours) }

    func register(on admin: RouterGroup<RelayRequestContext>) {
        admin.get("api-keys") { request, _ -> Response in
            let query = try APIKeyListQuery(request.uri.queryParameters)
            let range = try KeyUsageRange(request.uri.queryParameters, reader: reader)
            let now = clock.now
            var keys = query.sorted(try await store.all().filter { !$0.isDeleted && query.matches($0, now: now) })
            if query.sortBy == "cost" {
                let costs = try await reader.numbers(keys.map { RedisKeys.costTotal($0.id) })
                let order = zip(keys, costs).sorted { query.descending ? $0.1 > $1.1 : $0.1 < $1.1 }
                keys = order.map(\.0)
            }
            let (page, pagination) = query.page(keys)
            var items = try await report.json(page)
            if let range { items = try await range.annotate(items, keys: page) }
            var extra: [String: Any] = [:]
            if let pagination { extra["pagination"] = pagination }
            return AdminReply.data(items, extra)
        }
        admin.get("api-keys/tags") { _, _ in try await tags() }
        admin.get("tags") { _, _ in try await tags() }
        admin.get("api-keys/deleted") { _, _ -> Response in
            let deleted = try await store.all().filter(\.isDeleted)
            return AdminReply.ok(["apiKeys": deleted.map(\.adminJSON), "total": deleted.count])
        }
        admin.delete("api-keys/deleted/clear-all") { _, _ -> Response in
            let deleted = try await store.all().filter(\.isDeleted)
            for key in deleted { try await store.purge(key.id) }
            return AdminReply.ok(["message": "Purged \(deleted.count) deleted API keys", "count": deleted.count])
        }
        admin.post("api-keys") { request, context -> Response in
            let fields = try input(await AdminReply.body(request))
            guard fields["name"] != nil else { throw AdminError(400, "Invalid request", "name: is required") }
            let (record, rawKey) = try await store.create(fields, createdBy: context.adminUsername ?? "admin")
            var data = record.adminJSON
            data["key"] = rawKey
            data["apiKey"] = rawKey
            return AdminReply.data(data, ["message": "API key created; the key is shown only once"])
        }
        admin.get("api-keys/:id") { _, context -> Response in
            // A soft-deleted key is gone for the live API (IMP-05.2); the deleted tab lists it.
            guard let key = try await store.get(try context.parameters.require("id")), !key.isDeleted else {
                throw AdminError(404, "Not Found", "API key not found")
            }
            return AdminReply.data(try await report.json([key])[0])
        }
        admin.put("api-keys/:id") { request, context -> Response in
            let id = try context.parameters.require("id")
            let changes = try input(await AdminReply.body(request))
            let record = try await mapped { try await store.update(id, changes: changes) }
            return AdminReply.data(record.adminJSON, ["message": "API key updated"])
        }
        admin.delete("api-keys/:id") { _, context -> Response in
            let id = try context.parameters.require("id")
            try await mapped { try await store.softDelete(id, by: context.adminUsername ?? "admin") }
            return AdminReply.ok(["message": "API key deleted"])
        }
        admin.post("api-keys/:id/restore") { _, context -> Response in
            let id = try context.parameters.require("id")
            let record = try await mapped { try await store.restore(id) }
            return AdminReply.data(record.adminJSON, ["message": "API key restored"])
        }
        admin.delete("api-keys/:id/permanent") { _, context -> Response in
            let id = try context.parameters.require("id")
            try await mapped { try await store.purge(id) }
            return AdminReply.ok(["message": "API key permanently deleted"])
        }
    }

    /// The store's refusals as the admin API states them.
    func mapped<T>(_ operation: () async throws -> T) async throws -> T {
        do {
            return try await operation()
        } catch let failure as APIKeyStore.Failure {
            switch failure {
            case .notFound: throw AdminError(404, "Not Found", "API key not found")
            case .deleted: throw AdminError(400, "API Key already deleted", "The API key is deleted; restore it first")
            case .notDeleted: throw AdminError(400, "Not deleted", "Only deleted API keys can be restored or permanently deleted")
            case .invalid(let message): throw AdminError(400, "Invalid request", message)
            }
        }
    }

    func input(_ body: [String: Any]) throws -> [String: String] {
        do {
            return try APIKeyInput.fields(from: body, now: clock.now)
        } catch let invalid as APIKeyInput.Invalid {
            throw AdminError(400, "Invalid request", invalid.description)
        }
    }

    private func tags() async throws -> Response {
        let all = try await store.all().filter { !$0.isDeleted }.flatMap(\.tags)
        return AdminReply.data(Array(Set(all)).sorted())
    }
}
