import AWSProtocols
import Foundation
import Hummingbird
import NIOCore

/// Checks a Bedrock request's credentials the way AWS does: SigV4 recomputed over the received request (the
/// wire path, every signed header, the body hash), a known access key, a fresh timestamp — or a Bedrock API key
/// as a bearer token. Refusals carry AWS's error names.
struct FakeBedrockAuth {
    struct Refusal: Error {
        let status: Int
        let name: String
        let message: String
    }

    let keys: [String: String]
    let bearerTokens: Set<String>

    func check(_ request: Request, body: [UInt8]) throws {
        let authorization = request.headers[.authorization] ?? ""
        if authorization.lowercased().hasPrefix("bearer ") {
            let token = String(authorization.dropFirst(7))
            guard bearerTokens.isEmpty || bearerTokens.contains(token) else {
                throw Refusal(status: 403, name: "UnrecognizedClientException", message: "The security token included in the request is invalid.")
            }
            return
        }
        guard authorization.hasPrefix("AWS4-HMAC-SHA256 ") else {
            throw Refusal(status: 403, name: "MissingAuthenticationTokenException", message: "Missing Authentication Token")
        }
        var parts: [String: String] = [:]
        for item in authorization.dropFirst("AWS4-HMAC-SHA256 ".count).split(separator: ",") {
            let pair = item.trimmingCharacters(in: .whitespaces).split(separator: "=", maxSplits: 1).map(String.init)
            if pair.count == 2 { parts[pair[0]] = pair[1] }
        }
        let scope = (parts["Credential"] ?? "").split(separator: "/").map(String.init)
        guard scope.count == 5, scope[3] == "bedrock", scope[4] == "aws4_request", let signedHeaders = parts["SignedHeaders"],
              let signature = parts["Signature"] else {
            throw Refusal(status: 400, name: "IncompleteSignatureException", message: "Authorization header requires Credential, SignedHeaders and Signature.")
        }
        guard let secret = keys[scope[0]] else {
            throw Refusal(status: 403, name: "UnrecognizedClientException", message: "The security token included in the request is invalid.")
        }
        guard let stamp = request.headers[.init("x-amz-date")!], let date = Self.parse(stamp), abs(date.timeIntervalSinceNow) < 300 else {
            throw Refusal(status: 403, name: "InvalidSignatureException", message: "Signature expired or X-Amz-Date missing.")
        }
        let names = signedHeaders.split(separator: ";").map(String.init)
        guard names.contains("host"), names.contains("x-amz-date") else {
            throw Refusal(status: 403, name: "InvalidSignatureException", message: "host and x-amz-date must be signed.")
        }
        var headers: [(String, String)] = []
        for name in names {
            // HTTP/1's Host header arrives as the request's authority, not among the header fields.
            let values = name == "host" ? [request.head.authority].compactMap { $0 } : request.headers[values: .init(name)!]
            guard !values.isEmpty else { throw Refusal(status: 403, name: "InvalidSignatureException", message: "Signed header \(name) is missing.") }
            for value in values { headers.append((name, value)) }
        }
        let expected = SigV4(service: "bedrock", region: scope[2]).sign(
            method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "", headers: headers, body: body,
            credentials: .init(accessKeyID: scope[0], secretAccessKey: secret), date: date)
        guard expected.signature == signature else {
            throw Refusal(status: 403, name: "InvalidSignatureException",
                          message: "The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.")
        }
    }

    static func parse(_ stamp: String) -> Date? {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "UTC")
        formatter.dateFormat = "yyyyMMdd'T'HHmmss'Z'"
        return formatter.date(from: stamp)
    }
}
