import AsyncHTTPClient
import Foundation
import NIOCore

/// One test of an account as Node's "test account" makes it: a real, tiny Messages request with the chosen model
/// through the account's own dialect (Claude Code-shaped for subscription accounts, its proxy, its token), the
/// answer's first 200 characters, the latency and the upstream's usage. Unlike a health check it costs a few tokens;
/// the spend is the account's alone (no key is billed). Result in Node's shape: `{success, message|error, latencyMs,
/// model, usage, statusCode?, timestamp}`.
struct AccountTestRun: Sendable {
    let context: RelayContext
    let claudeCode: ClaudeCodeSupport?
    static let defaultModel = "claude-sonnet-4-5-20250929"
    static let prompt = "hi"

    func run(_ account: AccountRecord, model: String) async -> [String: Any] {
        let started = ContinuousClock.now
        func finished(_ fields: [String: Any]) -> [String: Any] {
            let elapsed = ContinuousClock.now - started
            return fields.merging(["latencyMs": Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000),
                                   "timestamp": ISOTime.string(context.clock.now)]) { _, new in new }
        }
        let credential: String
        do {
            credential = try await context.credential(for: account)
        } catch {
            return finished(["success": false, "error": "The account has no usable credential: \(error)"])
        }
        let json: [String: Any] = ["model": model, "max_tokens": 32, "messages": [["role": "user", "content": Self.prompt]]]
        let dialect = AnthropicDialect(officialBaseURL: context.settings.upstreamURL(AnthropicProvider.apiURL), classifier: context.settings.classifier,
                                       claudeCode: claudeCode)
        let upstreamModel = account.upstreamModel(for: model) ?? model
        let body = ByteBuffer(data: JSON.data(json))
        let upstream: UpstreamRequest
        do {
            upstream = try await dialect.request(DialectInput(
                account: account, credential: credential, operation: AnthropicFamily.messages, clientHeaders: [:], clientQuery: nil,
                body: body, json: json, requestedModel: model, upstreamModel: upstreamModel, stream: false))
        } catch {
            return finished(["success": false, "error": "\(error)"])
        }
        do {
            let response = try await context.upstream.client(for: upstream.proxy).execute(upstream.clientRequest, timeout: .seconds(60))
            let reply = try await response.body.collect(upTo: 1 << 20)
            let status = Int(response.status.code)
            let object = JSON.object(Data(buffer: reply)) ?? [:]
            guard (200..<300).contains(status) else {
                let message = ((object["error"] as? [String: Any])?["message"] as? String) ?? "upstream answered \(status)"
                return finished(["success": false, "error": message, "statusCode": status])
            }
            let text = ((object["content"] as? [[String: Any]]) ?? []).compactMap { $0["text"] as? String }.joined()
            var result: [String: Any] = ["success": true, "message": String(text.prefix(200)), "model": object["model"] as? String ?? upstreamModel]
            if let usage = object["usage"] { result["usage"] = usage }
            return finished(result)
        } catch {
            return finished(["success": false, "error": "upstream unreachable (\(type(of: error)))"])
        }
    }
}
