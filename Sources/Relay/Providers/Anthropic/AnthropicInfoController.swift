import Foundation
import Hummingbird

/// Read-only client routes of the Claude family: the model list and the key's own info. The key goes through the
/// same admission as a message (state, expiry and activation, permission, client whitelist), exempt from quotas.
struct AnthropicInfoController {
    let admission: AdmissionGate
    let redis: RedisClient

    private func key(_ request: Request) async throws -> APIKeyRecord {
        let rawKey = try admission.rawKey(headers: request.headers, query: request.uri.query)
        return try await admission.admit(AdmissionGate.Request(
            rawKey: rawKey, headers: request.headers, model: "", platform: "claude",
            matchedClients: ClientRestriction.matchingClients(path: request.uri.path, headers: request.headers, body: nil),
            exemptFromQuotas: true)).key
    }

    /// Current Claude models (Anthropic's model list format, `GET /v1/models`).
    static let models: [(id: String, name: String, created: String)] = [
        ("claude-opus-4-5-20251101", "Claude Opus 4.5", "2025-11-01T00:00:00Z"),
        ("claude-haiku-4-5-20251001", "Claude Haiku 4.5", "2025-10-01T00:00:00Z"),
        ("claude-sonnet-4-5-20250929", "Claude Sonnet 4.5", "2025-09-29T00:00:00Z"),
        ("claude-opus-4-1-20250805", "Claude Opus 4.1", "2025-08-05T00:00:00Z"),
        ("claude-opus-4-20250514", "Claude Opus 4", "2025-05-14T00:00:00Z"),
        ("claude-sonnet-4-20250514", "Claude Sonnet 4", "2025-05-14T00:00:00Z"),
        ("claude-3-7-sonnet-20250219", "Claude Sonnet 3.7", "2025-02-19T00:00:00Z"),
        ("claude-3-5-haiku-20241022", "Claude Haiku 3.5", "2024-10-22T00:00:00Z"),
        ("claude-3-haiku-20240307", "Claude Haiku 3", "2024-03-07T00:00:00Z"),
    ]

    func models(_ request: Request) async -> Response {
        do {
            let key = try await key(request)
            let blocked = Set(key.restrictedModels)
            let data: [[String: Any]] = Self.models.filter { !blocked.contains($0.id) }.map {
                ["type": "model", "id": $0.id, "display_name": $0.name, "created_at": $0.created]
            }
            return AdminReply.json(200, ["data": data, "has_more": false, "first_id": data.first?["id"] ?? NSNull(),
                                         "last_id": data.last?["id"] ?? NSNull(), "object": "list"])
        } catch let error as RelayError {
            return error.anthropicResponse
        } catch {
            return RelayError(500, "api_error", "The relay failed to handle this request").anthropicResponse
        }
    }

    func keyInfo(_ request: Request) async -> Response {
        do {
            let key = try await key(request)
            let totals = try await redis.send("HGETALL", RedisArgument(RedisKeys.usageTotal(key.id))).stringDictionary
            func number(_ field: String) -> Int { Int(totals[field] ?? "") ?? 0 }
            let info: [String: Any] = [
                "id": key.id, "name": key.name, "tokenLimit": Int(key.fields["tokenLimit"] ?? "") ?? 0,
                "usage": ["requests": number("totalRequests"), "inputTokens": number("totalInputTokens"),
                          "outputTokens": number("totalOutputTokens"), "cacheCreateTokens": number("totalCacheCreateTokens"),
                          "cacheReadTokens": number("totalCacheReadTokens"), "allTokens": number("totalAllTokens")],
            ]
            return AdminReply.json(200, ["keyInfo": info, "timestamp": ISOTime.string(Date())])
        } catch let error as RelayError {
            return error.anthropicResponse
        } catch {
            return RelayError.storeUnavailable.anthropicResponse
        }
    }
}
