import Foundation
import Logging
import NIOConcurrencyHelpers
import ServiceLifecycle

/// Delivers alerts from `crs:alerts` to the configured webhook platforms. The instances share one consumer group
/// (`crs-webhooks`), so each alert is delivered once however many relays run; an alert is acknowledged after its
/// delivery attempts (success or final failure), and one a crashed instance had claimed is taken over after a
/// minute (XAUTOCLAIM). Notification types switched off in the config are acknowledged without sending.
public struct WebhookDispatcher: Service {
    static let group = "crs-webhooks"
    let redis: RedisClient
    let store: WebhookConfigStore
    let sender: WebhookSender
    let consumer: String
    let pollInterval: Duration
    let logger: Logger
    private let claims = ClaimSchedule(every: .seconds(30))

    init(redis: RedisClient, store: WebhookConfigStore, sender: WebhookSender, pollInterval: Duration = .milliseconds(500), logger: Logger) {
        self.redis = redis
        self.store = store
        self.sender = sender
        self.consumer = "relay-" + UUID().uuidString.lowercased().prefix(8)
        self.pollInterval = pollInterval
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                let handled = (try? await self.pass()) ?? 0
                if handled == 0 { try await Task.sleep(for: self.pollInterval) }
            }
        }
    }

    /// One read of new alerts (and, at most every `claimInterval`, of abandoned ones); returns how many were handled.
    /// An idle instance costs one Redis round trip per poll.
    func pass() async throws -> Int {
        var entries: [(String, [String: String])]
        do {
            entries = try await read(["XREADGROUP", "GROUP", Self.group, consumer, "COUNT", "10", "STREAMS", RedisKeys.alertStream, ">"])
        } catch RedisError.server(let message) where message.hasPrefix("NOGROUP") {
            // First use (or the stream was deleted): create the group from the start of the stream, then read again.
            _ = try? await redis.send("XGROUP", "CREATE", RedisArgument(RedisKeys.alertStream), RedisArgument(Self.group), "0", "MKSTREAM")
            entries = try await read(["XREADGROUP", "GROUP", Self.group, consumer, "COUNT", "10", "STREAMS", RedisKeys.alertStream, ">"])
        }
        if entries.isEmpty, claims.due() {
            // Entries another consumer claimed but never acknowledged (it died mid-delivery).
            let reply = try await redis.send(RedisCommand("XAUTOCLAIM", arguments: [RedisKeys.alertStream, Self.group, consumer, "60000", "0-0", "COUNT", "10"].map { RedisArgument($0) }))
            entries = Self.entries(reply.array?.dropFirst().first)
        }
        guard !entries.isEmpty else { return 0 }
        let config = try await store.load()
        for (id, fields) in entries {
            await deliver(fields, config: config)
            _ = try? await redis.send("XACK", RedisArgument(RedisKeys.alertStream), RedisArgument(Self.group), RedisArgument(id))
        }
        return entries.count
    }

    private func deliver(_ fields: [String: String], config: WebhookConfig) async {
        let message = WebhookMessage.from(alert: fields)
        guard config.enabled, config.wants(message.type) else { return }
        for platform in config.platforms where JSON.bool(platform["enabled"]) != false {
            let outcome = await sender.send(message, to: platform, config: config)
            if case .failed(let reason) = outcome {
                logger.warning("webhook not delivered", metadata: ["platform": "\(platform["type"] ?? "?")", "alert": "\(fields["type"] ?? "?")", "error": "\(reason)"])
            }
        }
    }

    private func read(_ arguments: [String]) async throws -> [(String, [String: String])] {
        let reply = try await redis.send(RedisCommand(arguments[0], arguments: arguments.dropFirst().map { RedisArgument($0) }))
        // [[stream, [[id, [field, value, …]], …]]]
        return Self.entries(reply.array?.first?.array?.dropFirst().first)
    }

    static func entries(_ list: RedisReply?) -> [(String, [String: String])] {
        (list?.array ?? []).compactMap { entry in
            guard let parts = entry.array, parts.count == 2, let id = parts[0].string else { return nil }
            let flat = parts[1].array?.compactMap(\.string) ?? []
            var fields: [String: String] = [:]
            var index = 0
            while index + 1 < flat.count { fields[flat[index]] = flat[index + 1]; index += 2 }
            return (id, fields)
        }
    }
}

/// When to look for alerts a dead instance left unacknowledged: at most every `every`.
final class ClaimSchedule: Sendable {
    private let next = NIOLockedValueBox(ContinuousClock.now)
    let every: Duration

    init(every: Duration) {
        self.every = every
    }

    func due() -> Bool {
        next.withLockedValue { next in
            guard ContinuousClock.now >= next else { return false }
            next = ContinuousClock.now + every
            return true
        }
    }
}
