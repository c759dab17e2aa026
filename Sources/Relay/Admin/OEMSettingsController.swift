import Foundation
import Hummingbird

/// Branding (`/admin/oem-settings`): readable before login (the login page shows it), written only by an admin.
/// Stored as Node does: the JSON string `oem:settings` (docs/reference/data-layout.md).
struct OEMSettingsController {
    let redis: RedisClient
    let clock: RelayClock

    static var defaults: [String: Any] {
        ["siteName": "Claude Relay Service", "siteIcon": "", "siteIconData": "", "showAdminButton": true, "updatedAt": NSNull()]
    }

    func registerPublic(on open: RouterGroup<RelayRequestContext>) {
        open.get("oem-settings") { _, _ -> Response in
            AdminReply.data(try await current())
        }
    }

    func registerProtected(on admin: RouterGroup<RelayRequestContext>) {
        admin.put("oem-settings") { request, _ -> Response in
            let body = try await AdminReply.body(request, limit: 1 << 20)
            var settings = try await current()
            if let name = body["siteName"] {
                guard let text = (name as? String)?.trimmingCharacters(in: .whitespaces), !text.isEmpty, text.count <= 100 else {
                    throw AdminError(400, "Invalid siteName", "siteName: 1 to 100 characters")
                }
                settings["siteName"] = text
            }
            if let icon = body["siteIcon"] {
                guard let text = icon as? String ?? (icon is NSNull ? "" : nil), text.count <= 2048 else {
                    throw AdminError(400, "Invalid siteIcon", "siteIcon: a URL of at most 2048 characters, or empty")
                }
                settings["siteIcon"] = text
            }
            if let data = body["siteIconData"] {
                guard let text = data as? String ?? (data is NSNull ? "" : nil), text.count <= 500_000 else {
                    throw AdminError(400, "Invalid siteIconData", "siteIconData: base64 image data of at most 500000 characters")
                }
                settings["siteIconData"] = text
            }
            if let show = body["showAdminButton"] {
                guard let flag = JSON.bool(show) else { throw AdminError(400, "Invalid showAdminButton", "showAdminButton: true or false") }
                settings["showAdminButton"] = flag
            }
            settings["updatedAt"] = ISOTime.string(clock.now)
            try await redis.send("SET", RedisArgument(RedisKeys.oemSettings), RedisArgument(JSON.string(settings)))
            return AdminReply.data(settings, ["message": "OEM settings saved"])
        }
    }

    private func current() async throws -> [String: Any] {
        guard let text = try await redis.send("GET", RedisArgument(RedisKeys.oemSettings)).string,
              let stored = JSON.object(Data(text.utf8)) else { return Self.defaults }
        return Self.defaults.merging(stored) { _, new in new }
    }
}
