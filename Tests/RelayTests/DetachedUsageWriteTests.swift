import Foundation
import Logging
import NIOConcurrencyHelpers
@testable import Relay
import Testing

/// Usage writes after the reply are sent by one task in batches (one pipeline of script calls per round trip):
/// under load every write still counts exactly once, fewer round trips than writes are made, and a write Redis
/// refuses is reported for itself without failing the others in its batch.
@Suite("Detached usage writes")
struct DetachedUsageWriteTests {
    @Test func concurrentWritesAreBatchedAndEachCountsOnce() async throws {
        try await withRedis { _, redis in
            let recorder = UsageRecorder(redis: redis, prices: PriceBook(), settings: UsageRecorder.Settings(), logger: Logger(label: "test"))
            let refused = CallbackCounter(0)
            let before = redis.roundTripCount
            await withTaskGroup(of: Void.self) { group in
                for index in 0..<300 {
                    group.addTask {
                        let entry = UsageRecorder.Entry(keyID: "key-\(index % 3)", accountID: "acc-1", accountKind: .claudeConsole,
                                                        model: "claude-sonnet-4-5-20250929", usage: TokenUsage(input: 10, output: 2), at: Date())
                        recorder.recordDetached(entry) { _ in refused.add() }
                    }
                }
            }
            await recorder.drainDetached(timeout: .seconds(30))
            #expect(refused.value == 0)
            for key in 0..<3 {
                let usage = try await redis.send("HGETALL", RedisArgument("usage:key-\(key)")).stringDictionary
                #expect(usage["totalRequests"] == "100", "key-\(key): \(usage)")
                #expect(usage["totalInputTokens"] == "1000", "key-\(key): \(usage)")
            }
            let trips = redis.roundTripCount - before
            #expect(trips < 300, "300 writes took \(trips) round trips: nothing was batched")
        }
    }

    @Test func aRefusedWriteIsReportedAloneAndTheRestOfItsBatchCounts() async throws {
        try await withRedis { _, redis in
            // A key whose usage hash is a string: the script's first counter fails (WRONGTYPE), before it counts anything.
            _ = try await redis.send("SET", "usage:key-broken", "not a hash")
            let recorder = UsageRecorder(redis: redis, prices: PriceBook(), settings: UsageRecorder.Settings(), logger: Logger(label: "test"))
            let refused = CallbackCounter(0)
            for index in 0..<40 {
                let entry = UsageRecorder.Entry(keyID: index == 17 ? "key-broken" : "key-b", accountID: "acc-1", accountKind: .claudeConsole,
                                                model: "claude-sonnet-4-5-20250929", usage: TokenUsage(input: 5, output: 1), at: Date())
                recorder.recordDetached(entry) { error in
                    #expect("\(error)".contains("WRONGTYPE"), "\(error)")
                    refused.add()
                }
            }
            await recorder.drainDetached(timeout: .seconds(30))
            #expect(refused.value == 1)
            let usage = try await redis.send("HGETALL", "usage:key-b").stringDictionary
            #expect(usage["totalRequests"] == "39", "\(usage)")
        }
    }
}

/// A counter shared with `@Sendable` callbacks.
final class CallbackCounter: Sendable {
    private let count: NIOLockedValueBox<Int>
    init(_ value: Int) { count = NIOLockedValueBox(value) }
    func add() { count.withLockedValue { $0 += 1 } }
    var value: Int { count.withLockedValue { $0 } }
}
