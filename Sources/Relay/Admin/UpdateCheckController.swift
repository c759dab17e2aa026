import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// `GET /admin/check-updates`: the running version, and — when `CRS_UPDATE_CHECK_URL` names a release feed (a
/// GitHub "latest release" API URL) — the latest release, cached for an hour. Without a feed, or when it cannot be
/// reached within 10 s, the answer says so (`latest` = current, `hasUpdate: false`, `checked: false`) instead of
/// failing: the header calls this on every page.
final class UpdateCheckController: Sendable {
    let feedURL: String?
    struct Release: Sendable {
        let latest: String
        let notes: String?
        let url: String?
    }

    private let cache = NIOLockedValueBox<(at: ContinuousClock.Instant, release: Release)?>(nil)

    init(feedURL: String?) {
        self.feedURL = feedURL
    }

    func register(on admin: RouterGroup<RelayRequestContext>) {
        admin.get("check-updates") { request, _ -> Response in
            let force = request.uri.queryParameters.get("force") == "true"
            return AdminReply.data(await self.status(force: force))
        }
    }

    func status(force: Bool) async -> [String: Any] {
        if !force, let cached = cache.withLockedValue({ $0 }), ContinuousClock.now - cached.at < .seconds(3600) {
            return Self.present(cached.release, cached: true)
        }
        var value: [String: Any] = [
            "current": RelayVersion.current, "latest": RelayVersion.current, "hasUpdate": false, "releaseInfo": NSNull(),
            "checked": false, "cached": false,
        ]
        guard let feedURL, !feedURL.isEmpty else {
            value["reason"] = "no release feed configured (CRS_UPDATE_CHECK_URL)"
            return value
        }
        do {
            var request = HTTPClientRequest(url: feedURL)
            request.headers.add(name: "accept", value: "application/vnd.github+json")
            request.headers.add(name: "user-agent", value: "claude-relay-service-swift/\(RelayVersion.current)")
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(10))
            let body = try await response.body.collect(upTo: 1 << 20)
            guard response.status == .ok, let release = JSON.object(Data(buffer: body)), let tag = release["tag_name"] as? String else {
                value["reason"] = "release feed answered \(response.status.code)"
                return value
            }
            let found = Release(latest: tag.hasPrefix("v") ? String(tag.dropFirst()) : tag,
                                notes: release["body"] as? String, url: release["html_url"] as? String)
            cache.withLockedValue { $0 = (ContinuousClock.now, found) }
            return Self.present(found, cached: false)
        } catch {
            value["reason"] = "release feed unreachable"
        }
        return value
    }

    static func present(_ release: Release, cached: Bool) -> [String: Any] {
        [
            "current": RelayVersion.current, "latest": release.latest, "hasUpdate": isNewer(release.latest, than: RelayVersion.current),
            "releaseInfo": release.notes.map { $0 as Any } ?? NSNull(), "releaseURL": release.url.map { $0 as Any } ?? NSNull(),
            "checked": true, "cached": cached,
        ]
    }

    static func isNewer(_ candidate: String, than current: String) -> Bool {
        let a = candidate.split(separator: ".").map { Int($0.prefix { $0.isNumber }) ?? 0 }
        let b = current.split(separator: ".").map { Int($0.prefix { $0.isNumber }) ?? 0 }
        for index in 0..<max(a.count, b.count) {
            let x = index < a.count ? a[index] : 0, y = index < b.count ? b[index] : 0
            if x != y { return x > y }
        }
        return false
    }
}
