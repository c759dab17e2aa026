import AWSProtocols
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A fake Bedrock Runtime for Anthropic models (docs/reference/upstream-wire.md), under `/bedrock` on the fake server:
/// `POST /bedrock/model/{id}/invoke` and `…/invoke-with-response-stream`. It verifies SigV4 (keys from
/// `credentials.awsKeys`) or a bearer API key (`credentials.apiKeys`), refuses what Bedrock refuses (`model` or
/// `stream` in the body, a wrong `anthropic_version`, extra `cache_control` keys), answers Anthropic JSON, and
/// streams real event-stream frames (`{"bytes": base64(event), "p": padding}`, valid CRCs, invocation metrics
/// on `message_stop`). Behaviours (`pathPrefix: /bedrock`) script HTTP errors with `x-amzn-ErrorType`,
/// exception frames (`streamErrorAfterEvents`, `errorType` = the exception name), cuts and corrupted frames
/// (`malformedAfterEvents`: a frame with a wrong CRC).
public struct FakeBedrock: FakeUpstream {
    /// AWS access key id → secret, for the SigV4 check.
    public static let awsKeys = "awsKeys"
    public static var credentialNames: Set<String> { [awsKeys] }

    public let state: FakeState

    public init(state: FakeState) {
        self.state = state
    }

    public func register(on router: Router<FakeRequestContext>) {
        router.post("bedrock/model/:model/invoke") { request, context in try await self.handle(request, context: context, stream: false) }
        router.post("bedrock/model/:model/invoke-with-response-stream") { request, context in try await self.handle(request, context: context, stream: true) }
    }

    func handle(_ request: Request, context: FakeRequestContext, stream: Bool) async throws -> Response {
        let body = try await request.body.collect(upTo: 64 << 20)
        let bytes = Array(body.readableBytesView)
        let sequence = state.record(request, body: String(buffer: body))
        func finish(_ response: Response) -> Response { state.finished(sequence, response) }
        let credentials = state.credentials
        do {
            try FakeBedrockAuth(keys: credentials.map(Self.awsKeys), bearerTokens: credentials.apiKeys).check(request, body: bytes)
        } catch let refusal as FakeBedrockAuth.Refusal {
            return finish(Self.error(refusal.status, refusal.name, refusal.message, service: "com.amazon.coral.service"))
        }
        let modelID = (context.parameters.get("model") ?? "").removingPercentEncoding ?? ""
        let behavior = state.nextBehavior(for: request.uri.path)
        if let delay = behavior.delayMs, delay > 0 { try await Task.sleep(nanoseconds: UInt64(delay) * 1_000_000) }
        if let status = behavior.status, !(200..<300).contains(status) {
            let name = behavior.errorType ?? Self.defaultErrorName(status)
            var response = Self.error(status, name, behavior.message ?? Self.defaultMessage(name))
            for (header, value) in behavior.headers ?? [:] { if let field = HTTPField.Name(header) { response.headers[field] = value } }
            return finish(response)
        }
        guard let json = (try? JSONSerialization.jsonObject(with: Data(bytes))) as? [String: Any] else {
            return finish(Self.error(400, "ValidationException", "Malformed input request, please reformat your input and try again."))
        }
        if let problem = Self.validate(json, modelID: modelID) { return finish(Self.error(400, "ValidationException", problem)) }
        let usage = behavior.usage ?? FakeUsage()
        let text = behavior.text ?? "pong"
        let messageID = "msg_bdrk_fake_\(sequence)"
        guard stream else {
            state.addEmitted(usage)
            let message = AnthropicReplies.message(id: messageID, model: modelID, text: text, usage: usage)
            return finish(Response(status: .ok, headers: [.contentType: "application/json", .init("x-amzn-RequestId")!: "fake-\(sequence)"],
                                   body: .init(byteBuffer: ByteBuffer(string: AnthropicReplies.json(message)))))
        }
        let events = AnthropicReplies.streamEvents(id: messageID, model: modelID, text: text, deltaCount: behavior.deltaCount ?? 1, usage: usage)
        return FakeBedrockStream(state: state, sequence: sequence, behavior: behavior, usage: usage, channel: context.channel).response(events)
    }

    /// What Bedrock refuses that a careless relay would send (docs/reference/upstream-wire.md).
    static func validate(_ json: [String: Any], modelID: String) -> String? {
        guard modelID.contains("anthropic.") || modelID.hasPrefix("arn:") else { return "The provided model identifier is invalid." }
        for key in ["model", "stream"] where json[key] != nil { return "extraneous key [\(key)] is not permitted" }
        guard json["anthropic_version"] as? String == "bedrock-2023-05-31" else { return "anthropic_version: bedrock-2023-05-31 is required" }
        guard json["max_tokens"] != nil, json["messages"] is [Any] else { return "max_tokens and messages are required" }
        if hasExtendedCacheControl(json) { return "cache_control: Extra inputs are not permitted" }
        return nil
    }

    static func hasExtendedCacheControl(_ value: Any) -> Bool {
        if let object = value as? [String: Any] {
            if let control = object["cache_control"] as? [String: Any], control.keys.contains(where: { $0 != "type" }) { return true }
            return object.values.contains(where: hasExtendedCacheControl)
        }
        if let array = value as? [Any] { return array.contains(where: hasExtendedCacheControl) }
        return false
    }

    static func error(_ status: Int, _ name: String, _ message: String, service: String = "com.amazon.bedrock") -> Response {
        Response(status: .init(code: status), headers: [
            .contentType: "application/json", .init("x-amzn-ErrorType")!: "\(name):http://internal.amazon.com/coral/\(service)/",
            .init("x-amzn-RequestId")!: UUID().uuidString.lowercased(),
        ], body: .init(byteBuffer: ByteBuffer(string: JSONText.encode(["message": message]))))
    }

    static func defaultErrorName(_ status: Int) -> String {
        switch status {
        case 400: return "ValidationException"
        case 403: return "AccessDeniedException"
        case 404: return "ResourceNotFoundException"
        case 408: return "ModelTimeoutException"
        case 424: return "ModelErrorException"
        case 429: return "ThrottlingException"
        case 503: return "ServiceUnavailableException"
        default: return "InternalServerException"
        }
    }

    static func defaultMessage(_ name: String) -> String {
        switch name {
        case "ThrottlingException": return "Too many requests, please wait before trying again."
        case "AccessDeniedException": return "You don't have access to the model with the specified model ID."
        case "ServiceUnavailableException": return "Bedrock is unable to process your request."
        default: return "\(name)"
        }
    }
}
