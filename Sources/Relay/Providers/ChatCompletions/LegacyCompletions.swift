import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// OpenAI's legacy Completions API (`/v1/completions`, a `prompt` in, `text_completion` objects out), on Node's paths:
/// the body is rewritten as a one-message Chat Completions request and goes through `ChatCompletionsFamily`, and the
/// chat reply, chunks and errors are rewritten once more (`LegacyCompletionsFraming`). What the legacy API has and
/// chat has not — several prompts, `suffix`, `echo`, `best_of`, `logprobs` — is refused by name.
struct LegacyCompletionsFamily: APIFamily {
    let chat: ChatCompletionsFamily

    var name: String { "openai-completions-\(chat.target.rawValue)" }
    var platform: String { chat.platform }

    static let refused: [String: String] = [
        "suffix": "suffix (insertion) is not available for these models", "echo": "echo is not available for these models",
        "best_of": "best_of is not available for these models", "logprobs": "log probabilities are not supported by these models",
    ]

    /// The legacy body as a Chat Completions body.
    static func chatBody(_ json: [String: Any]) throws -> [String: Any] {
        for (field, why) in refused where json[field] != nil && !(json[field] is NSNull) && !(JSON.bool(json[field]) == false) {
            if field == "best_of", JSON.int(json[field]) == 1 { continue }
            throw RelayError.badRequest("\(field): \(why)")
        }
        let prompt: String
        switch json["prompt"] {
        case let text as String: prompt = text
        case let list as [Any] where list.count == 1: prompt = list[0] as? String ?? ""
        case let list as [Any] where list.count > 1: throw RelayError.badRequest("prompt: one prompt per request (got \(list.count))")
        default: throw RelayError.badRequest("prompt: field required (a string)")
        }
        guard !prompt.isEmpty else { throw RelayError.badRequest("prompt: must not be empty") }
        var body = json.filter { !["prompt", "suffix", "echo", "best_of", "logprobs"].contains($0.key) }
        body["messages"] = [["role": "user", "content": prompt]]
        return body
    }

    func parse(_ request: Request, operation: String, body: ByteBuffer) throws -> ParsedRequest {
        guard let json = JSON.object(Data(buffer: body)) else { throw RelayError.badRequest(RelayError.invalidBodyMessage) }
        var parsed = try chat.parse(request, operation: operation, body: ByteBuffer(data: JSON.data(try Self.chatBody(json))))
        parsed.framing = parsed.framing.map { LegacyCompletionsFraming(chat: $0) }
        return parsed
    }

    func dialect(for kind: AccountKind, operation: String, context: RelayContext) -> any ProviderDialect { chat.dialect(for: kind, operation: operation, context: context) }
    func errorResponse(_ error: RelayError) -> Response { chat.errorResponse(error) }
    func usage(inReply reply: [String: Any], operation: String) -> TokenUsage? { chat.usage(inReply: reply, operation: operation) }
    func makeMeter(operation: String) -> any StreamUsageMeter { chat.makeMeter(operation: operation) }
    func streamErrorEvent(operation: String, type: String, message: String) -> ByteBuffer { chat.streamErrorEvent(operation: operation, type: type, message: message) }
    func screen(_ request: Request, parsed: ParsedRequest, operation: String) async throws -> Screening { try await chat.screen(request, parsed: parsed, operation: operation) }
    func takesUserMessageTurn(on account: AccountRecord, operation: String, json: [String: Any]) -> Bool {
        chat.takesUserMessageTurn(on: account, operation: operation, json: json)
    }
}

/// A chat reply as a `text_completion`: the message's text as the choice's `text`, the same finish reason and usage.
struct LegacyCompletionsFraming: ReplyFraming {
    let chat: any ReplyFraming

    static func completion(_ object: [String: Any], chunk: Bool) -> [String: Any] {
        var out: [String: Any] = ["id": "cmpl-" + String((object["id"] as? String ?? "").dropFirst("chatcmpl-".count)), "object": "text_completion",
                                  "created": object["created"] ?? 0, "model": object["model"] ?? ""]
        out["choices"] = (object["choices"] as? [[String: Any]] ?? []).map { choice -> [String: Any] in
            let source = (chunk ? choice["delta"] : choice["message"]) as? [String: Any]
            return ["text": source?["content"] as? String ?? "", "index": choice["index"] ?? 0, "logprobs": NSNull(),
                    "finish_reason": choice["finish_reason"] ?? NSNull()]
        }
        if let usage = object["usage"] { out["usage"] = usage }
        return out
    }

    func reply(_ native: ByteBuffer) -> ByteBuffer {
        let framed = chat.reply(native)
        guard let object = JSON.object(Data(buffer: framed)) else { return framed }
        return ByteBuffer(data: JSON.data(Self.completion(object, chunk: false)))
    }

    func makeStreamFramer() -> any StreamFramer { LegacyCompletionsStreamFramer(chat: chat.makeStreamFramer()) }

    func failure(status: Int, headers: HTTPHeaders, body: ByteBuffer) -> Response { chat.failure(status: status, headers: headers, body: body) }
}

/// The chat framer's chunks rewritten as `text_completion` chunks (error events and `[DONE]` as they are).
struct LegacyCompletionsStreamFramer: StreamFramer {
    var chat: any StreamFramer

    static func rewrite(_ buffer: ByteBuffer) -> ByteBuffer {
        var out = ""
        for event in String(buffer: buffer).components(separatedBy: "\n\n") where !event.isEmpty {
            guard event.hasPrefix("data: "), let object = JSON.object(Data(event.dropFirst(6).utf8)), object["choices"] != nil else {
                out += event + "\n\n"
                continue
            }
            out += "data: " + JSON.string(LegacyCompletionsFraming.completion(object, chunk: true)) + "\n\n"
        }
        return ByteBuffer(string: out)
    }

    mutating func frame(_ chunk: ByteBuffer) -> ByteBuffer { Self.rewrite(chat.frame(chunk)) }
    mutating func finish() -> ByteBuffer { Self.rewrite(chat.finish()) }
}
