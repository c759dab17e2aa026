import Foundation
import Hummingbird
import NIOCore

/// The model-routed Chat Completions routes: the key is checked before the body is read (as on every route),
/// then the body's `model` picks the target — `gemini-*` to the Gemini pool, OpenAI's own models (`gpt-*`, `o3`, …)
/// to the OpenAI (Codex / Responses) pool, anything else (`claude-*`, `ccr,…`, Bedrock ids) to the Claude pool, as
/// in the original. The chosen handler takes the body already read.
struct ChatCompletionsRouter<Family: APIFamily>: Sendable {
    let claude: RelayHandler<Family>
    let gemini: RelayHandler<Family>
    let openAI: RelayHandler<Family>
    let admission: AdmissionGate
    let maxBodyBytes: Int

    static func target(model: String) -> ChatCompletionsFamily.Target {
        let lowered = model.lowercased()
        if lowered.hasPrefix("gemini") || lowered.hasPrefix("models/gemini") { return .gemini }
        if ["gpt-", "chatgpt", "o1", "o3", "o4", "codex"].contains(where: lowered.hasPrefix) { return .openAI }
        return .claude
    }

    func handle(_ request: Request, channel: (any Channel)?) async -> Response {
        do {
            let rawKey = try admission.rawKey(headers: request.headers, query: request.uri.query)
            try await admission.requireIssued(rawKey)
            let body = try await RelayHandler<Family>.collectBody(request, limit: maxBodyBytes)
            let model = JSON.object(Data(buffer: body))?["model"] as? String ?? ""
            let handler: RelayHandler<Family>
            switch Self.target(model: model) {
            case .gemini: handler = gemini
            case .claude: handler = claude
            case .openAI: handler = openAI
            }
            return await handler.handle(request, operation: ChatCompletionsFamily.operation, channel: channel, body: body)
        } catch let error as RelayError {
            return OpenAIErrors.response(error)
        } catch {
            return OpenAIErrors.response(.storeUnavailable)
        }
    }
}
