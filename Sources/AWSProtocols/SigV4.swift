import Crypto
import Foundation

/// AWS Signature Version 4 for a request (docs/reference/upstream-wire.md), written from the specification: canonical request
/// (every path segment URI-encoded twice for services other than S3 — Bedrock model ids carry `%3A` on the
/// wire and `%253A` in the canonical URI), string to sign, derived signing key, `Authorization` header.
public struct SigV4: Sendable {
    public struct Credentials: Sendable, Equatable {
        public let accessKeyID: String
        public let secretAccessKey: String
        public let sessionToken: String?

        public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
            self.accessKeyID = accessKeyID
            self.secretAccessKey = secretAccessKey
            self.sessionToken = sessionToken
        }
    }

    /// What signing produced, for tests and for a verifier to compare.
    public struct Signature: Sendable, Equatable {
        public let canonicalRequest: String
        public let stringToSign: String
        public let signingKey: [UInt8]
        public let signature: String
        public let signedHeaders: String
        public let authorization: String
    }

    public let service: String
    public let region: String

    public init(service: String, region: String) {
        self.service = service
        self.region = region
    }

    /// Signs `method path?query` with `headers` (must include `host`; `x-amz-date` and, for session credentials,
    /// `x-amz-security-token` are added by `headersToAdd`).
    public func sign(method: String, path: String, query: String = "", headers: [(String, String)], body: [UInt8],
                     credentials: Credentials, date: Date) -> Signature {
        let amzDate = Self.amzDate(date)
        let scopeDate = String(amzDate.prefix(8))
        var all = headers.map { ($0.0.lowercased(), Self.trimmed($0.1)) }
        if !all.contains(where: { $0.0 == "x-amz-date" }) { all.append(("x-amz-date", amzDate)) }
        if let token = credentials.sessionToken, !all.contains(where: { $0.0 == "x-amz-security-token" }) {
            all.append(("x-amz-security-token", token))
        }
        // Same-named headers join with commas, in order.
        var merged: [String: [String]] = [:]
        for (name, value) in all { merged[name, default: []].append(value) }
        let names = merged.keys.sorted()
        let canonicalHeaders = names.map { "\($0):\(merged[$0]!.joined(separator: ","))\n" }.joined()
        let signedHeaders = names.joined(separator: ";")
        let canonicalRequest = [
            method.uppercased(), Self.canonicalURI(path), Self.canonicalQuery(query), canonicalHeaders, signedHeaders,
            Self.hex(SHA256.hash(data: body)),
        ].joined(separator: "\n")
        let scope = "\(scopeDate)/\(region)/\(service)/aws4_request"
        let stringToSign = ["AWS4-HMAC-SHA256", amzDate, scope, Self.hex(SHA256.hash(data: Array(canonicalRequest.utf8)))].joined(separator: "\n")
        let key = signingKey(secret: credentials.secretAccessKey, date: scopeDate)
        let signature = Self.hex(HMAC<SHA256>.authenticationCode(for: Array(stringToSign.utf8), using: SymmetricKey(data: key)))
        let authorization = "AWS4-HMAC-SHA256 Credential=\(credentials.accessKeyID)/\(scope), SignedHeaders=\(signedHeaders), Signature=\(signature)"
        return Signature(canonicalRequest: canonicalRequest, stringToSign: stringToSign, signingKey: key, signature: signature,
                         signedHeaders: signedHeaders, authorization: authorization)
    }

    /// kSigning = HMAC(HMAC(HMAC(HMAC("AWS4" + secret, date), region), service), "aws4_request")
    public func signingKey(secret: String, date: String) -> [UInt8] {
        var key = Array("AWS4\(secret)".utf8)
        for part in [date, region, service, "aws4_request"] {
            key = Array(HMAC<SHA256>.authenticationCode(for: Array(part.utf8), using: SymmetricKey(data: key)))
        }
        return key
    }

    /// The headers a signed request carries besides those it was signed with.
    public static func headersToAdd(_ signature: Signature, date: Date, credentials: Credentials) -> [(String, String)] {
        var headers = [("x-amz-date", amzDate(date)), ("authorization", signature.authorization)]
        if let token = credentials.sessionToken { headers.append(("x-amz-security-token", token)) }
        return headers
    }

    // MARK: canonical forms

    static let unreserved: Set<UInt8> = Set(Array("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~".utf8))

    /// RFC 3986 encoding with uppercase hex, every byte outside the unreserved set.
    public static func uriEncode(_ text: String) -> String {
        var result = ""
        for byte in text.utf8 {
            if unreserved.contains(byte) { result.append(Character(UnicodeScalar(byte))) } else { result += String(format: "%%%02X", byte) }
        }
        return result
    }

    /// Each segment of the (already wire-encoded) path encoded again; empty path → `/`.
    public static func canonicalURI(_ path: String) -> String {
        guard !path.isEmpty else { return "/" }
        return path.split(separator: "/", omittingEmptySubsequences: false).map { uriEncode(String($0)) }.joined(separator: "/")
    }

    static func canonicalQuery(_ query: String) -> String {
        guard !query.isEmpty else { return "" }
        var pairs: [(name: String, value: String)] = []
        for pair in query.split(separator: "&") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).removingPercentEncoding ?? String($0) }
            pairs.append((uriEncode(parts[0]), uriEncode(parts.count > 1 ? parts[1] : "")))
        }
        pairs.sort { left, right in left.name == right.name ? left.value < right.value : left.name < right.name }
        return pairs.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
    }

    static func trimmed(_ value: String) -> String {
        value.split(whereSeparator: { $0 == " " || $0 == "\t" }).joined(separator: " ")
    }

    public static func amzDate(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970)
        var parts = tm()
        gmtime_r(&seconds, &parts)
        let year = Int(parts.tm_year) + 1900
        let month = Int(parts.tm_mon) + 1
        let day = Int(parts.tm_mday)
        let time = [Int(parts.tm_hour), Int(parts.tm_min), Int(parts.tm_sec)].map { String(format: "%02d", $0) }.joined()
        return String(format: "%04d%02d%02d", year, month, day) + "T" + time + "Z"
    }

    static func hex<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        bytes.map { String(format: "%02x", $0) }.joined()
    }
}
