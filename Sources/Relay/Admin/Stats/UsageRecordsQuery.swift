import Foundation

/// The filters and paging of Node's usage-records views, read and checked from the query: `page`, `pageSize`
/// (1–200, default 50), `startDate` / `endDate` (ISO times, start ≤ end), `model`, `accountId`, `keyId`,
/// `sortOrder` (`desc` newest first, or `asc`).
struct UsageRecordsQuery {
    var page = 1
    var pageSize = 50
    var start: Date?
    var end: Date?
    var model: String?
    var accountID: String?
    var keyID: String?
    var ascending = false

    init(_ query: [String: String]) throws {
        func nonEmpty(_ name: String) -> String? { query[name].flatMap { $0.isEmpty ? nil : $0 } }
        if let text = nonEmpty("page") {
            guard let value = Int(text), value >= 1 else { throw AdminError(400, "Invalid page", "page: a whole number ≥ 1") }
            page = value
        }
        if let text = nonEmpty("pageSize") {
            guard let value = Int(text), (1...200).contains(value) else { throw AdminError(400, "Invalid pageSize", "pageSize: 1 to 200") }
            pageSize = value
        }
        for (name, target) in [("startDate", \UsageRecordsQuery.start), ("endDate", \UsageRecordsQuery.end)] {
            guard let text = nonEmpty(name) else { continue }
            guard let date = ISOTime.parse(text) ?? ISOTime.parse(text + "T00:00:00Z") else {
                throw AdminError(400, "Invalid date range", "\(name): an ISO 8601 time or date")
            }
            self[keyPath: target] = date
        }
        if let start, let end, start > end { throw AdminError(400, "Invalid date range", "Start date must be before or equal to end date") }
        model = nonEmpty("model")
        accountID = nonEmpty("accountId")
        keyID = nonEmpty("keyId")
        if let order = nonEmpty("sortOrder") {
            guard order == "asc" || order == "desc" else { throw AdminError(400, "Invalid sortOrder", "sortOrder: asc or desc") }
            ascending = order == "asc"
        }
    }

    func matches(_ record: UsageRecordsController.Record) -> Bool {
        if let start, record.at < start { return false }
        if let end, record.at > end { return false }
        if let model, record.model != model { return false }
        if let accountID, record.accountID != accountID { return false }
        if let keyID, record.keyID != keyID { return false }
        return true
    }

    var filtersJSON: [String: Any] {
        ["startDate": start.map { ISOTime.string($0) as Any } ?? NSNull(), "endDate": end.map { ISOTime.string($0) as Any } ?? NSNull(),
         "model": model ?? NSNull(), "accountId": accountID ?? NSNull(), "keyId": keyID ?? NSNull(), "sortOrder": ascending ? "asc" : "desc"]
    }
}
