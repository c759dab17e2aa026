import Foundation
import Hummingbird
import NIOCore

/// The model-routed Chat Completions routes: the key is checked before the body is read (as on every route),
/// then the body's `model` picks the target — `gemini-*` to the Gemini pool, OpenAI's own models refused (this
/// relay serves them on `/openai/v1/responses` and the Azure routes), anything else (`claude-*`, `ccr,…`, Bedrock
/// ids) to the Claude pool, as in the original. The chosen handler takes the body already read.
struct ChatCompletionsRouter: Sendable {
    let claude: RelayHandler<ChatCompletionsFamily>
    let gemini: RelayHandler<ChatCompletionsFamily>
    let admission: AdmissionGate
    let maxBodyBytes: Int

    enum Route: Equatable {
        case target(ChatCompletionsFamily.Target)
        case openAI
    }

    static func route(model: String) -> Route {
        let lowered = model.lowercased()
        if lowered.hasPrefix("gemini") || lowered.hasPrefix("models/gemini") { return .target(.gemini) }
        if ["gpt-", "chatgpt", "o1", "o3", "o4", "codex", "text-embedding", "dall-e", "whisper", "tts-"].contains(where: lowered.hasPrefix) { return .openAI }
        return .target(.claude)
    }

    func handle(_ request: Request, channel: (any Channel)?) async -> Response {
        do {
            let rawKey = try admission.rawKey(headers: request.headers, query: request.uri.query)
            try await admission.requireIssued(rawKey)
            let body = try await RelayHandler<ChatCompletionsFamily>.collectBody(request, limit: maxBodyBytes)
            let model = JSON.object(Data(buffer: body))?["model"] as? String ?? ""
            switch Self.route(model: model) {
            case .target(.gemini):
                return await gemini.handle(request, operation: ChatCompletionsFamily.operation, channel: channel, body: body)
            case .target(.claude):
                return await claude.handle(request, operation: ChatCompletionsFamily.operation, channel: channel, body: body)
            case .openAI:
                return OpenAIErrors.response(RelayError(400, "invalid_request_error",
                    "model \(model): OpenAI models are served on /openai/v1/responses (OpenAI accounts) and /azure/chat/completions (Azure accounts); this route serves Claude and Gemini models"))
            }
        } catch let error as RelayError {
            return OpenAIErrors.response(error)
        } catch {
            return OpenAIErrors.response(.storeUnavailable)
        }
    }
}
