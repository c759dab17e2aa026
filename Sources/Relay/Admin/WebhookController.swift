import Foundation
import Hummingbird

/// `/admin/webhook/…` with Node's paths and shapes (admin UI contract (docs/admin-ui.md): the settings page's notification tab):
/// the config (`{success, config}`), platforms add/edit/delete/toggle, and test sends that really deliver.
/// Platform secrets (DingTalk `secret`, Telegram `botToken`) are masked in replies; a masked value posted back
/// keeps the stored one.
struct WebhookController {
    let store: WebhookConfigStore
    let sender: WebhookSender
    let clock: RelayClock

    func register(on admin: RouterGroup<RelayRequestContext>) {
        admin.get("webhook/config") { _, _ -> Response in
            AdminReply.ok(["config": try await store.load().presented])
        }
        admin.post("webhook/config") { request, _ -> Response in
            let body = try await AdminReply.body(request)
            var config = try await store.load()
            if let enabled = body["enabled"] { config.object["enabled"] = JSON.bool(enabled) ?? false }
            if let types = body["notificationTypes"] as? [String: Any] {
                config.object["notificationTypes"] = types.compactMapValues { JSON.bool($0) }
            }
            if let retry = body["retrySettings"] as? [String: Any] {
                config.object["retrySettings"] = [
                    "maxRetries": min(10, max(0, JSON.int(retry["maxRetries"]) ?? 3)),
                    "retryDelay": min(60_000, max(100, JSON.int(retry["retryDelay"]) ?? 1000)),
                    "timeout": min(60_000, max(1000, JSON.int(retry["timeout"]) ?? 10000)),
                ]
            }
            if let platforms = body["platforms"] as? [[String: Any]] {
                let stored = config
                config.object["platforms"] = try platforms.map { try platform($0, replacing: nil, stored: stored) }
            }
            try await store.save(config)
            return AdminReply.ok(["message": "Webhook configuration saved", "config": config.presented])
        }
        admin.post("webhook/platforms") { request, _ -> Response in
            var config = try await store.load()
            let added = try platform(try await AdminReply.body(request), replacing: nil, stored: config)
            config.object["platforms"] = config.platforms + [added]
            try await store.save(config)
            return AdminReply.ok(["message": "Platform added", "platform": WebhookConfig(object: ["platforms": [added]]).presented["platforms"] ?? []])
        }
        admin.put("webhook/platforms/:id") { request, context -> Response in
            let id = try context.parameters.require("id")
            var config = try await store.load()
            guard let index = config.platforms.firstIndex(where: { $0["id"] as? String == id }) else { throw AdminError(404, "Not Found", "Platform not found") }
            var merged = config.platforms[index]
            merged.merge(try await AdminReply.body(request)) { _, new in new }
            var platforms = config.platforms
            platforms[index] = try platform(merged, replacing: config.platforms[index], stored: config, id: id)
            config.object["platforms"] = platforms
            try await store.save(config)
            return AdminReply.ok(["message": "Platform updated"])
        }
        admin.delete("webhook/platforms/:id") { _, context -> Response in
            let id = try context.parameters.require("id")
            var config = try await store.load()
            guard config.platforms.contains(where: { $0["id"] as? String == id }) else { throw AdminError(404, "Not Found", "Platform not found") }
            config.object["platforms"] = config.platforms.filter { $0["id"] as? String != id }
            try await store.save(config)
            return AdminReply.ok(["message": "Platform deleted"])
        }
        admin.post("webhook/platforms/:id/toggle") { _, context -> Response in
            let id = try context.parameters.require("id")
            var config = try await store.load()
            guard let index = config.platforms.firstIndex(where: { $0["id"] as? String == id }) else { throw AdminError(404, "Not Found", "Platform not found") }
            var platforms = config.platforms
            let enabled = !(JSON.bool(platforms[index]["enabled"]) ?? true)
            platforms[index]["enabled"] = enabled
            config.object["platforms"] = platforms
            try await store.save(config)
            return AdminReply.ok(["message": enabled ? "Platform enabled" : "Platform disabled", "enabled": enabled])
        }
        admin.post("webhook/test") { request, _ -> Response in
            let config = try await store.load()
            let body = try await AdminReply.body(request)
            let stored = (body["id"] as? String).flatMap { id in config.platforms.first { $0["id"] as? String == id } }
            // The settings page's row button posts only the id: test the stored platform (secrets and all).
            let target = try body.count == 1 && stored != nil ? stored! : platform(body, replacing: stored, stored: config)
            switch await sender.send(testMessage(), to: target, config: config) {
            case .delivered: return AdminReply.ok(["message": "Test notification delivered"])
            case .failed(let reason): throw AdminError(502, "Delivery failed", "The platform did not accept the notification: \(reason)")
            }
        }
        admin.post("webhook/test-notification") { _, _ -> Response in
            let config = try await store.load()
            let targets = config.platforms.filter { JSON.bool($0["enabled"]) != false }
            guard !targets.isEmpty else { throw AdminError(400, "Invalid request", "No enabled platform to notify") }
            var delivered = 0
            for target in targets { if case .delivered = await sender.send(testMessage(), to: target, config: config) { delivered += 1 } }
            return AdminReply.ok(["message": "Delivered to \(delivered) of \(targets.count) platforms", "delivered": delivered, "total": targets.count])
        }
    }

    private func platform(_ raw: [String: Any], replacing previous: [String: Any]?, stored: WebhookConfig, id: String? = nil) throws -> [String: Any] {
        var input = raw
        // A masked secret posted back means "keep what is stored".
        let old = previous ?? stored.platforms.first { $0["id"] as? String == raw["id"] as? String } ?? [:]
        for field in ["secret", "botToken", "pass"] where input[field] as? String == "********" { input[field] = old[field] }
        do {
            return try WebhookConfig.validPlatform(input, id: id)
        } catch let invalid as WebhookConfig.Invalid {
            throw AdminError(400, "Invalid request", invalid.description)
        }
    }

    private func testMessage() -> WebhookMessage {
        WebhookMessage(type: "test", title: "Claude Relay: test notification", lines: ["This is a test notification from the relay."],
                       data: ["message": "test"], timestamp: clock.now)
    }
}
