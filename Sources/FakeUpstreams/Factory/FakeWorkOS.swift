import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// A fake of WorkOS user management, the authorization server of Droid (Factory.ai) OAuth accounts, and of Factory's
/// CLI organisation lookup:
/// - `POST /workos/user_management/authorize/device` (form `client_id`) → `{device_code, user_code, verification_uri,
///   verification_uri_complete, expires_in, interval}`;
/// - `GET /workos/device?user_code=…` — the user approves (the fake's stand-in for the browser page);
/// - `POST /workos/user_management/authenticate` (form): the device-code grant (`authorization_pending` until approved,
///   then tokens once) and the refresh grant (refresh tokens rotate and work only for their client; `organization_id`
///   scopes the new access token);
/// - `GET /factory/api/cli/org` (Bearer WorkOS token) → `{workosOrgIds: [...]}`.
/// Every call is recorded like any other request.
public struct FakeWorkOS: FakeUpstream {
    public static let clientID = "client_01HNM792M5G5G1A2THWPXKFMXB"
    public static let organization = "org_fake_factory_1"

    public static func relayEnvironment(baseURL: String) -> [String: String] {
        ["CRS_DROID_OAUTH_AUTHORIZE_URL": baseURL + "/workos/user_management/authorize/device",
         "CRS_DROID_OAUTH_TOKEN_URL": baseURL + "/workos/user_management/authenticate",
         "CRS_DROID_APP_URL": baseURL + "/factory"]
    }

    public let state: FakeState

    public init(state: FakeState) {
        self.state = state
    }

    public func register(on router: Router<FakeRequestContext>) {
        router.post("workos/user_management/authorize/device") { request, _ in
            let (sequence, form) = try await record(request)
            guard form["client_id"] == Self.clientID else { return finish(sequence, 400, ["error": "invalid_client", "error_description": "Invalid client ID."]) }
            let (device, user) = state.oauth.startDevice(clientID: Self.clientID)
            let page = "http://\(request.head.authority ?? "127.0.0.1")/workos/device"
            return finish(sequence, 200, ["device_code": device, "user_code": user, "verification_uri": page,
                                          "verification_uri_complete": page + "?user_code=" + user, "expires_in": 300, "interval": 5])
        }
        router.get("workos/device") { request, _ in
            let sequence = state.record(request, body: "")
            let code = request.uri.queryParameters["user_code"].map(String.init) ?? ""
            return state.oauth.approveDevice(userCode: code) ? finish(sequence, 200, ["approved": true]) : finish(sequence, 404, ["error": "unknown user code"])
        }
        router.post("workos/user_management/authenticate") { request, _ in try await authenticate(request) }
        router.get("factory/api/cli/org") { request, _ in
            let sequence = state.record(request, body: "")
            let bearer = request.headers[.authorization].flatMap { $0.lowercased().hasPrefix("bearer ") ? String($0.dropFirst(7)) : nil } ?? ""
            guard state.oauth.accessStatus(bearer) == .valid else { return finish(sequence, 401, ["error": "unauthorized"]) }
            return finish(sequence, 200, ["workosOrgIds": [Self.organization]])
        }
    }

    private func authenticate(_ request: Request) async throws -> Response {
        let (sequence, form) = try await record(request)
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else {
            return finish(sequence, 400, ["error": "invalid_request", "error_description": "form body required"])
        }
        do {
            let issued: FakeOAuthGrants.Issued
            var organization: String?
            switch form["grant_type"] {
            case "urn:ietf:params:oauth:grant-type:device_code"?:
                issued = try state.oauth.pollDevice(deviceCode: form["device_code"] ?? "", clientID: form["client_id"] ?? "")
            case "refresh_token"?:
                guard form["client_id"] == Self.clientID else { throw FakeOAuthGrants.GrantError.invalidClient("Invalid client ID.") }
                issued = try state.oauth.refresh(.workos, refreshToken: form["refresh_token"] ?? "", clientID: form["client_id"] ?? "")
                if let wanted = form["organization_id"], !wanted.isEmpty {
                    guard wanted == Self.organization else { throw FakeOAuthGrants.GrantError.invalidGrant("The user is not a member of this organization") }
                    state.oauth.scope(issued.accessToken, to: wanted)
                    organization = wanted
                }
            default:
                return finish(sequence, 400, ["error": "unsupported_grant_type", "error_description": "grant_type"])
            }
            var reply: [String: Any] = ["access_token": issued.accessToken, "authentication_method": "GoogleOAuth",
                                        "user": ["id": "user_fake_1", "email": "droid-user@example.test", "first_name": "Droid"]]
            if let refresh = issued.refreshToken { reply["refresh_token"] = refresh }
            if let organization { reply["organization_id"] = organization }
            return finish(sequence, 200, reply)
        } catch let error as FakeOAuthGrants.GrantError {
            switch error {
            case .authorizationPending: return finish(sequence, 400, ["error": "authorization_pending", "error_description": "Authorization pending"])
            case .invalidGrant(let message): return finish(sequence, 400, ["error": "invalid_grant", "error_description": message])
            case .invalidRequest(let message): return finish(sequence, 400, ["error": "invalid_request", "error_description": message])
            case .invalidClient(let message), .unauthorizedClient(let message):
                return finish(sequence, 401, ["error": "invalid_client", "error_description": message])
            }
        }
    }

    private func record(_ request: Request) async throws -> (Int, [String: String]) {
        let body = String(buffer: try await request.body.collect(upTo: 1 << 20))
        return (state.record(request, body: body), FormEncodingLite.decode(body))
    }

    private func finish(_ sequence: Int, _ status: Int, _ object: [String: Any]) -> Response {
        state.finished(sequence, FakeOAuthServer.json(status, object))
    }
}
