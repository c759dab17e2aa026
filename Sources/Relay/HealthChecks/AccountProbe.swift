import AsyncHTTPClient
import Foundation
import HTTPTypes
import NIOCore

/// A cheap check that an account's credential still works upstream. Anthropic-family accounts (official,
/// Console) are asked to count the tokens of a one-word message (`/v1/messages/count_tokens`, free of
/// charge) through the same dialect real requests use; the other kinds have no free call this relay can make and
/// are not probed (their time-bound marks still recover).
struct AccountProbe: Sendable {
    enum Outcome: Sendable, Equatable {
        case healthy(status: Int)
        case failed(status: Int, mark: AccountHealth.Mark?)
        case unreachable(String)
        case notProbed
    }

    let context: RelayContext
    /// CCR endpoints have no count_tokens (501), so they are not probed either.
    static let probedKinds: Set<AccountKind> = [.claudeOfficial, .claudeConsole]
    static let model = "claude-3-5-haiku-20241022"

    func probe(_ account: AccountRecord) async -> Outcome {
        guard Self.probedKinds.contains(account.kind) else { return .notProbed }
        let credential: String
        do {
            credential = try await context.credential(for: account)  // marks the account itself when nothing works
        } catch {
            return .failed(status: 0, mark: nil)
        }
        // The probe is Claude Code-shaped itself: subscription tokens serve nothing else.
        let json: [String: Any] = ["model": account.upstreamModel(for: Self.model) ?? Self.model, "messages": [["role": "user", "content": "ping"]],
                                   "system": [["type": "text", "text": ClaudeCodeClient.identity]]]
        let body = ByteBuffer(data: JSON.data(json))
        let dialect = AnthropicDialect(officialBaseURL: context.settings.upstreamURL(AnthropicProvider.apiURL), classifier: context.settings.classifier, claudeCode: nil)
        guard let upstream = try? await dialect.request(DialectInput(
            account: account, credential: credential, operation: AnthropicFamily.countTokens, clientHeaders: [:], clientQuery: nil,
            body: body, json: json, requestedModel: Self.model, upstreamModel: Self.model, stream: false)) else { return .notProbed }
        do {
            let response = try await context.upstream.client(for: upstream.proxy).execute(upstream.clientRequest, timeout: .seconds(20))
            let reply = try await response.body.collect(upTo: 1 << 20)
            let status = Int(response.status.code)
            if (200..<300).contains(status) { return .healthy(status: status) }
            let (verdict, _) = dialect.failure(status: status, headers: response.headers, body: reply, account: account, now: context.clock.now)
            return .failed(status: status, mark: verdict.mark)
        } catch {
            return .unreachable(String(describing: type(of: error)))
        }
    }
}
