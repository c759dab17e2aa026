import Foundation
import Hummingbird

/// `GET /openai/usage` and `GET /openai/key-info` in Node's shapes (OpenAI's error shape on refusals): what a key has
/// used in total, today and this month (the relay's local day and month), and its limits. The key goes through
/// admission like a request for the `openai` permission, exempt from quotas.
struct OpenAIKeyInfoController {
    let admission: AdmissionGate
    let redis: RedisClient
    let clock: RelayClock
    let offsetHours: Int

    func register(on router: Router<RelayRequestContext>) {
        router.get("/openai/usage") { request, _ in await answer(request) { key, usage in
            ["object": "usage", "total_tokens": usage.total.tokens, "total_requests": usage.total.requests,
             "daily_tokens": usage.daily.tokens, "daily_requests": usage.daily.requests,
             "monthly_tokens": usage.monthly.tokens, "monthly_requests": usage.monthly.requests]
        } }
        router.get("/openai/key-info") { request, _ in await answer(request) { key, usage in
            let limit = Int(key.fields["tokenLimit"] ?? "") ?? 0
            return ["id": key.id, "name": key.name, "description": key.fields["description"] ?? "", "permissions": key.fields["permissions"] ?? "all",
                    "token_limit": limit, "tokens_used": usage.total.tokens,
                    "tokens_remaining": limit > 0 ? max(0, limit - usage.total.tokens) : NSNull(),
                    "rate_limit": ["window": Int(key.fields["rateLimitWindow"] ?? "") ?? 0, "requests": Int(key.fields["rateLimitRequests"] ?? "") ?? 0],
                    "usage": ["total": usage.total.json, "daily": usage.daily.json, "monthly": usage.monthly.json]]
        } }
    }

    struct Period {
        var tokens = 0, requests = 0, inputTokens = 0, outputTokens = 0
        var json: [String: Any] { ["tokens": tokens, "requests": requests, "inputTokens": inputTokens, "outputTokens": outputTokens] }
    }

    private func answer(_ request: Request, _ shape: @Sendable (APIKeyRecord, (total: Period, daily: Period, monthly: Period)) -> [String: Any]) async -> Response {
        do {
            let rawKey = try admission.rawKey(headers: request.headers, query: request.uri.query)
            let key = try await admission.admit(AdmissionGate.Request(
                rawKey: rawKey, headers: request.headers, model: "", platform: AccountPool.openAI.permission,
                matchedClients: ClientRestriction.matchingClients(path: request.uri.path, headers: request.headers, body: nil),
                exemptFromQuotas: true)).key
            let buckets = TimeBuckets(clock.now, offsetHours: offsetHours)
            let replies = try await redis.pipeline([RedisKeys.usageTotal(key.id), RedisKeys.usageDaily(key.id, buckets.date),
                                                    RedisKeys.usageMonthly(key.id, buckets.month)].map { RedisCommand("HGETALL", RedisArgument($0)) })
            func period(_ fields: [String: String], prefix: String) -> Period {
                func number(_ name: String) -> Int { Int(fields[prefix.isEmpty ? name : prefix + name.prefix(1).uppercased() + name.dropFirst()] ?? "") ?? 0 }
                return Period(tokens: number("tokens"), requests: number("requests"), inputTokens: number("inputTokens"), outputTokens: number("outputTokens"))
            }
            let usage = (total: period(replies[0].stringDictionary, prefix: "total"), daily: period(replies[1].stringDictionary, prefix: ""),
                         monthly: period(replies[2].stringDictionary, prefix: ""))
            return AdminReply.json(200, shape(key, usage))
        } catch let error as RelayError {
            return OpenAIErrors.response(error)
        } catch {
            return OpenAIErrors.response(.storeUnavailable)
        }
    }
}
