import AWSProtocols
import Foundation
import NIOCore
import NIOHTTP1

/// An Anthropic Messages request as Bedrock's `InvokeModel` / `InvokeModelWithResponseStream` (docs/reference/upstream-wire.md):
/// `POST {endpoint}/model/{id}/invoke[-with-response-stream]`, the id percent-encoded on the wire; the body
/// without `model` and `stream`, with `anthropic_version: bedrock-2023-05-31`, `cache_control` reduced to its
/// `type` (Bedrock refuses other keys) and adaptive thinking turned into an explicit budget; SigV4-signed
/// (service `bedrock`) or with the account's Bedrock API key as a bearer token.
enum BedrockUpstreamRequest {
    static let anthropicVersion = "bedrock-2023-05-31"

    static func build(account: AccountRecord, credentials: BedrockCredentials, body json: [String: Any], upstreamModel: String,
                      stream: Bool, now: Date) -> UpstreamRequest {
        let region = account.nonEmpty("region") ?? "us-east-1"
        let modelID = BedrockModels.bedrockID(for: upstreamModel, region: region, defaultModel: account.nonEmpty("defaultModel"))
        let base = UpstreamBaseURL.trimmed(account.nonEmpty("endpoint") ?? "https://bedrock-runtime.\(region).amazonaws.com")
        let components = URLComponents(string: base)
        let basePath = components?.percentEncodedPath ?? ""
        let path = basePath + "/model/" + SigV4.uriEncode(modelID) + (stream ? "/invoke-with-response-stream" : "/invoke")
        var host = components?.host ?? ""
        if let port = components?.port { host += ":\(port)" }
        let payload = Array(JSON.data(bodyForBedrock(json)))

        var headers = HTTPHeaders()
        headers.add(name: "host", value: host)
        headers.add(name: "content-type", value: "application/json")
        if stream {
            headers.add(name: "accept", value: "application/vnd.amazon.eventstream")
            headers.add(name: "x-amzn-bedrock-accept", value: "application/json")
        } else {
            headers.add(name: "accept", value: "application/json")
        }
        switch credentials {
        case .bearer(let token):
            headers.add(name: "authorization", value: "Bearer \(token)")
        case .accessKey(let keys):
            let signature = SigV4(service: "bedrock", region: region).sign(
                method: "POST", path: path, headers: headers.map { ($0.name, $0.value) }, body: payload, credentials: keys, date: now)
            for (name, value) in SigV4.headersToAdd(signature, date: now, credentials: keys) { headers.replaceOrAdd(name: name, value: value) }
        }
        let scheme = components?.scheme ?? "https"
        return UpstreamRequest(url: "\(scheme)://\(host)\(path)", headers: headers, body: ByteBuffer(bytes: payload), proxy: account.proxy)
    }

    static func bodyForBedrock(_ json: [String: Any]) -> [String: Any] {
        var body = json
        body.removeValue(forKey: "model")
        body.removeValue(forKey: "stream")
        body["anthropic_version"] = anthropicVersion
        if body["max_tokens"] == nil { body["max_tokens"] = 4096 }
        if var thinking = body["thinking"] as? [String: Any], thinking["type"] as? String == "adaptive" {
            thinking["type"] = "enabled"
            thinking["budget_tokens"] = max(1024, (JSON.int(body["max_tokens"]) ?? 4096) - 1)
            body["thinking"] = thinking
        }
        return reducingCacheControl(body) as? [String: Any] ?? body
    }

    /// Every `cache_control` object keeps only its `type` (a `ttl` or `scope` is a ValidationException).
    static func reducingCacheControl(_ value: Any) -> Any {
        if var object = value as? [String: Any] {
            for (key, child) in object {
                if key == "cache_control", let control = child as? [String: Any] {
                    object[key] = ["type": control["type"] ?? "ephemeral"]
                } else {
                    object[key] = reducingCacheControl(child)
                }
            }
            return object
        }
        if let array = value as? [Any] { return array.map(reducingCacheControl) }
        return value
    }
}
