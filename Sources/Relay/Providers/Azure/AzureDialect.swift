import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// Azure OpenAI accounts (docs/reference/upstream-wire.md): chat completions at
/// `{azureEndpoint}/openai/deployments/{deployment}/chat/completions?api-version={apiVersion}`, Responses at
/// `{azureEndpoint}/openai/responses?api-version={responsesApiVersion}` with the deployment as `model`; the key
/// as `api-key`. The deployment is the account's mapping of the requested model, else its `deploymentName`.
/// Streams ask for `stream_options.include_usage` so usage can be recorded (the original does not, and bills
/// nothing for Azure streams); the client then sees one extra usage chunk before `[DONE]`, as OpenAI sends it.
struct AzureDialect: ProviderDialect {
    func request(_ input: DialectInput) async throws -> UpstreamRequest {
        let account = input.account
        let endpoint = try UpstreamBaseURL.of(account, "azureEndpoint", kind: "Azure")
        let deployment = account.modelMapping.isEmpty ? (account.nonEmpty("deploymentName") ?? input.upstreamModel) : input.upstreamModel
        var body = input.json
        let url: String
        if input.operation == AzureFamily.responses {
            url = "\(endpoint)/openai/responses?api-version=\(account.nonEmpty("responsesApiVersion") ?? "2025-04-01-preview")"
            body["model"] = deployment
        } else {
            let path = deployment.addingPercentEncoding(withAllowedCharacters: .urlPathAllowed.subtracting(CharacterSet(charactersIn: "/"))) ?? deployment
            // Chat completions and embeddings live under the deployment, with the same api-version.
            url = "\(endpoint)/openai/deployments/\(path)/\(input.operation)?api-version=\(account.nonEmpty("apiVersion") ?? "2024-02-01")"
            if input.stream {
                var options = body["stream_options"] as? [String: Any] ?? [:]
                options["include_usage"] = true
                body["stream_options"] = options
            }
        }
        var headers = UpstreamHeaders.forwarding(input.clientHeaders)
        headers.replaceOrAdd(name: "api-key", value: input.credential)
        headers.replaceOrAdd(name: "content-type", value: "application/json")
        headers.replaceOrAdd(name: "accept", value: input.stream ? "text/event-stream" : "application/json")
        return UpstreamRequest(url: url, headers: headers, body: ByteBuffer(data: JSON.data(body)), proxy: account.proxy)
    }

    func failure(status: Int, headers: HTTPHeaders, body: ByteBuffer, account: AccountRecord, now: Date) -> (verdict: UpstreamVerdict, response: Response) {
        let verdict: UpstreamVerdict
        switch status {
        case 403: verdict = .init(mark: .temporaryError(until: now.addingTimeInterval(600), "Azure 403"), failover: true)
        case 404: verdict = .init(mark: nil, failover: true)  // another account may have the deployment
        default: verdict = OpenAIErrors.classify(status: status, headers: headers, body: body, account: account, now: now)
        }
        return (verdict, RelayResponses.passThrough(status: status, headers: headers, body: body))
    }

    func reply(_ body: ByteBuffer, requestedModel: String) -> ByteBuffer { body }

    func transcoder(requestedModel: String) -> (any StreamTranscoder)? { nil }
}
