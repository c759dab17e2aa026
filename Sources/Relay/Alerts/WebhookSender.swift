import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// Posts a notification to a platform, retrying failures (non-2xx or unreachable) with exponential back-off
/// (`retryDelay`·2^attempt) up to `maxRetries` extra attempts, each within `timeout`.
struct WebhookSender: Sendable {
    let clients: UpstreamHTTPClients
    let logger: Logger

    enum Outcome: Equatable { case delivered(attempts: Int), failed(String) }

    func send(_ message: WebhookMessage, to platform: [String: Any], config: WebhookConfig) async -> Outcome {
        guard let (url, body) = message.request(for: platform) else { return .failed("no request for this platform") }
        let timeout = TimeAmount.milliseconds(Int64(JSON.int(platform["timeout"]) ?? config.timeoutMilliseconds))
        var lastError = ""
        for attempt in 0...max(0, config.maxRetries) {
            if attempt > 0 {
                try? await Task.sleep(for: .milliseconds(config.retryDelayMilliseconds * (1 << min(attempt - 1, 6))))
            }
            var request = HTTPClientRequest(url: url)
            request.method = .POST
            request.headers.add(name: "content-type", value: "application/json")
            request.headers.add(name: "user-agent", value: "claude-relay-swift/\(RelayVersion.current)")
            request.body = .bytes(ByteBuffer(data: JSON.data(body)))
            do {
                let response = try await clients.client(for: nil).execute(request, timeout: timeout)
                _ = try? await response.body.collect(upTo: 64 << 10)
                if (200..<300).contains(Int(response.status.code)) { return .delivered(attempts: attempt + 1) }
                lastError = "HTTP \(response.status.code)"
            } catch {
                lastError = "unreachable (\(type(of: error)))"
            }
            // The platform's URL can carry a token (Slack, Telegram): it is never logged.
            logger.notice("webhook delivery failed", metadata: ["platform": "\(platform["type"] ?? "?")", "id": "\(platform["id"] ?? "?")",
                                                                "attempt": "\(attempt + 1)", "error": "\(lastError)"])
        }
        return .failed(lastError)
    }
}
