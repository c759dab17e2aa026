import Foundation
import Hummingbird

/// `GET/PUT /admin/claude-relay-config` (Node's paths and `{success, config}` shape): the relay-wide Claude switches.
/// Only the fields this relay acts on can be written; each is checked as Node checks it.
struct ClaudeRelayConfigController {
    let settings: ClaudeRelaySettings

    func register(on admin: RouterGroup<RelayRequestContext>) {
        admin.get("claude-relay-config") { _, _ -> Response in
            AdminReply.ok(["config": try await settings.document()])
        }
        admin.put("claude-relay-config") { request, context -> Response in
            let body = try await AdminReply.body(request, limit: 64 * 1024)
            let changes = try Self.changes(body)
            let document = try await settings.update(changes, by: context.adminUsername ?? "admin")
            return AdminReply.ok(["message": "Configuration updated successfully", "config": document])
        }
    }

    static func changes(_ body: [String: Any]) throws -> [String: Any] {
        var changes: [String: Any] = [:]
        for flag in ["claudeCodeOnlyEnabled", "globalSessionBindingEnabled", "concurrentRequestQueueEnabled", "userMessageQueueEnabled",
                     "requestDetailCaptureEnabled", "requestDetailBodyPreviewEnabled", "concurrentRequestQueueHealthCheckEnabled"] {
            guard let value = body[flag] else { continue }
            guard let number = value as? NSNumber, JSON.isBoolean(number) else { throw AdminError(400, "\(flag) must be a boolean", "\(flag): true or false") }
            changes[flag] = number.boolValue
        }
        if let message = body["sessionBindingErrorMessage"] {
            guard let text = message as? String else { throw AdminError(400, "sessionBindingErrorMessage must be a string", "sessionBindingErrorMessage: a string") }
            guard text.count <= 500 else {
                throw AdminError(400, "sessionBindingErrorMessage must be less than 500 characters", "sessionBindingErrorMessage: at most 500 characters")
            }
            changes["sessionBindingErrorMessage"] = text
        }
        if let days = body["sessionBindingTtlDays"] {
            guard let value = days as? NSNumber, !JSON.isBoolean(value), let number = JSON.number(days), number >= 1, number <= 365 else {
                throw AdminError(400, "sessionBindingTtlDays must be a number between 1 and 365", "sessionBindingTtlDays: 1 to 365")
            }
            changes["sessionBindingTtlDays"] = number
        }
        try queueChanges(body, into: &changes)
        let known: Set<String> = ["claudeCodeOnlyEnabled", "globalSessionBindingEnabled", "sessionBindingErrorMessage", "sessionBindingTtlDays",
                                  "concurrentRequestQueueEnabled", "concurrentRequestQueueMaxSize", "concurrentRequestQueueMaxSizeMultiplier",
                                  "concurrentRequestQueueTimeoutMs", "concurrentRequestQueueHealthCheckEnabled", "concurrentRequestQueueHealthThreshold",
                                  "userMessageQueueEnabled", "userMessageQueueDelayMs", "userMessageQueueTimeoutMs",
                                  "userMessageQueueLockTtlMs", "requestDetailCaptureEnabled", "requestDetailRetentionHours", "requestDetailBodyPreviewEnabled"]
        if let unknown = body.keys.sorted().first(where: { !known.contains($0) }) {
            throw AdminError(400, "Unsupported setting \(unknown)", "\(unknown) is not a setting this relay has (known: \(known.sorted().joined(separator: ", ")))")
        }
        guard !changes.isEmpty else { throw AdminError(400, "No settings given", "Send at least one of: \(known.sorted().joined(separator: ", "))") }
        return changes
    }

    /// The queues' sizes, delays and timeouts, in Node's ranges.
    static func queueChanges(_ body: [String: Any], into changes: inout [String: Any]) throws {
        func integer(_ name: String, _ range: ClosedRange<Int>, _ what: String) throws {
            guard let raw = body[name] else { return }
            guard let number = raw as? NSNumber, !JSON.isBoolean(number), number.doubleValue == number.doubleValue.rounded(),
                  range.contains(number.intValue) else { throw AdminError(400, "\(name) must be \(what)", "\(name): \(what)") }
            changes[name] = number.intValue
        }
        try integer("concurrentRequestQueueMaxSize", 1...100, "an integer between 1 and 100")
        try integer("concurrentRequestQueueTimeoutMs", 5_000...300_000, "an integer between 5000 and 300000 (5 seconds to 5 minutes)")
        try integer("userMessageQueueDelayMs", 0...10_000, "an integer between 0 and 10000")
        try integer("userMessageQueueTimeoutMs", 1_000...300_000, "an integer between 1000 and 300000")
        try integer("userMessageQueueLockTtlMs", 1_000...600_000, "an integer between 1000 and 600000")
        try integer("requestDetailRetentionHours", 1...RequestDetailSettings.maxRetentionHours, "an integer between 1 and 720 (hours)")
        if let raw = body["concurrentRequestQueueHealthThreshold"] {
            guard let number = raw as? NSNumber, !JSON.isBoolean(number), number.doubleValue > 0, number.doubleValue <= 1 else {
                throw AdminError(400, "concurrentRequestQueueHealthThreshold must be a number above 0 and at most 1", "concurrentRequestQueueHealthThreshold: (0, 1]")
            }
            changes["concurrentRequestQueueHealthThreshold"] = number.doubleValue
        }
        if let raw = body["concurrentRequestQueueMaxSizeMultiplier"] {
            guard let number = raw as? NSNumber, !JSON.isBoolean(number), number.doubleValue.isFinite, (0...10).contains(number.doubleValue) else {
                throw AdminError(400, "concurrentRequestQueueMaxSizeMultiplier must be a finite number between 0 and 10", "concurrentRequestQueueMaxSizeMultiplier: 0 to 10")
            }
            changes["concurrentRequestQueueMaxSizeMultiplier"] = number.doubleValue
        }
    }
}
