import Foundation
import NIOHTTP1

/// Bedrock's failures (docs/reference/upstream-wire.md: status, `x-amzn-ErrorType: <Name>:…`, body `{"message"}`; in-stream
/// exception frames) turned into what an Anthropic client understands, and into health marks:
/// throttling rests the account (Retry-After if given, else a minute), credential problems mark it
/// unauthorized, 5xx counts toward the repeated-error rule, validation errors are the client's and fail nothing over.
enum BedrockErrors {
    static func name(from headers: HTTPHeaders) -> String? {
        headers.first(name: "x-amzn-errortype").map { String($0.split(separator: ":").first ?? "") }.flatMap { $0.isEmpty ? nil : $0 }
    }

    /// The Anthropic error type for a Bedrock error name (HTTP exception names or stream exception names).
    static func anthropicType(name: String, status: Int) -> String {
        switch name.lowercased() {
        case "throttlingexception", "servicequotaexceededexception": return "rate_limit_error"
        case "validationexception": return "invalid_request_error"
        case "accessdeniedexception": return "permission_error"
        case "unrecognizedclientexception", "invalidsignatureexception", "invalidclienttokenid", "expiredtokenexception", "incompletesignature":
            return "authentication_error"
        case "resourcenotfoundexception": return "not_found_error"
        case "serviceunavailableexception", "modelnotreadyexception": return "overloaded_error"
        default:
            switch status {
            case 400: return "invalid_request_error"
            case 401: return "authentication_error"
            case 403: return "permission_error"
            case 404: return "not_found_error"
            case 429: return "rate_limit_error"
            case 503, 529: return "overloaded_error"
            default: return "api_error"
            }
        }
    }

    static func classify(status: Int, name: String?, headers: HTTPHeaders, now: Date) -> UpstreamVerdict {
        let lower = (name ?? "").lowercased()
        switch status {
        case 429:
            let seconds = headers.first(name: "retry-after").flatMap(Double.init) ?? 60
            return .init(mark: .rateLimited(until: now.addingTimeInterval(max(1, seconds))), failover: true)
        case 401, 403:
            if lower == "accessdeniedexception" && status == 403 {
                return .init(mark: .temporaryError(until: now.addingTimeInterval(1800), "Bedrock AccessDeniedException"), failover: true)
            }
            return .init(mark: .unauthorized("Bedrock rejected the credentials (\(name ?? "HTTP \(status)"))"), failover: true)
        case 400, 404, 413:
            return .init(mark: nil, failover: lower == "resourcenotfoundexception")
        case 408, 424:
            return .init(mark: nil, failover: true, countsAsServerError: true)
        default:
            if lower == "modelnotreadyexception" { return .init(mark: .temporaryError(until: now.addingTimeInterval(60), "Bedrock model not ready"), failover: true) }
            return .init(mark: nil, failover: status >= 500, countsAsServerError: status >= 500)
        }
    }

    /// An Anthropic-shaped error body for a Bedrock HTTP error.
    static func anthropicBody(status: Int, headers: HTTPHeaders, body: String) -> [String: Any] {
        let name = name(from: headers) ?? "HTTP \(status)"
        let message = (JSON.object(Data(body.utf8))?["message"] as? String) ?? (JSON.object(Data(body.utf8))?["Message"] as? String) ?? body
        return ["type": "error", "error": ["type": anthropicType(name: name, status: status), "message": "Bedrock \(name): \(message.prefix(500))"]]
    }
}
