import Foundation
import Hummingbird
import HummingbirdCore

/// Server-side filtering, sorting and paging of the key list (`GET /admin/api-keys?search=&tag=&status=&sortBy=
/// &sortOrder=&page=&pageSize=`), so the admin UI stays fast with thousands of keys. Without `page` the whole
/// (filtered) list is returned as the Node SPA expects.
struct APIKeyListQuery {
    var search = ""
    var tag = ""
    var status = ""
    var sortBy = "createdAt"
    var descending = true
    var page: Int?
    var pageSize = 50

    static let sortable = ["createdAt", "name", "lastUsedAt", "expiresAt", "cost"]
    static let statuses = ["", "active", "inactive", "expired"]

    init(_ parameters: FlatDictionary<Substring, Substring>) throws {
        search = (parameters.get("search") ?? "").trimmingCharacters(in: .whitespaces).lowercased()
        tag = parameters.get("tag") ?? ""
        status = parameters.get("status") ?? ""
        guard Self.statuses.contains(status) else { throw AdminError(400, "Invalid status", "status: active, inactive or expired") }
        sortBy = parameters.get("sortBy") ?? "createdAt"
        guard Self.sortable.contains(sortBy) else {
            throw AdminError(400, "Invalid sortBy", "sortBy: one of \(Self.sortable.joined(separator: ", "))")
        }
        descending = (parameters.get("sortOrder") ?? "desc") != "asc"
        if let text = parameters.get("page") {
            guard let number = Int(text), number >= 1 else { throw AdminError(400, "Invalid page", "page: a number from 1") }
            page = number
        }
        if let text = parameters.get("pageSize") {
            guard let number = Int(text), (1...500).contains(number) else { throw AdminError(400, "Invalid pageSize", "pageSize: 1 to 500") }
            pageSize = number
        }
    }

    func matches(_ key: APIKeyRecord, now: Date) -> Bool {
        if !search.isEmpty {
            let haystack = [key.name, key.id, key.fields["description"] ?? ""] + key.tags
            guard haystack.contains(where: { $0.lowercased().contains(search) }) else { return false }
        }
        if !tag.isEmpty, !key.tags.contains(tag) { return false }
        let expired = key.fields["expiresAt"].flatMap(ISOTime.parse).map { $0 <= now } ?? false
        switch status {
        case "active": return key.isActive && !expired
        case "inactive": return !key.isActive
        case "expired": return expired
        default: return true
        }
    }

    /// Sorted by a stored field (cost sorting is done by the caller, which has the totals).
    func sorted(_ keys: [APIKeyRecord]) -> [APIKeyRecord] {
        guard sortBy != "cost" else { return keys }
        let field = sortBy
        return keys.sorted { a, b in
            let x = (a.fields[field] ?? "").lowercased(), y = (b.fields[field] ?? "").lowercased()
            if x == y { return a.id < b.id }
            return descending ? x > y : x < y
        }
    }

    /// The requested page of an already sorted list, and the pagination block the reply carries.
    func page<T>(_ items: [T]) -> (items: [T], pagination: [String: Any]?) {
        guard let page else { return (items, nil) }
        let start = min(items.count, (page - 1) * pageSize)
        let slice = Array(items[start..<min(items.count, start + pageSize)])
        let pages = max(1, (items.count + pageSize - 1) / pageSize)
        return (slice, ["page": page, "pageSize": pageSize, "total": items.count, "totalPages": pages])
    }
}
