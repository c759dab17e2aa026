import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// Google-OAuth accounts: `POST {codeAssist}/v1internal:{action}` (`?alt=sse` for streams) with the account's
/// access token. Code Assist clients pass through (their `project` filled in from the account when missing);
/// standard-API clients are wrapped into the envelope `{model, project, request}` and their replies (and
/// stream chunks) unwrapped again. Accounts authorized through Antigravity: `AntigravityRequests`.
struct GeminiCodeAssistDialect: ProviderDialect {
    let operation: String
    let baseURL: String
    let projects: GeminiProjects
    /// Accounts authorized through Antigravity send their content calls there instead.
    let antigravity: AntigravityRequests

    func request(_ input: DialectInput) async throws -> UpstreamRequest {
        if input.account.isAntigravity, let request = try await antigravity.request(input, operation: operation) { return request }
        let base = UpstreamBaseURL.trimmed(baseURL)
        let action = GeminiFamily.action(operation)
        var body: [String: Any]
        if GeminiFamily.setupMethods.contains(action) {
            body = input.json
            // Experiments and quotas are per project: the serving account's, whatever another account told the client.
            if ["listExperiments", "retrieveUserQuota"].contains(action) {
                let project = try await projects.project(for: input.account, token: input.credential, baseURL: base)
                body["project"] = project
                if var metadata = body["metadata"] as? [String: Any], metadata["duetProject"] != nil {
                    metadata["duetProject"] = project
                    body["metadata"] = metadata
                }
            }
        } else if action == GeminiFamily.countTokens {
            let contents = GeminiFamily.isCodeAssist(operation) ? (input.json["request"] as? [String: Any])?["contents"] : input.json["contents"]
            body = ["request": ["model": "models/\(input.upstreamModel)", "contents": contents ?? []]]
        } else {
            let project = try await projects.project(for: input.account, token: input.credential, baseURL: base)
            if GeminiFamily.isCodeAssist(operation) {
                body = input.json
                if (body["project"] as? String)?.isEmpty ?? true { body["project"] = project }
            } else {
                body = ["request": input.json, "project": project]
            }
            body["model"] = input.upstreamModel
        }
        var headers = UpstreamHeaders.passing(["user-agent"], from: input.clientHeaders)
        headers.add(name: "authorization", value: "Bearer \(input.credential)")
        headers.add(name: "content-type", value: "application/json")
        let url = "\(base)/v1internal:\(action)" + (input.stream ? "?alt=sse" : "")
        var request = UpstreamRequest(url: url, headers: headers, body: ByteBuffer(data: JSON.data(body)), proxy: input.account.proxy)
        if GeminiFamily.getMethods.contains(action) { request.method = .GET }
        return request
    }

    func retry(after status: Int, body: ByteBuffer, input: DialectInput, previous: UpstreamRequest) async throws -> UpstreamRequest? {
        guard input.account.isAntigravity else { return nil }
        return antigravity.fallback(after: status, body: body, previous: previous, model: input.upstreamModel)
    }

    func failure(status: Int, headers: HTTPHeaders, body: ByteBuffer, account: AccountRecord, now: Date) -> (verdict: UpstreamVerdict, response: Response) {
        (GeminiErrors.classify(status: status, body: body, now: now), RelayResponses.passThrough(status: status, headers: headers, body: body))
    }

    func reply(_ body: ByteBuffer, requestedModel: String) -> ByteBuffer {
        let action = GeminiFamily.action(operation)
        guard !GeminiFamily.isCodeAssist(operation), action == GeminiFamily.generate else { return body }
        return GeminiEnvelope.unwrap.convert(body)
    }

    func transcoder(requestedModel: String) -> (any StreamTranscoder)? {
        GeminiFamily.isCodeAssist(operation) ? nil : GeminiEnvelopeTranscoder(.unwrap)
    }
}
