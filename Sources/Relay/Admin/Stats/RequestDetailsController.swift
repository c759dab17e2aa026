import Foundation
import Hummingbird

/// Node's request details on its paths and in its shapes: `GET /admin/request-details` (the captured requests of a
/// time range — by default the retention window — filtered by key, account, model, endpoint or a keyword, sorted,
/// paged, with a summary and the filter choices), `GET /admin/request-details/:requestId`, and for body previews
/// `GET …/body-preview-stats` and `POST …/body-preview-purge` (drops every stored preview, keeps the rest).
/// Capture is switched on in the relay settings (`requestDetailCaptureEnabled`, Settings page).
struct RequestDetailsController {
    let store: RequestDetailStore
    let settings: ClaudeRelaySettings
    let reader: UsageReader
    let clock: RelayClock

    func register(on admin: RouterGroup<RelayRequestContext>) {
        admin.get("request-details") { request, _ -> Response in
            let current = await settings.current().requestDetails
            let query = UsageRecordsController.parameters(request)
            let now = clock.now
            let start = try date(query["startDate"]) ?? now.addingTimeInterval(-Double(current.retentionHours) * 3600)
            let end = try date(query["endDate"]) ?? now
            guard start <= end else { throw AdminError(400, "Invalid request detail query", "startDate must not be after endDate") }
            let all = try await store.records(from: start, to: end)
            let matched = all.filter { Self.matches($0, query) }
            let ascending = query["sortOrder"] == "asc"
            let sorted = matched.sorted { a, b in
                let (x, y) = (a["timestamp"] as? String ?? "", b["timestamp"] as? String ?? "")
                return ascending ? x < y : x > y
            }
            let pageSize = min(max(Int(query["pageSize"] ?? "") ?? 50, 1), 200)
            let totalPages = (sorted.count + pageSize - 1) / pageSize
            let page = totalPages == 0 ? 1 : min(max(Int(query["page"] ?? "") ?? 1, 1), totalPages)
            let names = try await self.names()
            let records = sorted.dropFirst((page - 1) * pageSize).prefix(pageSize).map { names.display($0) }
            var filters: [String: Any] = ["hasCustomDateRange": query["startDate"] != nil || query["endDate"] != nil, "sortOrder": ascending ? "asc" : "desc"]
            for field in ["startDate", "endDate", "keyword", "apiKeyId", "accountId", "model", "endpoint"] {
                filters[field] = query[field].map { $0 as Any } ?? NSNull()
            }
            let pagination: [String: Any] = ["currentPage": page, "pageSize": pageSize, "totalRecords": sorted.count, "totalPages": totalPages,
                                             "hasNextPage": page < totalPages, "hasPreviousPage": page > 1]
            var data = Self.header(current)
            data["snapshotId"] = NSNull()
            data["records"] = Array(records)
            data["pagination"] = pagination
            data["filters"] = filters
            data["availableFilters"] = names.filters(all)
            data["summary"] = Self.summary(matched)
            return AdminReply.data(data)
        }
        admin.get("request-details/body-preview-stats") { _, _ -> Response in
            let current = await settings.current().requestDetails
            var count = 0
            _ = try await store.rewriteAll { record in
                if record["requestBodySnapshot"] != nil { count += 1 }
                return nil
            }
            return AdminReply.data(Self.header(current).merging(["snapshotCount": count, "hasSnapshots": count > 0]) { _, new in new })
        }
        admin.post("request-details/body-preview-purge") { _, _ -> Response in
            let result = try await store.rewriteAll { record in
                guard record["requestBodySnapshot"] != nil else { return nil }
                var copy = record
                copy.removeValue(forKey: "requestBodySnapshot")
                return copy
            }
            return AdminReply.data(["updatedRecords": result.changed], ["message": "Request body previews purged"])
        }
        admin.get("request-details/:requestId") { _, context -> Response in
            let current = await settings.current().requestDetails
            guard let record = try await store.get(try context.parameters.require("requestId")) else {
                throw AdminError(404, "Request detail not found", "No captured request with this id (it may have expired)")
            }
            return AdminReply.data(Self.header(current).merging(["record": try await names().display(record)]) { _, new in new })
        }
    }

    private func date(_ text: String?) throws -> Date? {
        guard let text, !text.isEmpty else { return nil }
        guard let date = ISOTime.parse(text) ?? Double(text).map({ Date(timeIntervalSince1970: $0 / 1000) }) else {
            throw AdminError(400, "Invalid request detail query", "'\(text)' is not a date (ISO 8601 or milliseconds)")
        }
        return date
    }

    static func header(_ settings: RequestDetailSettings) -> [String: Any] {
        ["captureEnabled": settings.captureEnabled, "retentionHours": settings.retentionHours, "bodyPreviewEnabled": settings.bodyPreviewEnabled]
    }

    static func matches(_ record: [String: Any], _ query: [String: String]) -> Bool {
        for field in ["apiKeyId", "accountId", "model", "endpoint"] {
            if let wanted = query[field], !wanted.isEmpty, record[field] as? String != wanted { return false }
        }
        if let keyword = query["keyword"]?.lowercased(), !keyword.isEmpty {
            let haystack = ["requestId", "model", "endpoint", "apiKeyId", "accountId"].compactMap { record[$0] as? String }.joined(separator: " ").lowercased()
            if !haystack.contains(keyword) { return false }
        }
        return true
    }

    static func summary(_ records: [[String: Any]]) -> [String: Any] {
        func sum(_ field: String) -> Int { records.reduce(0) { $0 + (JSON.int($1[field]) ?? 0) } }
        let (input, read, create) = (sum("inputTokens"), sum("cacheReadTokens"), sum("cacheCreateTokens"))
        let cost = records.reduce(0.0) { $0 + (JSON.number($1["cost"]) ?? 0) }
        let denominator = input + read + create
        return ["totalRequests": records.count, "inputTokens": input, "outputTokens": sum("outputTokens"), "cacheReadTokens": read,
                "cacheCreateTokens": create, "totalCost": (cost * 1_000_000).rounded() / 1_000_000,
                "avgDurationMs": records.isEmpty ? 0 : sum("durationMs") / records.count,
                "cacheHitRate": denominator == 0 ? 0 : Double(read) / Double(denominator), "cacheHitNumerator": read,
                "cacheHitDenominator": denominator, "cacheHitFormula": "cacheRead / (input + cacheRead + cacheCreate)"]
    }

    /// Key and account names for display and filters.
    struct Names {
        let keys: [String: String]
        let accounts: [String: (name: String, type: String)]

        func display(_ record: [String: Any]) -> [String: Any] {
            var out = record
            out["apiKeyName"] = (record["apiKeyId"] as? String).flatMap { keys[$0] } ?? NSNull()
            out["accountName"] = (record["accountId"] as? String).flatMap { accounts[$0]?.name } ?? NSNull()
            return out
        }

        func filters(_ records: [[String: Any]]) -> [String: Any] {
            func distinct(_ field: String) -> [String] { Array(Set(records.compactMap { $0[field] as? String })).sorted() }
            let stamps = records.compactMap { $0["timestamp"] as? String }.sorted()
            return [
                "apiKeys": distinct("apiKeyId").map { ["id": $0, "name": keys[$0] ?? $0] },
                "accounts": distinct("accountId").map { ["id": $0, "name": accounts[$0]?.name ?? $0, "accountType": accounts[$0]?.type ?? "unknown"] },
                "models": distinct("model"), "endpoints": distinct("endpoint"),
                "dateRange": ["earliest": stamps.first.map { $0 as Any } ?? NSNull(), "latest": stamps.last.map { $0 as Any } ?? NSNull()],
            ]
        }
    }

    private func names() async throws -> Names {
        let keys = try await reader.liveKeys()
        let accounts = try await reader.allAccounts()
        return Names(keys: Dictionary(keys.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a }),
                     accounts: Dictionary(accounts.map { ($0.id, ($0.name, $0.kind.usageType)) }, uniquingKeysWith: { a, _ in a }))
    }
}
