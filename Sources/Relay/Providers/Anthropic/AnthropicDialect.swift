import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// Anthropic's own Messages API (claude-official, claude-console and CCR accounts). Console and CCR requests pass
/// through as bytes. Subscription (claude-official) accounts serve only Claude Code: real Claude Code requests pass
/// through; any other client's request is shaped into one (`ClaudeCodeShaping`, Claude Code's headers) and, if the
/// API still answers "only authorized for use with Claude Code", sent once more with its tools renamed.
/// Errors reach the client as the upstream sent them.
struct AnthropicDialect: ProviderDialect {
    let officialBaseURL: String
    let classifier: AnthropicErrorClassifier.Settings
    /// Where shaping reads Claude Code's headers and the output limits (nil: requests go out as sent).
    let claudeCode: ClaudeCodeSupport?

    func request(_ input: DialectInput) async throws -> UpstreamRequest {
        try await request(input, toolSuffix: nil)
    }

    func request(_ input: DialectInput, toolSuffix: String?) async throws -> UpstreamRequest {
        if input.account.kind == .ccr && input.operation == AnthropicFamily.countTokens {
            throw RelayError(501, "not_supported", "count_tokens is not available for CCR accounts")
        }
        let endpoint: AnthropicUpstreamRequest.Endpoint = input.operation == AnthropicFamily.countTokens ? .countTokens : .messages
        var request = AnthropicUpstreamRequest.build(
            account: input.account, credential: input.credential, endpoint: endpoint, clientHeaders: input.clientHeaders,
            clientQuery: input.account.kind == .claudeOfficial ? input.clientQuery : nil, body: input.body, requestedModel: input.requestedModel,
            upstreamModel: input.upstreamModel, officialBaseURL: officialBaseURL)
        guard input.account.kind == .claudeOfficial, let claudeCode else { return request }
        let userAgent = input.clientHeaders.value(.userAgent)
        if ClaudeCodeClient.isReal(json: input.json, userAgent: userAgent) {
            if input.account.fields["useUnifiedUserAgent"] == "true", let unified = await claudeCode.headers.unifiedUserAgent() {
                request.headers.replaceOrAdd(name: "user-agent", value: unified)
            }
            return request
        }
        // Another client: Claude Code's headers (captured on this account, else the defaults), its User-Agent, its body.
        let captured = await claudeCode.headers.headers(for: input.account.id)
        for (name, value) in captured where name != "user-agent" { request.headers.replaceOrAdd(name: name, value: value) }
        let userAgentValue = await claudeCode.headers.unifiedUserAgent() ?? captured.first { $0.0 == "user-agent" }?.1 ?? AnthropicUpstreamRequest.defaultUserAgent
        request.headers.replaceOrAdd(name: "user-agent", value: userAgentValue)
        var json = input.json
        if input.upstreamModel != input.requestedModel { json["model"] = input.upstreamModel }
        let betas = request.headers[canonicalForm: "anthropic-beta"].map { String($0) }
        let shaped = ClaudeCodeShaping.shape(.init(
            json: json, countTokens: endpoint == .countTokens, accountID: input.account.id, accountUUID: Self.accountUUID(input.account),
            sessionHash: input.sessionHash, outputLimit: claudeCode.prices.table.outputLimit(for: input.upstreamModel), betas: betas,
            toolSuffix: toolSuffix))
        request.body = ByteBuffer(data: JSON.data(shaped.json))
        request.toolNames = shaped.toolNames
        return request
    }

    /// The subscription refuses a shaped request as not Claude Code's: Node's answer is one more try with the tool
    /// names made unique (the API also recognises well-known third-party tool names).
    func retry(after status: Int, body: ByteBuffer, input: DialectInput, previous: UpstreamRequest) async throws -> UpstreamRequest? {
        guard input.account.kind == .claudeOfficial, claudeCode != nil, status == 400 || status == 403,
              previous.toolNames.isEmpty, (input.json["tools"] as? [Any])?.isEmpty == false,
              !ClaudeCodeClient.isReal(json: input.json, userAgent: input.clientHeaders.value(.userAgent)),
              Self.isClaudeCodeOnlyRefusal(body) else { return nil }
        return try await request(input, toolSuffix: Self.randomSuffix())
    }

    func failure(status: Int, headers: HTTPHeaders, body: ByteBuffer, account: AccountRecord, now: Date) -> (verdict: UpstreamVerdict, response: Response) {
        let verdict = AnthropicErrorClassifier.classify(status: status, headers: headers, body: String(buffer: body), account: account, now: now, settings: classifier)
        return (verdict, RelayResponses.passThrough(status: status, headers: headers, body: body))
    }

    func accepted(_ input: DialectInput) async {
        guard input.account.kind == .claudeOfficial, let claudeCode,
              ClaudeCodeClient.isReal(json: input.json, userAgent: input.clientHeaders.value(.userAgent)) else { return }
        await claudeCode.headers.capture(accountID: input.account.id, clientHeaders: input.clientHeaders)
    }

    /// Subscription accounts: the 5-hour session window from the reply's headers.
    func accountChanges(afterReply headers: HTTPHeaders, account: AccountRecord, now: Date) -> [String: String] {
        SessionWindow.changes(for: account, upstream: headers, at: now)
    }

    func reply(_ body: ByteBuffer, requestedModel: String) -> ByteBuffer { body }

    func transcoder(requestedModel: String) -> (any StreamTranscoder)? { nil }

    /// The refusal's own `error.message` (never the whole body, which may echo client input).
    static func isClaudeCodeOnlyRefusal(_ body: ByteBuffer) -> Bool {
        guard body.readableBytes < 64 * 1024, let object = JSON.object(Data(buffer: body)),
              let message = ((object["error"] as? [String: Any])?["message"] as? String)?.lowercased() else { return false }
        return message.contains("only authorized for use with claude code") || message.contains("cannot be used for other api requests")
    }

    static func accountUUID(_ account: AccountRecord) -> String? {
        guard let text = account.fields["extInfo"], let object = JSON.object(Data(text.utf8)) else { return nil }
        return object["account_uuid"] as? String
    }

    static func randomSuffix() -> String {
        let alphabet = Array("abcdefghijklmnopqrstuvwxyz0123456789")
        return String((0..<6).map { _ in alphabet.randomElement()! })
    }
}

/// What shaping for subscription accounts reads besides the request.
struct ClaudeCodeSupport: Sendable {
    let headers: ClaudeCodeHeaders
    let prices: PriceBook
}
