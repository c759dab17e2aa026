import Foundation
import Hummingbird

/// `/admin/pricing`: where the prices in use come from, the models traffic used that have no price (their tokens
/// are recorded, their cost is unknown — never $0), a price lookup, and a refresh from `CRS_PRICING_URL`.
struct PricingController {
    let book: PriceBook
    let refresher: PricingRefresher?
    let redis: RedisClient

    func register(on admin: RouterGroup<RelayRequestContext>) {
        admin.get("pricing") { _, _ -> Response in
            let status = book.status
            let unpriced = try await redis.send("SMEMBERS", RedisArgument(RedisKeys.unpricedModels)).array?.compactMap(\.string).sorted() ?? []
            return AdminReply.data([
                "source": status.source, "loadedAt": ISOTime.string(status.loadedAt), "models": status.models,
                "lastError": status.lastError ?? NSNull(), "refreshURLConfigured": refresher != nil, "unpricedModels": unpriced,
            ])
        }
        // The prices in force, per model (USD per million tokens): `search` filters by name, `page`/`pageSize` page.
        admin.get("pricing/models") { request, _ -> Response in
            let search = (request.uri.queryParameters.get("search") ?? "").lowercased()
            let pageSize = Int(request.uri.queryParameters.get("pageSize") ?? "50") ?? 0
            let page = Int(request.uri.queryParameters.get("page") ?? "1") ?? 0
            guard (1...500).contains(pageSize), page >= 1 else { throw AdminError(400, "Invalid paging", "page ≥ 1, pageSize 1 to 500") }
            let prices = book.table.prices
            let names = prices.keys.filter { search.isEmpty || $0.lowercased().contains(search) }.sorted()
            let rows: [[String: Any]] = names.dropFirst((page - 1) * pageSize).prefix(pageSize).compactMap { name in
                prices[name].map { ["model": name, "usdPerMillionTokens": Self.perMillion($0)] }
            }
            return AdminReply.data(["models": rows, "total": names.count, "page": page, "pageSize": pageSize, "source": book.status.source])
        }
        admin.get("pricing/lookup") { request, _ -> Response in
            guard let model = request.uri.queryParameters.get("model"), !model.isEmpty else {
                throw AdminError(400, "Invalid request", "model: query parameter required")
            }
            guard let price = book.table.price(for: model) else {
                throw AdminError(404, "Not Found", "No price for model \(model)")
            }
            return AdminReply.data(["model": model, "normalized": PriceTable.normalize(model), "usdPerMillionTokens": Self.perMillion(price)])
        }
        admin.post("pricing/refresh") { _, _ -> Response in
            guard let refresher else { throw AdminError(400, "Not configured", "CRS_PRICING_URL is not set: there is nothing to refresh from") }
            do {
                let models = try await refresher.refresh()
                return AdminReply.data(["models": models, "source": book.status.source])
            } catch {
                throw AdminError(502, "Refresh failed", "The price file could not be used: \(error)")
            }
        }
    }

    static func perMillion(_ price: ModelPrice) -> [String: Any] {
        var perMillion: [String: Any] = [
            "input": price.input * 1e6, "output": price.output * 1e6, "cacheWrite5m": price.cacheWrite5m * 1e6,
            "cacheWrite1h": price.cacheWrite1h * 1e6, "cacheRead": price.cacheRead * 1e6,
        ]
        if let tier = price.longContext {
            perMillion["longContext"] = ["aboveTokens": tier.threshold, "input": tier.input * 1e6, "output": tier.output * 1e6]
        }
        return perMillion
    }
}
