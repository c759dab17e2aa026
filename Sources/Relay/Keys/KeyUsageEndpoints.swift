import Foundation
import Hummingbird

/// Node's per-family endpoints where a key reads its own usage — `GET /openai/usage` and `/openai/key-info`,
/// `/gemini/usage` and `/gemini/key-info`, `/azure/usage` — in Node's shapes and the family's error shape: the key's
/// total, today's and this month's usage (the relay's local day and month) and its limits. The key goes through
/// admission like a request for the family's permission, exempt from quotas.
struct KeyUsageEndpoints: Sendable {
    let admission: AdmissionGate
    let redis: RedisClient
    let clock: RelayClock
    let offsetHours: Int
    /// The key permission the family needs (`openai`, `gemini`).
    let permission: String
    let errorResponse: @Sendable (RelayError) -> Response

    struct Usage {
        var total = UsageTotals(), daily = UsageTotals(), monthly = UsageTotals()
        var recent: [[String: Any]] = []
    }

    /// `{object: "usage", total_tokens, total_requests, daily_…, monthly_…}` (OpenAI and Gemini routes).
    func usage(_ request: Request) async -> Response {
        await answer(request) { _, usage in
            ["object": "usage", "total_tokens": usage.total.allTokens, "total_requests": usage.total.requests,
             "daily_tokens": usage.daily.allTokens, "daily_requests": usage.daily.requests,
             "monthly_tokens": usage.monthly.allTokens, "monthly_requests": usage.monthly.requests]
        }
    }

    /// The OpenAI routes' key info: limits and the three periods' usage.
    func openAIKeyInfo(_ request: Request) async -> Response {
        await answer(request) { key, usage in
            var info = Self.limits(key, used: usage.total.allTokens)
            info["description"] = key.fields["description"] ?? ""
            info["usage"] = Self.periods(usage)
            return info
        }
    }

    /// The Gemini routes' key info: limits, concurrency and model restrictions.
    func geminiKeyInfo(_ request: Request) async -> Response {
        await answer(request) { key, usage in
            var info = Self.limits(key, used: usage.total.allTokens)
            info["concurrency_limit"] = Int(key.fields["concurrencyLimit"] ?? "") ?? 0
            info["model_restrictions"] = ["enabled": key.fields["enableModelRestriction"] == "true", "models": key.restrictedModels]
            return info
        }
    }

    /// The Azure route: `{object: "usage", data: {total, daily, monthly, recentRecords}}` (the 20 latest requests).
    func azureUsage(_ request: Request) async -> Response {
        await answer(request, records: 20) { _, usage in
            ["object": "usage", "data": Self.periods(usage).merging(["recentRecords": usage.recent]) { $1 }]
        }
    }

    /// The three periods as the key list and the public stats page show them (`KeyUsageReport.usage`).
    static func periods(_ usage: Usage) -> [String: Any] {
        ["total": KeyUsageReport.usage(usage.total), "daily": KeyUsageReport.usage(usage.daily), "monthly": KeyUsageReport.usage(usage.monthly)]
    }

    static func limits(_ key: APIKeyRecord, used: Int) -> [String: Any] {
        let limit = Int(key.fields["tokenLimit"] ?? "") ?? 0
        return ["id": key.id, "name": key.name, "permissions": key.fields["permissions"] ?? "all", "token_limit": limit, "tokens_used": used,
                "tokens_remaining": limit > 0 ? max(0, limit - used) : NSNull(),
                "rate_limit": ["window": Int(key.fields["rateLimitWindow"] ?? "") ?? 0, "requests": Int(key.fields["rateLimitRequests"] ?? "") ?? 0]]
    }

    private func answer(_ request: Request, records: Int = 0, _ shape: (APIKeyRecord, Usage) -> [String: Any]) async -> Response {
        do {
            let rawKey = try admission.rawKey(headers: request.headers, query: request.uri.query)
            let key = try await admission.admit(AdmissionGate.Request(
                rawKey: rawKey, headers: request.headers, model: "", platform: permission,
                matchedClients: ClientRestriction.matchingClients(path: request.uri.path, headers: request.headers, body: nil),
                exemptFromQuotas: true)).key
            // The same one-round-trip read the key list uses.
            guard let entry = try await KeyUsageReport(redis: redis, clock: clock, offsetHours: offsetHours).entries([key]).first else {
                return errorResponse(.storeUnavailable)
            }
            var usage = Usage(total: entry.total, daily: entry.daily, monthly: entry.monthly)
            if records > 0 {
                let reply = try await redis.send("LRANGE", RedisArgument(RedisKeys.usageRecords(key.id)), "0", RedisArgument(String(records - 1)))
                if case .array(let lines) = reply { usage.recent = lines.compactMap { $0.string.flatMap { JSON.object(Data($0.utf8)) } } }
            }
            return AdminReply.json(200, shape(key, usage))
        } catch let error as RelayError {
            return errorResponse(error)
        } catch {
            return errorResponse(.storeUnavailable)
        }
    }
}
