import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// AWS Bedrock accounts on the Claude routes: the request re-framed for InvokeModel (signed), the JSON reply
/// with the client's model name, the event stream re-framed into Anthropic SSE, Bedrock errors in Anthropic's
/// shape. count_tokens has no Bedrock counterpart (501, as in Node; another account kind may serve it).
struct BedrockDialect: ProviderDialect {
    func request(_ input: DialectInput) async throws -> UpstreamRequest {
        guard input.operation == AnthropicFamily.messages else {
            throw RelayError(501, "not_supported", "count_tokens is not available for Bedrock accounts")
        }
        guard let credentials = BedrockCredentials(json: input.credential) else {
            throw RelayError.unavailable("Bedrock account \(input.account.name) has no usable AWS credentials")
        }
        return BedrockUpstreamRequest.build(account: input.account, credentials: credentials, body: input.json,
                                            upstreamModel: input.upstreamModel, stream: input.stream, now: Date())
    }

    func failure(status: Int, headers: HTTPHeaders, body: ByteBuffer, account: AccountRecord, now: Date) -> (verdict: UpstreamVerdict, response: Response) {
        let verdict = BedrockErrors.classify(status: status, name: BedrockErrors.name(from: headers), headers: headers, now: now)
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        if let retry = headers.first(name: "retry-after") { fields[.retryAfter] = retry }
        if let id = headers.first(name: "x-amzn-requestid") { fields[HTTPField.Name("request-id")!] = id }
        let payload = JSON.data(BedrockErrors.anthropicBody(status: status, headers: headers, body: String(buffer: body)))
        return (verdict, Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(data: payload))))
    }

    func reply(_ body: ByteBuffer, requestedModel: String) -> ByteBuffer {
        guard var message = JSON.object(Data(buffer: body)) else { return body }
        message["model"] = requestedModel
        return ByteBuffer(data: JSON.data(message))
    }

    func transcoder(requestedModel: String) -> (any StreamTranscoder)? {
        BedrockStreamTranscoder(requestedModel: requestedModel)
    }
}
