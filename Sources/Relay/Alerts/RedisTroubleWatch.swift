import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Redis trouble as an alert. Alerts normally travel through a Redis stream (`crs:alerts`), which an outage takes
/// down with it, so this watcher goes around it: it reads the webhook configuration every `interval` (the read is
/// the health probe, and keeps the configuration it will need), and once Redis has been
/// unreachable for `threshold` it sends a `systemError` notification (`redis_unavailable`) straight to the webhook
/// platforms of the last configuration it read; when Redis answers again it sends `redis_recovered` with the
/// outage's length and the usage writes that waited for it. Instances cannot agree through Redis while it is
/// down, so each reports for itself and names itself in the message.
public final class RedisTroubleWatch: Service, Sendable {
    struct Settings: Sendable {
        var interval: Duration = .seconds(5)
        /// Unreachable this long before the alert (0: never alert).
        var threshold: Duration = .seconds(30)
        var instance = ProcessInfo.processInfo.hostName
    }

    private struct State {
        /// The webhook configuration as last read (each healthy check reads it: that read is the probe).
        var config: WebhookConfig?
        var downSince: (instant: ContinuousClock.Instant, date: Date)?
        var alerted = false
    }

    let store: WebhookConfigStore
    let sender: WebhookSender
    let pendingWrites: @Sendable () -> Int
    let clock: RelayClock
    let settings: Settings
    let metrics: RelayMetrics?
    let logger: Logger
    private let state = NIOLockedValueBox(State())

    init(store: WebhookConfigStore, sender: WebhookSender, pendingWrites: @escaping @Sendable () -> Int, clock: RelayClock,
         settings: Settings, metrics: RelayMetrics?, logger: Logger) {
        self.store = store
        self.sender = sender
        self.pendingWrites = pendingWrites
        self.clock = clock
        self.settings = settings
        self.metrics = metrics
        self.logger = logger
    }

    public func run() async throws {
        guard settings.threshold > .zero else {
            try? await gracefulShutdown()
            return
        }
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                await self.check()
                try await Task.sleep(for: self.settings.interval)
            }
        }
    }

    /// One look at Redis; sends what the state change calls for.
    func check() async {
        let now = ContinuousClock.now
        let config: WebhookConfig
        do {
            config = try await store.load()
        } catch {
            let due = state.withLockedValue { state -> (since: Date, config: WebhookConfig)? in
                if state.downSince == nil { state.downSince = (now, clock.now) }
                guard !state.alerted, let since = state.downSince, now - since.instant >= settings.threshold, let config = state.config else { return nil }
                state.alerted = true
                return (since.date, config)
            }
            if let due {
                logger.error("Redis unreachable; alerting the webhooks directly", metadata: ["since": "\(ISOTime.string(due.since))", "error": "\(error)"])
                await notify(type: "redis_unavailable", config: due.config, lines: [
                    "Redis has not answered since \(ISOTime.string(due.since)); requests get 503 meanwhile.",
                    "Reason: \(error)",
                ], data: ["since": ISOTime.string(due.since), "reason": "\(error)"])
            }
            return
        }
        let recovered = state.withLockedValue { state -> (since: Date, config: WebhookConfig)? in
            defer {
                state.downSince = nil
                state.alerted = false
                state.config = config
            }
            guard state.alerted, let since = state.downSince else { return nil }
            return (since.date, config)
        }
        if let recovered {
            let seconds = Int(clock.now.timeIntervalSince(recovered.since).rounded())
            let waiting = pendingWrites()
            logger.notice("Redis answers again", metadata: ["downSeconds": "\(seconds)"])
            await notify(type: "redis_recovered", config: recovered.config, lines: [
                "Redis answers again after about \(seconds) s (down since \(ISOTime.string(recovered.since))).",
                "Usage writes that waited for it: \(waiting) (written in order now).",
            ], data: ["since": ISOTime.string(recovered.since), "downSeconds": seconds, "pendingUsageWrites": waiting])
        }
    }

    private func notify(type: String, config: WebhookConfig, lines: [String], data: [String: Any]) async {
        metrics?.alert(type: type)
        guard config.enabled, config.wants("systemError") else { return }
        var payload = data
        payload["status"] = type
        payload["errorCode"] = type.uppercased()
        payload["instance"] = settings.instance
        let message = WebhookMessage(type: "systemError", title: "Claude Relay: \(type.replacingOccurrences(of: "_", with: " "))",
                                     lines: lines + ["Instance: \(settings.instance)"], data: payload, timestamp: clock.now)
        for platform in config.platforms where JSON.bool(platform["enabled"]) != false {
            if case .failed(let reason) = await sender.send(message, to: platform, config: config) {
                logger.warning("webhook not delivered", metadata: ["platform": "\(platform["type"] ?? "?")", "alert": "\(type)", "error": "\(reason)"])
            }
        }
    }
}
