import Foundation
import NIOCore

/// How a Gemini account authorized through Antigravity is spoken to: `POST {antigravity}/v1internal:{action}` with the
/// Antigravity client's identity (`User-Agent: antigravity/…`, `requestType: agent`), the envelope of
/// `AntigravityEnvelope`, and Antigravity's model ids. Replies use Code Assist's `{response, traceId}` envelope, so
/// the Code Assist dialect unwraps them. Setup calls (`loadCodeAssist`, quotas, experiments) are not Antigravity's:
/// they go to Code Assist as for any Google account (`nil` here).
struct AntigravityRequests: Sendable {
    let baseURL: String
    /// The other Antigravity host, tried once on the same account when the first refuses in a way that may be the
    /// host's (Node's fallback between the daily sandbox and production); nil: none. Claude models go to it first.
    let fallbackURL: String?
    let userAgent: String
    let accounts: AccountStore

    func request(_ input: DialectInput, operation: String) async throws -> UpstreamRequest? {
        let action = GeminiFamily.action(operation)
        let codeAssist = GeminiFamily.isCodeAssist(operation)
        let model = AntigravityModels.upstream(input.upstreamModel)
        let inner = codeAssist ? (input.json["request"] as? [String: Any] ?? [:]) : input.json
        let body: [String: Any]
        switch action {
        case GeminiFamily.countTokens:
            body = ["request": ["model": "models/\(model)", "contents": inner["contents"] ?? []]]
        case GeminiFamily.generate, GeminiFamily.stream:
            let session = (inner["sessionId"] as? String) ?? (inner["session_id"] as? String)
                ?? input.sessionHash.map { "sess-\($0.prefix(32))" } ?? "sess-\(UUID().uuidString.lowercased())"
            body = AntigravityEnvelope.body(request: inner, model: model, project: await project(input.account), sessionID: session)
        default:
            return nil
        }
        var headers = UpstreamHeaders.passing([], from: input.clientHeaders)
        headers.add(name: "user-agent", value: userAgent)
        headers.add(name: "authorization", value: "Bearer \(input.credential)")
        headers.add(name: "content-type", value: "application/json")
        headers.add(name: "requesttype", value: "agent")
        let hosts = self.hosts(for: model)
        let url = "\(hosts.first)/v1internal:\(action)" + (input.stream ? "?alt=sse" : "")
        return UpstreamRequest(url: url, headers: headers, body: ByteBuffer(data: JSON.data(body)), proxy: input.account.proxy)
    }

    /// The host to try first and the one after it (Claude models: production first, as Node orders them).
    private func hosts(for model: String) -> (first: String, second: String?) {
        let primary = UpstreamBaseURL.trimmed(baseURL)
        guard let fallbackURL else { return (primary, nil) }
        let fallback = UpstreamBaseURL.trimmed(fallbackURL)
        return AntigravityModels.isClaude(model) ? (fallback, primary) : (primary, fallback)
    }

    /// The same request on the other host after a refusal that may be the host's: 429, or a 400/404 saying the model
    /// is unavailable or not found there, or a tool_use/tool_result complaint (Node's rules); nil otherwise.
    func fallback(after status: Int, body: ByteBuffer, previous: UpstreamRequest, model: String) -> UpstreamRequest? {
        let hosts = self.hosts(for: AntigravityModels.upstream(model))
        guard let second = hosts.second, previous.url.hasPrefix(hosts.first + "/") else { return nil }
        let text = String(buffer: body).lowercased()
        let hostLike = ["requested model is currently unavailable", "tool_use", "tool_result", "requested entity was not found", "not found"]
        guard status == 429 || ((status == 400 || status == 404) && hostLike.contains { text.contains($0) }) else { return nil }
        var again = previous
        again.url = second + previous.url.dropFirst(hosts.first.count)
        return again
    }

    /// The admin's `projectId`, else the one made for this account before: Antigravity accepts any `ag-` id, and one
    /// kept per account (Node made a new one per request) keeps its sessions together.
    private func project(_ account: AccountRecord) async -> String {
        if let project = account.nonEmpty("projectId") ?? account.nonEmpty("tempProjectId") { return project }
        let made = "ag-" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased().prefix(16)
        await accounts.mark(account, ["tempProjectId": made])
        return made
    }
}
