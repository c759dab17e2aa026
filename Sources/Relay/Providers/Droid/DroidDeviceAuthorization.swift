import AsyncHTTPClient
import Foundation
import NIOCore

/// Node's way to add a Droid OAuth account: WorkOS's device authorization. `start` asks WorkOS for a device code and
/// the code the admin enters on WorkOS's page; `complete` asks once whether it was approved (pending: say so and
/// when to ask again). Once approved, the token is scoped to the user's Factory organisation — asked of Factory's
/// CLI endpoint and granted by a WorkOS refresh with `organization_id` — as Factory serves organisation members. The
/// session lives in `oauth:{id}` (platform `droid`) with the device code; tokens never reach the browser.
struct DroidDeviceAuthorization: Sendable {
    enum Outcome {
        case pending(code: String, retryAfter: Int, expiresIn: Int?)
        case approved(OAuthOnboarding.Exchanged)
    }

    let onboarding: OAuthOnboarding
    let clients: UpstreamHTTPClients
    /// Factory's app (`/api/cli/org`), `CRS_DROID_APP_URL`.
    let appURL: String

    var provider: OAuthProvider { onboarding.refresher.providers.droid }

    func start(proxy: String) async throws -> [String: Any] {
        let upstreamProxy = JSON.object(Data(proxy.utf8)).flatMap(UpstreamProxy.init)
        let reply = try await onboarding.endpoint.startDevice(provider, proxy: upstreamProxy)
        guard let device = reply["device_code"] as? String, let user = reply["user_code"] as? String, let page = reply["verification_uri"] as? String else {
            throw OAuthFailure.malformedReply("WorkOS's device authorization has no device_code / user_code / verification_uri")
        }
        let expiresIn = JSON.int(reply["expires_in"]) ?? 300
        let interval = JSON.int(reply["interval"]) ?? 5
        let complete = reply["verification_uri_complete"] as? String ?? page
        let now = onboarding.clock.now
        let id = try await onboarding.sessions.create(platform: provider.platform, pkce: PKCE(verifier: "", challenge: "", state: ""), proxy: proxy,
                                                      variant: "device", extra: [
                                                          "deviceCode": device, "userCode": user, "interval": String(interval),
                                                          "deviceExpiresAt": ISOTime.string(now.addingTimeInterval(TimeInterval(expiresIn))),
                                                      ])
        return ["sessionId": id, "userCode": user, "verificationUri": page, "verificationUriComplete": complete, "expiresIn": expiresIn,
                "interval": interval, "instructions": ["Open the link and enter the code (or open the complete link)",
                                                       "Sign in to Factory / Droid and allow access", "Come back and complete the authorization"]]
    }

    func complete(sessionID: String) async throws -> Outcome {
        guard let session = try await onboarding.sessions.get(sessionID, platform: provider.platform), let device = session.extra["deviceCode"] else {
            throw OAuthOnboarding.Failure.unknownSession
        }
        let proxy = JSON.object(Data(session.proxy.utf8)).flatMap(UpstreamProxy.init)
        let expiresAt = session.extra["deviceExpiresAt"].flatMap(ISOTime.parse)
        let grant: OAuthGrant
        do {
            grant = try await onboarding.endpoint.deviceGrant(provider, deviceCode: device, proxy: proxy)
        } catch OAuthFailure.refused(_, let code, _) where code == "authorization_pending" || code == "slow_down" {
            let left = expiresAt.map { max(0, Int($0.timeIntervalSince(onboarding.clock.now))) }
            return .pending(code: code, retryAfter: Int(session.extra["interval"] ?? "") ?? 5, expiresIn: left)
        } catch let failure as OAuthFailure {
            if case .refused(_, "expired_token", _) = failure { await onboarding.finish(sessionID) }
            throw OAuthOnboarding.Failure.grantFailed(failure)
        }
        return .approved(try await scoped(grant, proxy: session.proxy))
    }

    /// Node's manual mode: an admin pastes a WorkOS refresh token; it is checked by refreshing it at once (and scoped
    /// to the user's organisation), so a bad one is refused before any account exists.
    func fromRefreshToken(_ refreshToken: String, proxy: String) async throws -> OAuthOnboarding.Exchanged {
        let upstreamProxy = JSON.object(Data(proxy.utf8)).flatMap(UpstreamProxy.init)
        do {
            let grant = try await onboarding.endpoint.refresh(provider, refreshToken: refreshToken, proxy: upstreamProxy)
            return try await scoped(grant, proxy: proxy, previousRefreshToken: refreshToken)
        } catch let failure as OAuthFailure {
            throw OAuthOnboarding.Failure.grantFailed(failure)
        }
    }

    /// A grant made organisation-scoped when it is not (Factory's /api/cli/org, then a refresh with organization_id),
    /// as account fields and what the admin API may show.
    private func scoped(_ first: OAuthGrant, proxy: String, previousRefreshToken: String? = nil) async throws -> OAuthOnboarding.Exchanged {
        let upstreamProxy = JSON.object(Data(proxy.utf8)).flatMap(UpstreamProxy.init)
        var grant = first
        let refreshToken = first.refreshToken ?? previousRefreshToken
        if (grant.raw["organization_id"] as? String ?? "").isEmpty, let refreshToken,
           let organization = await organizations(token: grant.accessToken, proxy: upstreamProxy).first {
            do {
                grant = try await onboarding.endpoint.refresh(provider, refreshToken: refreshToken, proxy: upstreamProxy, extraFields: [("organization_id", organization)])
            } catch let failure as OAuthFailure {
                throw OAuthOnboarding.Failure.grantFailed(failure)
            }
        }
        var fields = OAuthAccountLayout.droid.fields(for: grant, previousRefreshToken: refreshToken, now: onboarding.clock.now, defaultLifetime: 8 * 3600)
        if !proxy.isEmpty { fields["proxy"] = proxy }
        var summary: [String: Any] = ["expiresAt": fields["expiresAt"] ?? "", "authenticationMethod": fields["authenticationMethod"] ?? "oauth"]
        if let organization = fields["organizationId"] { summary["organizationId"] = organization }
        if let email = fields["ownerEmail"] { summary["ownerEmail"] = email }
        return OAuthOnboarding.Exchanged(fields: fields, summary: summary)
    }

    /// The WorkOS organisations the user belongs to, as Factory's CLI asks for them (none on any failure).
    private func organizations(token: String, proxy: UpstreamProxy?) async -> [String] {
        var request = HTTPClientRequest(url: UpstreamBaseURL.trimmed(appURL) + "/api/cli/org")
        request.headers.add(name: "authorization", value: "Bearer \(token)")
        request.headers.add(name: "accept", value: "application/json")
        request.headers.add(name: "x-factory-client", value: "cli")
        request.headers.add(name: "user-agent", value: DroidDialect.defaultUserAgent)
        guard let response = try? await clients.client(for: proxy).execute(request, timeout: .seconds(15)), response.status == .ok,
              let body = try? await response.body.collect(upTo: 1 << 20), let object = JSON.object(Data(buffer: body)) else { return [] }
        return (object["workosOrgIds"] as? [Any])?.compactMap { $0 as? String } ?? []
    }
}
