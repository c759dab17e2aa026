import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// An error the relay itself answers with (not an upstream's): status, the API family's error type and a message,
/// plus fields a user needs (e.g. `allowedClients`) and headers (e.g. `Retry-After`).
public struct RelayError: Error, Sendable, CustomStringConvertible {
    public var status: Int
    public var type: String
    public var message: String
    /// Fields beside `error` that a user needs to act (e.g. `allowedClients`, `currentCost`, `resetAt`).
    public var details: [String: Detail] = [:]
    public var headers: [String: String] = [:]

    public init(_ status: Int, _ type: String, _ message: String) {
        self.status = status
        self.type = type
        self.message = message
    }

    public var description: String { "\(status) \(type): \(message)" }

    public enum Detail: Sendable, Equatable {
        case string(String)
        case integer(Int)
        case number(Double)
        case strings([String])

        var json: Any {
            switch self {
            case .string(let value): return value
            case .integer(let value): return value
            case .number(let value): return value
            case .strings(let value): return value
            }
        }
    }

    /// Why a client body was not read (`JSONParser`'s rules).
    static let invalidBodyMessage = "Request body must be a JSON object (valid JSON, no repeated keys, at most 512 levels deep and 2,000,000 values)"
    public static func badRequest(_ message: String) -> RelayError { RelayError(400, "invalid_request_error", message) }
    public static func unauthorized(_ message: String) -> RelayError { RelayError(401, "authentication_error", message) }
    public static func forbidden(_ message: String) -> RelayError { RelayError(403, "permission_error", message) }
    public static func unavailable(_ message: String) -> RelayError { RelayError(503, "overloaded_error", message) }

    /// Redis is unreachable: a retry after a moment can succeed (the client is told when).
    public static var storeUnavailable: RelayError {
        var error = RelayError(503, "overloaded_error", "The relay cannot reach its store right now; retry shortly")
        error.headers["retry-after"] = "2"
        return error
    }

    /// The Anthropic error envelope: `{"type":"error","error":{"type","message"}, …extras}` — no `request_id`,
    /// which is how a client tells a relay refusal from an upstream answer.
    public var anthropicResponse: Response {
        var object: [String: Any] = ["type": "error", "error": ["type": type, "message": message]]
        for (key, value) in details { object[key] = value.json }
        var fields = HTTPFields()
        fields[.contentType] = "application/json"
        for (name, value) in headers { if let field = HTTPField.Name(name) { fields[field] = value } }
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(data: JSON.data(object))))
    }
}
