import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// OpenAI's error shape for relay-made errors, and what OpenAI-style upstream failures say about an account
/// (docs/reference/upstream-wire.md): 429 rests the account until the reset the reply names (Codex
/// `resets_in_seconds`, else `retry-after`, else the account's `rateLimitDuration` minutes); 401/402/403 mean the
/// credential or plan no longer works (unauthorized, until an admin or a token refresh); 5xx counts toward the
/// repeated-error rule; other 4xx are the client's own and fail nothing over.
enum OpenAIErrors {
    /// `{"error": {"message", "type", "param": null, "code"}}`, plus the relay's extra fields beside it.
    static func response(_ error: RelayError) -> Response {
        let type: String
        let code: String
        switch error.type {
        case "authentication_error": (type, code) = ("invalid_request_error", "invalid_api_key")
        case "permission_error": (type, code) = ("invalid_request_error", "permission_denied")
        case "rate_limit_error": (type, code) = ("rate_limit_error", "rate_limit_exceeded")
        case "billing_error": (type, code) = ("insufficient_quota", "insufficient_quota")
        case "overloaded_error": (type, code) = ("server_error", "service_unavailable")
        default: (type, code) = (error.type, error.type)
        }
        var object: [String: Any] = ["error": ["message": error.message, "type": type, "param": NSNull(), "code": code]]
        for (key, value) in error.details { object[key] = value.json }
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (name, value) in error.headers { if let field = HTTPField.Name(name) { fields[field] = value } }
        return Response(status: .init(code: error.status), headers: fields, body: .init(byteBuffer: ByteBuffer(data: JSON.data(object))))
    }

    static func classify(status: Int, headers: HTTPHeaders, body: ByteBuffer, account: AccountRecord, now: Date) -> UpstreamVerdict {
        let error = JSON.object(Data(buffer: body))?["error"] as? [String: Any]
        switch status {
        case 429:
            let seconds = JSON.number(error?["resets_in_seconds"]) ?? headers.first(name: "retry-after").flatMap(Double.init)
                ?? Double((Int(account.fields["rateLimitDuration"] ?? "") ?? 60) * 60)
            return .init(mark: .rateLimited(until: now.addingTimeInterval(max(1, seconds))), failover: true)
        case 401, 402, 403:
            let message = (error?["message"] as? String).map { String($0.prefix(200)) } ?? "HTTP \(status)"
            return .init(mark: .unauthorized("upstream \(status): \(message)"), failover: true)
        case 500...:
            return .init(mark: nil, failover: true, countsAsServerError: true)
        default:
            return .init(mark: nil, failover: false)
        }
    }
}
