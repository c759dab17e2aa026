import Foundation

/// Create/edit bodies of Bedrock accounts (Node's `POST /admin/bedrock-accounts`): region, default model,
/// `credentialType` (`access_key` with `awsCredentials: {accessKeyId, secretAccessKey, sessionToken?}`, or
/// `bearer_token` with `bearerToken` — a Bedrock API key), and `endpoint`, an override of
/// `https://bedrock-runtime.{region}.amazonaws.com` (VPC endpoints, proxies, the fake).
extension AccountInput {
    static func bedrock(_ body: [String: Any], into fields: inout [String: String], creating: Bool) throws {
        if let region = body["region"] as? String {
            guard region.range(of: #"^[a-z]{2}(-[a-z]+)+-\d$"#, options: .regularExpression) != nil else {
                throw Invalid(field: "region", reason: "must be an AWS region such as us-east-1")
            }
            fields["region"] = region
        } else if creating {
            fields["region"] = "us-east-1"
        }
        if let model = body["defaultModel"] as? String { fields["defaultModel"] = model.trimmingCharacters(in: .whitespaces) }
        if let raw = body["endpoint"], !(raw is NSNull) {
            let text = ((raw as? String) ?? "").trimmingCharacters(in: .whitespaces)
            if !text.isEmpty {
                guard let url = URL(string: text), ["http", "https"].contains(url.scheme?.lowercased() ?? ""), url.host != nil else {
                    throw Invalid(field: "endpoint", reason: "must be an http(s) URL")
                }
            }
            fields["endpoint"] = text
        }
        var type = body["credentialType"] as? String
        if let type, !["access_key", "bearer_token"].contains(type) {
            throw Invalid(field: "credentialType", reason: "must be access_key or bearer_token (the AWS default chain is not available to the relay)")
        }
        var credentials: [String: String]?
        if let token = body["bearerToken"] as? String, !token.isEmpty {
            credentials = ["bearerToken": token]
            type = type ?? "bearer_token"
        } else if let aws = body["awsCredentials"] as? [String: Any], !aws.isEmpty {
            guard let id = aws["accessKeyId"] as? String, !id.isEmpty, let secret = aws["secretAccessKey"] as? String, !secret.isEmpty else {
                throw Invalid(field: "awsCredentials", reason: "needs accessKeyId and secretAccessKey")
            }
            credentials = ["accessKeyId": id, "secretAccessKey": secret]
            if let token = aws["sessionToken"] as? String, !token.isEmpty { credentials?["sessionToken"] = token }
            type = type ?? "access_key"
        }
        if let credentials {
            if type == "bearer_token", credentials["bearerToken"] == nil { throw Invalid(field: "bearerToken", reason: "is required for bearer_token") }
            if type == "access_key", credentials["accessKeyId"] == nil { throw Invalid(field: "awsCredentials", reason: "is required for access_key") }
            fields["awsCredentials"] = JSON.string(credentials)
        } else if creating {
            throw Invalid(field: "awsCredentials", reason: "awsCredentials {accessKeyId, secretAccessKey} or bearerToken is required")
        }
        if let type { fields["credentialType"] = type }
        if creating { fields["type"] = "bedrock" }
    }
}
