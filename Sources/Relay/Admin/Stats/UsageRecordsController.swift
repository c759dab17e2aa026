import Foundation
import Hummingbird

/// Request history (Node's usage-records views): every recorded request with its model, account, tokens and cost,
/// filtered by time, model, account or key, paged, with a summary of what matched and the filter choices.
/// `GET /admin/api-keys/{id}/usage-records` reads the key's request log (`usage:records:{keyId}`, its newest 200);
/// `GET /admin/accounts/{id}/usage-records` reads every live key's log in one pipeline and keeps the account's.
struct UsageRecordsController {
    let reader: UsageReader

    /// One request-log entry as the views need it.
    struct Record {
        let keyID: String
        let at: Date
        let model: String
        let accountID: String
        let object: [String: Any]
    }

    func register(on admin: RouterGroup<RelayRequestContext>) {
        admin.get("api-keys/:id/usage-records") { request, context -> Response in
            let query = try UsageRecordsQuery(Self.parameters(request))
            let keyID = try context.parameters.require("id")
            guard let key = try await reader.keys.get(keyID), !key.isDeleted else { throw AdminError(404, "Not Found", "API key not found") }
            let records = try await self.records(of: [key.id]).filter(query.matches)
            var data = try await page(records, query: query)
            data["apiKeyInfo"] = ["id": key.id, "name": key.name]
            return AdminReply.data(data)
        }
        admin.get("accounts/:id/usage-records") { request, context -> Response in
            let query = try UsageRecordsQuery(Self.parameters(request))
            let accountID = try context.parameters.require("id")
            let accounts = try await reader.allAccounts()
            guard let account = accounts.first(where: { $0.id == accountID }) else { throw AdminError(404, "Not Found", "Account not found") }
            let keys = try await reader.liveKeys()
            let records = try await self.records(of: keys.map(\.id)).filter { $0.accountID == accountID && query.matches($0) }
            var data = try await page(records, query: query, keyNames: Dictionary(keys.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a }))
            data["accountInfo"] = ["id": account.id, "name": account.name, "accountType": account.kind.usageType, "platform": account.kind.platform]
            return AdminReply.data(data)
        }
    }

    static func parameters(_ request: Request) -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in request.uri.queryParameters { result[String(name)] = String(value) }
        return result
    }

    /// The request logs of `keyIDs` (one pipelined LRANGE each), entries that do not parse left out.
    private func records(of keyIDs: [String]) async throws -> [Record] {
        let replies = try await reader.redis.pipeline(keyIDs.map { RedisCommand("LRANGE", RedisArgument(RedisKeys.usageRecords($0)), "0", "-1") })
        var records: [Record] = []
        for (keyID, reply) in zip(keyIDs, replies) {
            for line in reply.array ?? [] {
                guard let text = line.string, let object = JSON.object(Data(text.utf8)), let stamp = object["timestamp"] as? String,
                      let at = ISOTime.parse(stamp) else { continue }
                records.append(Record(keyID: keyID, at: at, model: object["model"] as? String ?? "unknown",
                                      accountID: object["accountId"] as? String ?? "", object: object))
            }
        }
        return records
    }

    /// The page of `records` the query asks for, with the summary and filter choices over all of them.
    private func page(_ matched: [Record], query: UsageRecordsQuery, keyNames: [String: String] = [:]) async throws -> [String: Any] {
        let sorted = matched.sorted { query.ascending ? $0.at < $1.at : $0.at > $1.at }
        var summary = (requests: 0, input: 0, output: 0, cacheCreate: 0, cacheRead: 0, tokens: 0, cost: 0.0, unpriced: 0)
        for record in sorted {
            let o = record.object
            summary.requests += 1
            summary.input += JSON.int(o["inputTokens"]) ?? 0
            summary.output += JSON.int(o["outputTokens"]) ?? 0
            summary.cacheCreate += JSON.int(o["cacheCreateTokens"]) ?? 0
            summary.cacheRead += JSON.int(o["cacheReadTokens"]) ?? 0
            summary.tokens += JSON.int(o["totalTokens"]) ?? 0
            if let cost = JSON.number(o["cost"]) { summary.cost += cost } else { summary.unpriced += 1 }
        }
        let totalPages = sorted.isEmpty ? 0 : (sorted.count + query.pageSize - 1) / query.pageSize
        let current = totalPages == 0 ? 1 : min(query.page, totalPages)
        let slice = sorted.dropFirst((current - 1) * query.pageSize).prefix(query.pageSize)
        let accounts = try await reader.allAccounts()
        let accountNames = Dictionary(accounts.map { ($0.id, $0.name) }, uniquingKeysWith: { a, _ in a })
        let rows: [[String: Any]] = slice.map { record in
            var row = record.object
            row["accountName"] = accountNames[record.accountID] ?? NSNull()
            row["keyId"] = record.keyID
            if let name = keyNames[record.keyID] { row["keyName"] = name }
            // An unpriced model's cost is unknown, not 0.
            if row["cost"] == nil { row["cost"] = NSNull() }
            return row
        }
        let models = Set(sorted.map(\.model)).sorted()
        let accountOptions: [[String: Any]] = Set(sorted.map(\.accountID)).sorted().map { id in
            ["id": id, "name": accountNames[id] ?? id, "accountType": sorted.first { $0.accountID == id }?.object["accountType"] ?? NSNull()]
        }
        return [
            "records": rows,
            "pagination": ["currentPage": current, "pageSize": query.pageSize, "totalRecords": sorted.count, "totalPages": totalPages,
                           "hasNextPage": current < totalPages, "hasPreviousPage": current > 1],
            "filters": query.filtersJSON,
            "summary": ["totalRequests": summary.requests, "inputTokens": summary.input, "outputTokens": summary.output,
                        "cacheCreateTokens": summary.cacheCreate, "cacheReadTokens": summary.cacheRead, "totalTokens": summary.tokens,
                        "totalCost": (summary.cost * 1e6).rounded() / 1e6, "unpricedRequests": summary.unpriced,
                        "avgCost": summary.requests > summary.unpriced ? (summary.cost / Double(summary.requests - summary.unpriced) * 1e6).rounded() / 1e6 : 0],
            "availableFilters": ["models": models, "accounts": accountOptions,
                                 "dateRange": ["earliest": sorted.map(\.at).min().map { ISOTime.string($0) as Any } ?? NSNull(),
                                               "latest": sorted.map(\.at).max().map { ISOTime.string($0) as Any } ?? NSNull()]],
        ]
    }
}
