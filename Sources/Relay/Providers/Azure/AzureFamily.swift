import Foundation
import Hummingbird
import NIOCore

/// Azure OpenAI (`/azure/chat/completions`, `/azure/responses`, and the paths the official SDK's `AzureOpenAI`
/// client builds: `/azure/openai/deployments/{deployment}/chat/completions`, `/azure/openai/responses`), served
/// by Azure OpenAI accounts. Errors in OpenAI's shape.
struct AzureFamily: APIFamily {
    static let chatCompletions = "chat/completions"
    static let responses = "responses"
    /// Embeddings of a deployment (`input`: a string or a list); usage is `prompt_tokens` only, never a stream.
    static let embeddings = "embeddings"

    var name: String { "azure-openai" }
    var platform: String { "openai" }

    func parse(_ request: Request, operation: String, body: ByteBuffer) throws -> ParsedRequest {
        guard let json = JSON.object(Data(buffer: body)) else { throw RelayError.badRequest(RelayError.invalidBodyMessage) }
        // The SDK's Azure client names the deployment in the path; the body's model (if any) wins.
        let pathDeployment = Self.deployment(inPath: request.uri.path)
        guard let model = (json["model"] as? String).flatMap({ $0.isEmpty ? nil : $0 }) ?? pathDeployment else {
            throw RelayError.badRequest("model: field required")
        }
        if operation == Self.chatCompletions {
            guard let messages = json["messages"] as? [Any], !messages.isEmpty else { throw RelayError.badRequest("messages: field required (a non-empty array)") }
        } else if operation == Self.embeddings {
            guard json["input"] is String || (json["input"] as? [Any]).map({ !$0.isEmpty }) == true else {
                throw RelayError.badRequest("input: field required (a string or a non-empty array)")
            }
            if JSON.bool(json["stream"]) == true { throw RelayError.badRequest("stream: embeddings cannot stream") }
        } else if json["input"] == nil {
            throw RelayError.badRequest("input: field required")
        }
        return ParsedRequest(json: json, model: model.hasPrefix("azure/") ? String(model.dropFirst(6)) : model,
                             stream: JSON.bool(json["stream"]) ?? false, exemptFromQuotas: false,
                             sessionHash: OpenAIResponsesFamily.sessionHash(request, json))
    }

    static func deployment(inPath path: String) -> String? {
        let parts = path.split(separator: "/")
        guard let index = parts.firstIndex(of: "deployments"), index + 1 < parts.count else { return nil }
        return String(parts[index + 1]).removingPercentEncoding
    }

    func dialect(for kind: AccountKind, operation: String, context: RelayContext) -> any ProviderDialect { AzureDialect() }

    func errorResponse(_ error: RelayError) -> Response { OpenAIErrors.response(error) }

    func usage(inReply reply: [String: Any], operation: String) -> TokenUsage? {
        guard let usage = reply["usage"] as? [String: Any] else { return nil }
        return OpenAIUsage.tokens(usage, model: reply["model"] as? String)
    }

    func makeMeter(operation: String) -> any StreamUsageMeter {
        operation == Self.responses ? OpenAIResponsesStreamMeter() : ChatCompletionsStreamMeter()
    }

    func streamErrorEvent(operation: String, type: String, message: String) -> ByteBuffer {
        if operation == Self.responses { return OpenAIResponsesFamily().streamErrorEvent(operation: operation, type: type, message: message) }
        return ByteBuffer(string: "data: \(JSON.string(["error": ["message": message, "type": type, "param": NSNull(), "code": type]]))\n\n")
    }
}
