import Foundation

/// What the relay keeps about one request when request-detail capture is on (Node's record shape): when, where,
/// which key and account, the model, tokens, cost, duration, stream or not — and, with body previews on, a preview of
/// the client's body (`RequestBodyPreview`). Taken when the request is admitted; written with its usage.
struct RequestDetailCapture: Sendable {
    let endpoint: String
    let method: String
    let startedAt: Date
    let started: ContinuousClock.Instant
    let retentionHours: Int
    /// Built from JSONSerialization values and never mutated.
    nonisolated(unsafe) let bodyPreview: Any?

    init(endpoint: String, method: String, startedAt: Date, settings: RequestDetailSettings, body: [String: Any]?) {
        self.endpoint = endpoint
        self.method = method
        self.startedAt = startedAt
        started = .now
        retentionHours = settings.retentionHours
        bodyPreview = settings.bodyPreviewEnabled ? body.map(RequestBodyPreview.snapshot) : nil
    }

    func record(id: String, keyID: String, account: AccountRecord, model: String, usage: TokenUsage, stream: Bool, cost: CostBreakdown?,
                at now: Date) -> [String: Any] {
        let elapsed = ContinuousClock.now - started
        var record: [String: Any] = [
            "requestId": id, "timestamp": ISOTime.string(now), "requestStartedAt": ISOTime.string(startedAt), "endpoint": endpoint,
            "method": method, "statusCode": 200, "stream": stream, "apiKeyId": keyID, "accountId": account.id,
            "accountType": account.kind.usageType, "model": model, "inputTokens": usage.input, "outputTokens": usage.output,
            "cacheReadTokens": usage.cacheRead, "cacheCreateTokens": usage.cacheCreate5m + usage.cacheCreate1h,
            "totalTokens": usage.input + usage.output + usage.cacheRead + usage.cacheCreate5m + usage.cacheCreate1h,
            "durationMs": Int(elapsed.components.seconds * 1000 + elapsed.components.attoseconds / 1_000_000_000_000_000),
            "cost": cost.map { ($0.total * 1_000_000).rounded() / 1_000_000 } ?? NSNull(), "isLongContextRequest": cost?.isLongContext ?? false,
        ]
        if let cost {
            record["costBreakdown"] = ["input": cost.input, "output": cost.output, "cacheCreate": cost.cacheCreate, "cacheRead": cost.cacheRead, "total": cost.total]
        }
        if let bodyPreview { record["requestBodySnapshot"] = bodyPreview }
        return record
    }
}
