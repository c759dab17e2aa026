import Foundation
import Hummingbird

/// `GET /gemini/v1beta/models` (and `/v1/models`, `/…/models/{model}`) in Google's list format, and Node's legacy
/// `GET /gemini/models` in OpenAI's, for SDKs and tools that
/// list models before they call one. The key goes through admission like a request (exempt from quotas), and
/// models the key may not use are left out.
struct GeminiModelsController {
    let admission: AdmissionGate

    static let models: [(id: String, name: String, input: Int, output: Int)] = [
        ("gemini-2.5-pro", "Gemini 2.5 Pro", 1_048_576, 65_536),
        ("gemini-2.5-flash", "Gemini 2.5 Flash", 1_048_576, 65_536),
        ("gemini-2.5-flash-lite", "Gemini 2.5 Flash-Lite", 1_048_576, 65_536),
        ("gemini-2.0-flash", "Gemini 2.0 Flash", 1_048_576, 8_192),
        ("gemini-2.0-flash-lite", "Gemini 2.0 Flash-Lite", 1_048_576, 8_192),
    ]

    func register(on router: Router<RelayRequestContext>) {
        // Node's legacy route: the same models in OpenAI's list format.
        router.get("/gemini/models") { request, _ in await list(request, only: nil, openAIShape: true) }
        for version in ["v1beta", "v1"] {
            router.get(RouterPath("/gemini/\(version)/models")) { request, _ in await list(request, only: nil) }
            router.get(RouterPath("/gemini/\(version)/models/:modelAction")) { request, context in
                await list(request, only: GeminiFamily.stripModelsPrefix(context.parameters.get("modelAction") ?? ""))
            }
        }
    }

    private func list(_ request: Request, only: String?, openAIShape: Bool = false) async -> Response {
        do {
            let rawKey = try admission.rawKey(headers: request.headers, query: request.uri.query)
            let key = try await admission.admit(AdmissionGate.Request(
                rawKey: rawKey, headers: request.headers, model: "", platform: "gemini",
                matchedClients: ClientRestriction.matchingClients(path: request.uri.path, headers: request.headers, body: nil),
                exemptFromQuotas: true)).key
            let blocked = Set(key.restrictedModels)
            let entries: [[String: Any]] = Self.models.filter { !blocked.contains($0.id) }.map {
                ["name": "models/\($0.id)", "baseModelId": $0.id, "version": "001", "displayName": $0.name,
                 "inputTokenLimit": $0.input, "outputTokenLimit": $0.output,
                 "supportedGenerationMethods": ["generateContent", "streamGenerateContent", "countTokens"]]
            }
            if openAIShape {
                let data: [[String: Any]] = Self.models.filter { !blocked.contains($0.id) }.map {
                    ["id": $0.id, "object": "model", "created": 1_735_689_600, "owned_by": "google"]
                }
                return AdminReply.json(200, ["object": "list", "data": data])
            }
            guard let only else { return AdminReply.json(200, ["models": entries]) }
            guard let entry = entries.first(where: { $0["baseModelId"] as? String == only }) else {
                return GeminiErrors.response(RelayError(404, "not_found_error", "models/\(only) is not found"))
            }
            return AdminReply.json(200, entry)
        } catch let error as RelayError {
            return GeminiErrors.response(error)
        } catch {
            return GeminiErrors.response(RelayError(500, "api_error", "The relay failed to handle this request"))
        }
    }
}
