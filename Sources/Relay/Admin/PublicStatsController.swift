import Foundation
import Hummingbird

/// The public key-statistics page's API (`/apiStats/api/*`, no admin token; admin UI contract (docs/admin-ui.md), IMP-16): a key's
/// owner turns the key into its id, then reads that key's usage, limits and current window — nothing about any
/// other key, account or the deployment. Deleted and disabled keys are not resolvable.
/// Each call is budgeted per client address and per key id (`PublicStatsThrottle`).
struct PublicStatsController {
    let keys: APIKeyStore
    let report: KeyUsageReport
    let models: ModelUsage
    let throttle: PublicStatsThrottle
    let trustedProxies: [IPRange]

    static let maxBatch = 50

    func register(on router: Router<RelayRequestContext>) {
        let group = router.group("apiStats/api").add(middleware: AdminErrorMiddleware())
        group.post("get-key-id") { request, context -> Response in
            try await throttle.admit(address: address(request, context))
            let body = try await AdminReply.body(request, limit: 64 << 10)
            guard let raw = (body["apiKey"] as? String)?.trimmingCharacters(in: .whitespacesAndNewlines), !raw.isEmpty else {
                throw AdminError(400, "Invalid request", "apiKey: is required")
            }
            guard raw.utf8.count <= 512, keys.hasher.hasValidShape(raw),
                  let id = try await keys.redis.send("HGET", RedisArgument(RedisKeys.apiKeyHashMap), RedisArgument(keys.hasher.hash(raw))).string,
                  let record = try await keys.get(id), Self.visible(record) else {
                throw AdminError(404, "Not Found", "API key not found, disabled or deleted")
            }
            return AdminReply.data(["id": record.id])
        }
        group.post("user-stats") { request, context -> Response in
            let record = try await self.record(try await AdminReply.body(request, limit: 64 << 10)["apiId"])
            try await throttle.admit(address: address(request, context), keyIDs: [record.id])
            return AdminReply.data(try await stats([record])[0])
        }
        group.post("user-model-stats") { request, context -> Response in
            let body = try await AdminReply.body(request, limit: 64 << 10)
            let record = try await self.record(body["apiId"])
            try await throttle.admit(address: address(request, context), keyIDs: [record.id])
            return AdminReply.data(try await modelRows(period: try Self.period(body), keyID: record.id))
        }
        group.post("batch-stats") { request, context -> Response in
            let records = try await self.records(try await AdminReply.body(request, limit: 64 << 10))
            try await throttle.admit(address: address(request, context), keyIDs: records.map(\.id))
            let individual = try await stats(records)
            return AdminReply.data(["aggregated": Self.aggregate(individual), "individual": individual])
        }
        group.post("batch-model-stats") { request, context -> Response in
            let body = try await AdminReply.body(request, limit: 64 << 10)
            let period = try Self.period(body)
            var merged: [String: [String: Any]] = [:]
            let records = try await records(body)
            try await throttle.admit(address: address(request, context), keyIDs: records.map(\.id))
            for record in records {
                for row in try await modelRows(period: period, keyID: record.id) {
                    guard let model = row["model"] as? String else { continue }
                    merged[model] = Self.sum(merged[model], row)
                }
            }
            let rows = merged.values.sorted { ($0["allTokens"] as? Int ?? 0) > ($1["allTokens"] as? Int ?? 0) }
            return AdminReply.data(rows)
        }
    }

    private func address(_ request: Request, _ context: RelayRequestContext) -> String {
        ClientAddress.of(request, channel: context.channel, trustedProxies: trustedProxies)
    }

    /// The per-model rows scan Redis for the key's model buckets: kept for a while, not read on every call.
    private func modelRows(period: String, keyID: String) async throws -> [[String: Any]] {
        try await throttle.cachedModelRows("\(keyID):\(period)") { try await models.rows(period: period, keyID: keyID) }
    }

    static func visible(_ record: APIKeyRecord) -> Bool { !record.isDeleted && record.isActive }

    private func record(_ id: Any?) async throws -> APIKeyRecord {
        guard let id = id as? String, UUID(uuidString: id) != nil else { throw AdminError(400, "Invalid request", "apiId: a key id is required") }
        guard let record = try await keys.get(id.lowercased()), Self.visible(record) else {
            throw AdminError(404, "Not Found", "API key not found, disabled or deleted")
        }
        return record
    }

    private func records(_ body: [String: Any]) async throws -> [APIKeyRecord] {
        guard let ids = body["apiIds"] as? [String], !ids.isEmpty, ids.count <= Self.maxBatch else {
            throw AdminError(400, "Invalid request", "apiIds: 1 to \(Self.maxBatch) key ids are required")
        }
        var result: [APIKeyRecord] = []
        for id in Set(ids).sorted() { result.append(try await record(id)) }
        return result
    }

    static func period(_ body: [String: Any]) throws -> String {
        let period = body["period"] as? String ?? "daily"
        guard ["daily", "monthly"].contains(period) else { throw AdminError(400, "Invalid period", "period: daily or monthly") }
        return period
    }

    /// What the owner may see: the key's own settings, usage and window; no hash, no bindings, no owner data.
    private func stats(_ records: [APIKeyRecord]) async throws -> [[String: Any]] {
        zip(records, try await report.entries(records)).map { record, entry in
            let full = report.json(record, entry)
            var out: [String: Any] = [:]
            for name in ["id", "name", "description", "isActive", "createdAt", "expiresAt", "expirationMode", "activationDays",
                         "activationUnit", "isActivated", "activatedAt", "permissions", "lastUsedAt", "usage"] {
                out[name] = full[name] ?? NSNull()
            }
            var limits: [String: Any] = [:]
            for name in ["tokenLimit", "concurrencyLimit", "rateLimitWindow", "rateLimitRequests", "rateLimitCost", "dailyCostLimit",
                         "totalCostLimit", "weeklyOpusCostLimit", "weeklyOpusCost", "currentWindowRequests", "currentWindowTokens",
                         "currentWindowCost", "windowStartTime", "windowEndTime", "windowRemainingSeconds"] {
                limits[name] = full[name] ?? NSNull()
            }
            limits["currentDailyCost"] = entry.daily.cost
            limits["currentTotalCost"] = entry.total.cost
            out["limits"] = limits
            out["restrictions"] = [
                "enableModelRestriction": full["enableModelRestriction"] ?? false, "restrictedModels": full["restrictedModels"] ?? [],
                "enableClientRestriction": full["enableClientRestriction"] ?? false, "allowedClients": full["allowedClients"] ?? [],
            ]
            return out
        }
    }

    static func aggregate(_ stats: [[String: Any]]) -> [String: Any] {
        var usage: [String: Any] = [:]
        for period in ["total", "daily", "monthly"] {
            var sum: [String: Any]?
            for item in stats {
                if let row = ((item["usage"] as? [String: Any])?[period]) as? [String: Any] { sum = Self.sum(sum, row) }
            }
            usage[period] = sum ?? [:]
        }
        return ["totalKeys": stats.count, "activeKeys": stats.filter { $0["isActive"] as? Bool == true }.count, "usage": usage]
    }

    /// Adds the numeric fields of `row` (and of its `costs`) to `into`; the first row is taken as it is.
    static func sum(_ into: [String: Any]?, _ row: [String: Any]) -> [String: Any] {
        guard var result = into else { return row }
        for (name, value) in row {
            if let a = result[name] as? Int, let b = value as? Int { result[name] = a + b }
            else if let a = result[name] as? Double, let b = value as? Double { result[name] = a + b }
        }
        if var costs = result["costs"] as? [String: Any], let other = row["costs"] as? [String: Any] {
            for (name, value) in other { costs[name] = (costs[name] as? Double ?? 0) + (value as? Double ?? 0) }
            result["costs"] = costs
            result["formatted"] = ["total": CostFormat.string(costs["total"] as? Double ?? 0)]
        }
        if let cost = result["cost"] as? Double { result["formattedCost"] = CostFormat.string(cost) }
        return result
    }
}
