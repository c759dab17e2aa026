import Foundation
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1

/// Responses the relay builds the same way for every family.
enum RelayResponses {
    /// The upstream's status and body, with its content type and request id — never rewrapped.
    static func passThrough(status: Int, headers upstream: HTTPHeaders, body: ByteBuffer) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = upstream.first(name: "content-type") ?? "application/json"
        for name in ["request-id", "retry-after", "x-should-retry"] {
            if let value = upstream.first(name: name), let field = HTTPField.Name(name) { headers[field] = value }
        }
        return Response(status: .init(code: status), headers: headers, body: .init(byteBuffer: body))
    }

    static func relayError(_ failure: AccountScheduler.Failure, family: String, now: Date) -> RelayError {
        switch failure {
        case .boundAccountRateLimited(let name, let until):
            var error = RelayError(429, "rate_limit_error", "The account bound to this key (\(name)) is rate limited until \(ISOTime.string(until))")
            error.headers["retry-after"] = String(max(1, Int(until.timeIntervalSince(now).rounded(.up))))
            error.details["resetAt"] = .string(ISOTime.string(until))
            return error
        case .boundAccountUnavailable(let name, let reason):
            return RelayError.unavailable("The account bound to this key (\(name)) is unavailable: \(reason)")
        case .boundAccountMissing(let id):
            return RelayError.unavailable("The account bound to this key (\(id)) does not exist")
        case .noAccount(let model):
            return RelayError.unavailable("No available \(family) account serves model \(model)")
        case .boundAccountBusy(let name):
            var error = RelayError(429, "rate_limit_error", "The account bound to this key (\(name)) is at its concurrency limit")
            error.headers["retry-after"] = "1"
            return error
        case .allAccountsBusy(let model):
            var error = RelayError(429, "rate_limit_error", "Every \(family) account serving \(model) is at its concurrency limit")
            error.headers["retry-after"] = "1"
            return error
        }
    }
}
