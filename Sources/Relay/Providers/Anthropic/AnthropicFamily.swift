import Foundation
import Hummingbird
import NIOCore

/// The Anthropic Messages API (`/api/v1/messages`, `/count_tokens`), served by Claude official, Claude Console
/// and Bedrock accounts, and by CCR accounts for `ccr,`-prefixed models.
struct AnthropicFamily: APIFamily {
    static let messages = "messages"
    static let countTokens = "count_tokens"

    let userAgents: ClaudeCodeUserAgent
    /// Shaping for subscription accounts (nil: bodies go out as sent).
    var claudeCode: ClaudeCodeSupport? = nil
    /// The relay-wide Claude switches and the session bindings they govern (nil: neither applies).
    var relaySettings: ClaudeRelaySettings? = nil
    var sessionBindings: ClaudeSessionBindings? = nil

    var name: String { "anthropic" }
    var platform: String { "claude" }

    func parse(_ request: Request, operation: String, body: ByteBuffer) throws -> ParsedRequest {
        guard var json = JSON.object(Data(buffer: body)) else { throw RelayError.badRequest(RelayError.invalidBodyMessage) }
        guard var model = json["model"] as? String, !model.isEmpty else { throw RelayError.badRequest("model: field required") }
        // `ccr,<model>`: Node's vendor prefix — only CCR accounts serve it, and they get the model without it.
        var pool: [AccountKind]?
        var forwarded: ByteBuffer?
        if model.lowercased().hasPrefix("ccr,") {
            model = String(model.dropFirst(4)).trimmingCharacters(in: .whitespaces)
            guard !model.isEmpty else { throw RelayError.badRequest("model: a model must follow the ccr, prefix") }
            json["model"] = model
            pool = [.ccr]
            forwarded = ByteBuffer(data: JSON.data(json))
        }
        if operation == Self.messages {
            guard let messages = json["messages"] as? [Any] else { throw RelayError.badRequest("messages: field required (an array)") }
            guard !messages.isEmpty else { throw RelayError.badRequest("messages: at least one message is required") }
        }
        return ParsedRequest(json: json, model: model, stream: operation == Self.messages && (JSON.bool(json["stream"]) ?? false),
                             exemptFromQuotas: operation == Self.countTokens, sessionHash: SessionHash.of(json), pool: pool, body: forwarded)
    }

    func dialect(for kind: AccountKind, operation: String, context: RelayContext) -> any ProviderDialect {
        kind == .bedrock ? BedrockDialect() : AnthropicDialect(officialBaseURL: context.settings.upstreamURL(AnthropicProvider.apiURL), classifier: context.settings.classifier, claudeCode: claudeCode)
    }

    func errorResponse(_ error: RelayError) -> Response { error.anthropicResponse }

    func usage(inReply reply: [String: Any], operation: String) -> TokenUsage? {
        guard operation == Self.messages, let raw = reply["usage"] as? [String: Any] else { return nil }
        return TokenUsage.anthropic(raw, model: reply["model"] as? String)
    }

    func makeMeter(operation: String) -> any StreamUsageMeter { AnthropicStreamMeter() }

    func streamErrorEvent(operation: String, type: String, message: String) -> ByteBuffer {
        ByteBuffer(string: "event: error\ndata: " + JSON.string(["type": "error", "error": ["type": type, "message": message]]) + "\n\n")
    }

    func screen(_ request: Request, parsed: ParsedRequest, operation: String) async throws -> Screening {
        guard let relaySettings else { return Screening() }
        let settings = await relaySettings.current()
        if settings.claudeCodeOnly, !ClientRestriction.matchingClients(path: request.uri.path, headers: request.headers, body: parsed.json).contains("claude_code") {
            throw RelayError(403, "client_validation_error", "This endpoint only accepts requests from Claude Code CLI")
        }
        guard settings.sessionBinding, operation == Self.messages, let bindings = sessionBindings,
              let sessionID = ClaudeSessionBindings.sessionID(in: parsed.json) else { return Screening() }
        let ttlDays = settings.sessionBindingTTLDays
        if let binding = try await bindings.binding(sessionID) {
            guard binding.accountType == AccountKind.claudeOfficial.name else { return Screening() }
            let refusal = RelayError(403, "session_binding_error", settings.sessionBindingErrorMessage)
            guard try await bindings.usableAccount(binding) != nil else { throw refusal }
            await bindings.touch(sessionID, ttlDays: ttlDays)
            // Not schedulable, rate limited or busy: refused too, never moved to another account (Node's rule).
            return Screening(pinned: (.claudeOfficial, binding.accountID), pinnedRefusal: refusal)
        }
        // A new session: bound to the subscription account that serves it first.
        return Screening(onScheduled: { account in
            guard account.kind == .claudeOfficial else { return }
            await bindings.bind(sessionID, to: account, ttlDays: ttlDays)
        })
    }

    func takesUserMessageTurn(on account: AccountRecord, operation: String, json: [String: Any]) -> Bool {
        account.kind == .claudeOfficial && operation == Self.messages && UserMessageQueue.startsUserTurn(json)
    }

    func observe(_ request: Request) {
        userAgents.observe(request.headers.value(.userAgent))
    }
}
