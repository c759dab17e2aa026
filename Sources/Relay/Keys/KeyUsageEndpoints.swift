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

    struct Period {
        var tokens = 0, requests = 0, inputTokens = 0, outputTokens = 0, cacheCreateTokens = 0, cacheReadTokens = 0, allTokens = 0
        var json: [String: Any] {
            ["tokens": tokens, "requests": requests, "inputTokens": inputTokens, "outputTokens": outputTokens,
             "cacheCreateTokens": cacheCreateTokens, "cacheReadTokens": cacheReadTokens, "allTokens": allTokens]
        }
    }

    struct Usage {
        var total = Period(), daily = Period(), monthly = Period()
        var recent: [[String: Any]] = []
    }

    /// `{object: "usage", total_tokens, total_requests, daily_…, monthly_…}` (OpenAI and Gemini routes).
    func usage(_ request: Request) async -> Response {
        await answer(request) { _, usage in
            ["object": "usage", "total_tokens": usage.total.tokens, "total_requests": usage.total.requests,
             "daily_tokens": usage.daily.tokens, "daily_requests": usage.daily.requests,
             "monthly_tokens": usage.monthly.tokens, "monthly_requests": usage.monthly.requests]
        }
    }

    /// The OpenAI routes' key info: limits and the three periods' usage.
    func openAIKeyInfo(_ request: Request) async -> Response {
        await answer(request) { key, usage in
            var info = Self.limits(key, used: usage.total.tokens)
            info["description"] = key.fields["description"] ?? ""
            info["usage"] = ["total": usage.total.json, "daily": usage.daily.json, "monthly": usage.monthly.json]
            return info
        }
    }

    /// The Gemini routes' key info: limits, concurrency and model restrictions.
    func geminiKeyInfo(_ request: Request) async -> Response {
        await answer(request) { key, usage in
            var info = Self.limits(key, used: usage.total.tokens)
            info["concurrency_limit"] = Int(key.fields["concurrencyLimit"] ?? "") ?? 0
            info["model_restrictions"] = ["enabled": key.fields["enableModelRestriction"] == "true", "models": key.restrictedModels]
            return info
        }
    }

    /// The Azure route: `{object: "usage", data: {total, daily, monthly, recentRecords}}` (the 20 latest requests).
    func azureUsage(_ request: Request) async -> Response {
        await answer(request, records: 20) { _, usage in
            ["object": "usage", "data": ["total": usage.total.json, "daily": usage.daily.json, "monthly": usage.monthly.json,
                                         "recentRecords": usage.recent]]
        }
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
            let buckets = TimeBuckets(clock.now, offsetHours: offsetHours)
            var commands = [RedisKeys.usageTotal(key.id), RedisKeys.usageDaily(key.id, buckets.date), RedisKeys.usageMonthly(key.id, buckets.month)]
                .map { RedisCommand("HGETALL", RedisArgument($0)) }
            if records > 0 { commands.append(RedisCommand("LRANGE", RedisArgument(RedisKeys.usageRecords(key.id)), "0", RedisArgument(String(records - 1)))) }
            let replies = try await redis.pipeline(commands)
            func period(_ fields: [String: String], total: Bool) -> Period {
                func number(_ name: String) -> Int { Int(fields[total ? "total" + name.prefix(1).uppercased() + name.dropFirst() : name] ?? "") ?? 0 }
                return Period(tokens: number("tokens"), requests: number("requests"), inputTokens: number("inputTokens"), outputTokens: number("outputTokens"),
                              cacheCreateTokens: number("cacheCreateTokens"), cacheReadTokens: number("cacheReadTokens"), allTokens: number("allTokens"))
            }
            var usage = Usage(total: period(replies[0].stringDictionary, total: true), daily: period(replies[1].stringDictionary, total: false),
                              monthly: period(replies[2].stringDictionary, total: false))
            if records > 0, case .array(let lines) = replies[3] {
                usage.recent = lines.compactMap { $0.string.flatMap { JSON.object(Data($0.utf8)) } }
            }
            return AdminReply.json(200, shape(key, usage))
        } catch let error as RelayError {
            return errorResponse(error)
        } catch {
            return errorResponse(.storeUnavailable)
        }
    }
}
