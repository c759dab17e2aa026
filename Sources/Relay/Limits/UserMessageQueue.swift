import Foundation
import NIOConcurrencyHelpers

/// Node's user-message serial queue: on a Claude subscription account, requests that carry a new user turn (the last
/// message is the user's, not a tool result) go out one at a time, at least `delayMilliseconds` apart, like a person
/// typing — across instances, in Node's keys (`user_msg_queue_lock:{account}`, `user_msg_queue_last:{account}`). A
/// request waits up to `timeoutMilliseconds` for its turn (else 503 `queue_timeout`); the turn ends once the upstream
/// has answered with its head (the subscription's limits count requests when they are sent, as Node reasons).
struct UserMessageQueue: Sendable {
    /// Node's settings (`claude_relay_config`): `userMessageQueueEnabled`, `…DelayMs`, `…TimeoutMs`, `…LockTtlMs`.
    struct Settings: Sendable, Equatable {
        var enabled = false
        var delayMilliseconds = 200
        var timeoutMilliseconds = 60_000
        var lockTTLMilliseconds = 120_000

        init() {}

        init(_ document: [String: Any]) {
            enabled = document["userMessageQueueEnabled"] as? Bool == true
            if let value = JSON.int(document["userMessageQueueDelayMs"]), value >= 0 { delayMilliseconds = value }
            if let value = JSON.int(document["userMessageQueueTimeoutMs"]), value > 0 { timeoutMilliseconds = value }
            if let value = JSON.int(document["userMessageQueueLockTtlMs"]), value > 0 { lockTTLMilliseconds = value }
        }
    }

    /// Takes the lock when it is free and the last turn ended at least `delay` ago: `{1, 0}`; else `{0, wait ms}`
    /// (`-1`: held by another request).
    static let acquire = RedisScript("""
        if redis.call('GET', KEYS[1]) then return {0, -1} end
        local now = redis.call('TIME')
        local nowMs = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
        local last = redis.call('GET', KEYS[2])
        if last then
          local elapsed = nowMs - tonumber(last)
          if elapsed < tonumber(ARGV[3]) then return {0, tonumber(ARGV[3]) - elapsed} end
        end
        redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2])
        return {1, 0}
        """)

    /// Releases the lock it holds and notes when its turn ended.
    static let release = RedisScript("""
        if redis.call('GET', KEYS[1]) ~= ARGV[1] then return 0 end
        local now = redis.call('TIME')
        redis.call('SET', KEYS[2], tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000), 'EX', 60)
        redis.call('DEL', KEYS[1])
        return 1
        """)

    /// Whether a Messages body starts a new user turn (its last message is the user's and carries no tool result).
    static func startsUserTurn(_ json: [String: Any]) -> Bool {
        guard let last = (json["messages"] as? [Any])?.last as? [String: Any], last["role"] as? String == "user" else { return false }
        guard let blocks = last["content"] as? [Any] else { return true }
        return !blocks.contains { ["tool_result", "tool_use_result"].contains(($0 as? [String: Any])?["type"] as? String ?? "") }
    }

    let redis: RedisClient

    /// Waits for the account's turn; returns the lock's token to release, or throws the 503.
    func turn(accountID: String, settings: Settings) async throws -> String {
        let token = UUID().lowercasedString
        let keys = [RedisArgument(RedisKeys.userMessageQueueLock(accountID)), RedisArgument(RedisKeys.userMessageQueueLast(accountID))]
        let deadline = ContinuousClock.now + .milliseconds(settings.timeoutMilliseconds)
        var pause = 50
        while true {
            let reply = try await redis.evaluate(Self.acquire, keys: keys, arguments: [RedisArgument(token), RedisArgument(settings.lockTTLMilliseconds),
                                                                                      RedisArgument(settings.delayMilliseconds)])
            let values = reply.array ?? []
            if values.first?.int == 1 { return token }
            guard ContinuousClock.now < deadline else {
                var error = RelayError(503, "queue_timeout", "User message queue wait timeout, please retry later")
                error.details["code"] = .string("QUEUE_TIMEOUT")
                error.headers["x-user-message-queue-error"] = "queue_timeout"
                throw error
            }
            let wait = Int(values.dropFirst().first?.int ?? -1)
            try await Task.sleep(for: .milliseconds(wait > 0 ? wait : pause))
            pause = min(500, pause * 3 / 2)
        }
    }

    func end(accountID: String, token: String) async {
        _ = try? await redis.evaluate(Self.release, keys: [RedisArgument(RedisKeys.userMessageQueueLock(accountID)),
                                                           RedisArgument(RedisKeys.userMessageQueueLast(accountID))],
                                      arguments: [RedisArgument(token)])
    }
}

/// One request's turn on an account: taken at most once, ended at most once (from any exit of the attempt).
final class UserMessageTurn: Sendable {
    let queue: UserMessageQueue
    let accountID: String
    private let token = NIOLockedValueBox<String?>(nil)

    init(queue: UserMessageQueue, accountID: String) {
        self.queue = queue
        self.accountID = accountID
    }

    func take(_ settings: UserMessageQueue.Settings) async throws {
        let taken = try await queue.turn(accountID: accountID, settings: settings)
        token.withLockedValue { $0 = taken }
    }

    /// Ends the turn off the response path (nothing to do when none was taken).
    func endDetached() {
        guard let taken = token.withLockedValue({ value -> String? in defer { value = nil }; return value }) else { return }
        let queue = self.queue
        let accountID = self.accountID
        Task { await queue.end(accountID: accountID, token: taken) }
    }
}
