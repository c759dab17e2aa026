import Foundation
import Hummingbird

/// `GET …/v1/models` on the Chat Completions routes, in OpenAI's list format: the Claude, Gemini and OpenAI models the
/// key may use (its permission for each pool, its model blacklist). The key goes through admission like a
/// request, exempt from quotas; a key that may use none of the route's pools gets the permission refusal.
struct ChatModelsController {
    let admission: AdmissionGate

    static let created = 1_735_689_600

    /// The GPT-5 family ChatGPT (Codex) plans serve; API-key accounts serve these and OpenAI's other models.
    static let openAIModels = ["gpt-5.1", "gpt-5.1-codex", "gpt-5.1-codex-mini", "gpt-5", "gpt-5-codex", "gpt-5-mini"]

    /// The relay's fixed model list per pool.
    static func models(_ target: ChatCompletionsFamily.Target) -> (ids: [String], owner: String) {
        switch target {
        case .claude: return (AnthropicInfoController.models.map(\.id), "anthropic")
        case .gemini: return (GeminiModelsController.models.map(\.id), "google")
        case .openAI: return (openAIModels, "openai")
        }
    }

    func list(_ request: Request, targets: [ChatCompletionsFamily.Target], only: String? = nil) async -> Response {
        do {
            let rawKey = try admission.rawKey(headers: request.headers, query: request.uri.query)
            var data: [[String: Any]] = []
            var refusal: RelayError?
            for target in targets {
                let key: APIKeyRecord
                do {
                    key = try await admission.admit(AdmissionGate.Request(
                        rawKey: rawKey, headers: request.headers, model: "", platform: target.rawValue,
                        matchedClients: ClientRestriction.matchingClients(path: request.uri.path, headers: request.headers, body: nil),
                        exemptFromQuotas: true)).key
                } catch let error as RelayError where error.status == 403 && targets.count > 1 {
                    refusal = error
                    continue
                }
                let blocked = Set(key.restrictedModels)
                let (ids, owner) = Self.models(target)
                data += ids.filter { !blocked.contains($0) }.map { ["id": $0, "object": "model", "created": Self.created, "owned_by": owner] }
            }
            if data.isEmpty, let refusal { throw refusal }
            guard let only else { return AdminReply.json(200, ["object": "list", "data": data]) }
            guard let model = data.first(where: { $0["id"] as? String == only }) else {
                return OpenAIErrors.response(RelayError(404, "invalid_request_error", "The model '\(only)' does not exist or this key may not use it"))
            }
            return AdminReply.json(200, model)
        } catch let error as RelayError {
            return OpenAIErrors.response(error)
        } catch {
            return OpenAIErrors.response(.storeUnavailable)
        }
    }
}
