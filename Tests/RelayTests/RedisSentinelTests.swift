import FakeUpstreams
import Foundation
import Relay
import Scenario
import Testing

/// Redis through Sentinel (`CRS_REDIS_SENTINELS`): a real master, a replica and three sentinels (Debian's
/// redis-server in sentinel mode). Traffic flows; the master is killed mid-traffic; the sentinels promote the
/// replica; traffic continues on it without a restart, and every request that completed with 200 is in the usage.
@Suite("Redis Sentinel failover", .serialized)
struct RedisSentinelTests {
    @Test func trafficContinuesAfterTheMasterIsKilled() async throws {
        var masterOptions = RedisServerProcess.Options.ephemeral
        masterOptions.extraArguments = ["--repl-diskless-sync-delay", "0"]  // the replica's first sync at once, not after 5 s
        let master = try await RedisServerProcess.start(masterOptions)
        var replicaOptions = RedisServerProcess.Options.ephemeral
        replicaOptions.extraArguments = ["--replicaof", "127.0.0.1", String(master.port!)]
        let replica = try await RedisServerProcess.start(replicaOptions)
        let sentinels = try (0..<3).map { _ in try SentinelProcess(monitoring: master.port!) }
        defer { sentinels.forEach { $0.kill() } }
        do {
            try await waitUntilInSync(replica)
            try await waitUntilSentinelsAgree(sentinels, on: master.port!)
            let list = sentinels.map { "127.0.0.1:\($0.port)" }.joined(separator: ",")
            try await RelayHarness.with(overrides: ["CRS_REDIS_SENTINELS": list, "CRS_REDIS_SENTINEL_MASTER": "mymaster",
                                                    "CRS_REDIS_TIMEOUT_MS": "1000"]) { harness in
                harness.fakes.state.addCredentials(FakeCredentials(apiKeys: ["sk-console-sentinel"]))
                let admin = try await RelayClient.login(harness)
                _ = try await admin.call("POST", "/admin/claude-console-accounts",
                                         ["name": "s", "apiUrl": harness.fakes.baseURL + "/sentinel", "apiKey": "sk-console-sentinel"])
                let key = try await admin.call("POST", "/admin/api-keys", ["name": "sentinel"])
                let rawKey = try #require(admin.data(key)["key"] as? String)
                let keyID = try #require(admin.data(key)["id"] as? String)

                var ok = 0, refused = 0
                func send() async throws -> Int {
                    let reply = try await HTTPExchange.send(method: "POST", url: harness.relay.baseURL + "/api/v1/messages",
                                                            headers: ["x-api-key": rawKey, "anthropic-version": "2023-06-01", "content-type": "application/json"],
                                                            body: Data(#"{"model":"claude-sonnet-4-20250514","max_tokens":5,"messages":[{"role":"user","content":"hi"}]}"#.utf8))
                    if reply.status == 200 { ok += 1 } else { refused += 1 }
                    return reply.status
                }
                for _ in 0..<10 { #expect(try await send() == 200) }
                // The data really lives on the master the sentinels named.
                let onMaster = try RedisClient(url: master.url)
                #expect(try await onMaster.send("EXISTS", RedisArgument("apikey:\(keyID)")).int == 1)
                await onMaster.shutdown()

                await master.crash()
                let killedAt = ContinuousClock.now
                var okAfter = 0
                while okAfter < 10, ContinuousClock.now - killedAt < .seconds(45) {
                    let status = try await send()
                    if status == 200 { okAfter += 1 } else { #expect(status == 503, "during the failover: \(status)") }
                    try await Task.sleep(for: .milliseconds(100))
                }
                #expect(okAfter == 10, "traffic did not resume after the failover (\(refused) refused)")
                print("sentinel failover: \(refused) requests refused with 503 for \(ContinuousClock.now - killedAt) in all, then traffic resumed on the promoted replica")
                // The replica is the master now, and it holds every completed request's usage.
                let promoted = try RedisClient(url: replica.url)
                #expect(try await promoted.send("ROLE").array?.first?.string == "master")
                let counted = await eventually(timeout: .seconds(10)) {
                    (try? await promoted.send("HGET", RedisArgument("usage:\(keyID)"), "totalRequests").string.flatMap(Int.init)) == ok
                }
                let stored = try await promoted.send("HGET", RedisArgument("usage:\(keyID)"), "totalRequests").string ?? "none"
                #expect(counted, "\(ok) requests answered 200, usage records \(stored)")
                await promoted.shutdown()
            }
        } catch {
            await master.stop()
            await replica.stop()
            throw error
        }
        await master.stop()
        await replica.stop()
    }

    private func waitUntilInSync(_ replica: RedisServerProcess) async throws {
        let client = try RedisClient(url: replica.url)
        defer { Task { await client.shutdown() } }
        let synced = await eventually(timeout: .seconds(20)) {
            (try? await client.send("INFO", "replication").string)?.contains("master_link_status:up") == true
        }
        if !synced { throw RedisError.unavailable(reason: "the replica did not sync within 20 s", retryInMilliseconds: 0) }
    }

    private func waitUntilSentinelsAgree(_ sentinels: [SentinelProcess], on masterPort: Int) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while ContinuousClock.now < deadline {
            var ready = 0
            for sentinel in sentinels {
                guard let client = try? RedisClient(url: "redis://127.0.0.1:\(sentinel.port)") else { continue }
                let info = try? await client.send("SENTINEL", "master", "mymaster")
                await client.shutdown()
                guard case .array(let fields)? = info else { continue }
                var map: [String: String] = [:]
                stride(from: 0, to: fields.count - 1, by: 2).forEach { map[fields[$0].string ?? ""] = fields[$0 + 1].string }
                if map["port"] == String(masterPort), Int(map["num-slaves"] ?? "0") ?? 0 >= 1, Int(map["num-other-sentinels"] ?? "0") ?? 0 >= 2 { ready += 1 }
            }
            if ready == sentinels.count { return }
            try await Task.sleep(for: .milliseconds(200))
        }
        throw RedisError.unavailable(reason: "the sentinels did not see the master, the replica and each other within 20 s", retryInMilliseconds: 0)
    }
}

/// `redis-server <conf> --sentinel` on a free port, watching `mymaster` (quorum 2, down after 1 s).
final class SentinelProcess: Sendable {
    let port: Int
    let directory: String
    let process: Process

    init(monitoring masterPort: Int) throws {
        port = FreePort.find()
        directory = NSTemporaryDirectory() + "crs-sentinel-" + UUID().uuidString
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let config = """
        port \(port)
        bind 127.0.0.1
        dir \(directory)
        logfile \(directory)/sentinel.log
        sentinel monitor mymaster 127.0.0.1 \(masterPort) 2
        sentinel down-after-milliseconds mymaster 1000
        sentinel failover-timeout mymaster 5000
        sentinel parallel-syncs mymaster 1

        """
        try config.write(toFile: directory + "/sentinel.conf", atomically: true, encoding: .utf8)
        process = Process()
        process.executableURL = URL(fileURLWithPath: try RedisServerProcess.locate("redis-server"))
        process.arguments = [directory + "/sentinel.conf", "--sentinel"]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// SIGKILL (a sentinel keeps no data worth a clean stop) and its directory removed; never blocks.
    func kill() {
        Foundation.kill(process.processIdentifier, SIGKILL)
        try? FileManager.default.removeItem(atPath: directory)
    }
}
