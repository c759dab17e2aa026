import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// Google's error shape `{"error": {code, message, status}}` for relay-made errors, and what Google's failures
/// say about an account (docs/reference/upstream-wire.md): 429 RESOURCE_EXHAUSTED rests the account until the
/// `RetryInfo.retryDelay` the body names (else a minute); 401 means the credential no longer works; 403 rests it
/// (VPC-SC, permission) for 30 minutes; 5xx counts toward the repeated-error rule; other 4xx are the client's.
enum GeminiErrors {
    static func status(for type: String, code: Int) -> String {
        switch type {
        case "authentication_error": return "UNAUTHENTICATED"
        case "permission_error": return "PERMISSION_DENIED"
        case "rate_limit_error", "billing_error": return "RESOURCE_EXHAUSTED"
        case "invalid_request_error": return "INVALID_ARGUMENT"
        case "not_found_error": return "NOT_FOUND"
        case "overloaded_error": return "UNAVAILABLE"
        case "request_too_large": return "INVALID_ARGUMENT"
        default: return code == 501 ? "UNIMPLEMENTED" : "INTERNAL"
        }
    }

    static func body(status: Int, type: String, message: String) -> [String: Any] {
        ["error": ["code": status, "message": message, "status": Self.status(for: type, code: status)]]
    }

    static func response(_ error: RelayError) -> Response {
        var object = body(status: error.status, type: error.type, message: error.message)
        for (key, value) in error.details { object[key] = value.json }
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (name, value) in error.headers { if let field = HTTPField.Name(name) { fields[field] = value } }
        return Response(status: .init(code: error.status), headers: fields, body: .init(byteBuffer: ByteBuffer(data: JSON.data(object))))
    }

    static func classify(status: Int, body: ByteBuffer, now: Date) -> UpstreamVerdict {
        switch status {
        case 429:
            return .init(mark: .rateLimited(until: now.addingTimeInterval(retryDelay(body) ?? 60)), failover: true)
        case 401:
            return .init(mark: .unauthorized("upstream 401: \(message(body))"), failover: true)
        case 403:
            return .init(mark: .temporaryError(until: now.addingTimeInterval(1800), "upstream 403: \(message(body))"), failover: true)
        case 500...:
            return .init(mark: nil, failover: true, countsAsServerError: true)
        default:
            return .init(mark: nil, failover: false)
        }
    }

    /// `error.details[] {"@type": "…RetryInfo", "retryDelay": "47s"}` in seconds. Error bodies may be arrays.
    static func retryDelay(_ body: ByteBuffer) -> Double? {
        guard let error = errorObject(body), let details = error["details"] as? [[String: Any]] else { return nil }
        for detail in details {
            if let delay = detail["retryDelay"] as? String, delay.hasSuffix("s"), let seconds = Double(delay.dropLast()) { return max(1, seconds) }
        }
        return nil
    }

    static func message(_ body: ByteBuffer) -> String {
        (errorObject(body)?["message"] as? String).map { String($0.prefix(200)) } ?? String(buffer: body).prefix(200).description
    }

    static func errorObject(_ body: ByteBuffer) -> [String: Any]? {
        let data = Data(buffer: body)
        let parsed = try? JSONSerialization.jsonObject(with: data)
        let object = (parsed as? [String: Any]) ?? (parsed as? [[String: Any]])?.first
        return object?["error"] as? [String: Any]
    }
}
