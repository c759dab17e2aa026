import AWSProtocols
import Foundation

/// What a Bedrock account signs with: access keys (SigV4, optionally a session token) or a Bedrock API key
/// (`Authorization: Bearer`). Decrypted from the account's `awsCredentials` JSON.
enum BedrockCredentials: Sendable {
    case accessKey(SigV4.Credentials)
    case bearer(String)

    init?(json: String) {
        guard let object = JSON.object(Data(json.utf8)) else { return nil }
        if let token = object["bearerToken"] as? String, !token.isEmpty {
            self = .bearer(token)
        } else if let id = object["accessKeyId"] as? String, let secret = object["secretAccessKey"] as? String, !id.isEmpty, !secret.isEmpty {
            self = .accessKey(SigV4.Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: (object["sessionToken"] as? String).flatMap { $0.isEmpty ? nil : $0 }))
        } else {
            return nil
        }
    }
}
