import Foundation
import Relay
import Scenario
import Testing

@Suite("crs serve as an operator runs it", .serialized)
struct ServeTests {
    static let secrets = [
        "CRS_ENCRYPTION_KEY": "0123456789abcdef0123456789abcdef",
        "CRS_JWT_SECRET": String(repeating: "j", count: 48),
    ]

    @Test func startsTheEmbeddedRedisAndAnswersHealth() async throws {
        let crs = try CRSProcess(arguments: ["serve"], environment: Self.secrets)
        defer { crs.removeWorkingDirectory() }
        var health: (status: Int, body: String) = (0, "")
        let up = await eventually(timeout: .seconds(30)) {
            health = (try? await httpGet("http://127.0.0.1:\(crs.port)/health")) ?? (0, "")
            return health.status == 200
        }
        #expect(up, "relay never became healthy; log:\n\(crs.log)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(health.body.utf8)) as? [String: Any])
        #expect(json["status"] as? String == "healthy")
        let redis = try #require(json["redis"] as? [String: Any])
        #expect(redis["reachable"] as? Bool == true)
        #expect((redis["latencyMs"] as? Double).map { $0 >= 0 } == true)
        #expect(crs.log.contains("embedded redis-server"))
        // First start, no CRS_ADMIN_*: credentials are generated and shown once — visible while the relay runs,
        // although stdout is a file here (as under systemd or Docker).
        let shown = await eventually { crs.log.contains("username: cr_admin_") && crs.log.contains("password: ") }
        #expect(shown, "log:\n\(crs.log)")
        #expect(FileManager.default.fileExists(atPath: crs.workingDirectory + "/data/redis/appendonlydir"))

        // SIGTERM: the relay exits 0 and takes its redis-server with it.
        let redisPID = try String(contentsOfFile: crs.workingDirectory + "/data/redis/redis.pid", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(await crs.terminate() == 0, "log:\n\(crs.log)")
        let gone = await eventually { kill(Int32(redisPID) ?? 0, 0) != 0 }
        #expect(gone, "embedded redis-server \(redisPID) still running after shutdown")
        // …by a clean shutdown (SIGTERM: AOF flushed), not the SIGKILL fallback after 5 s.
        let redisLog = (try? String(contentsOfFile: crs.workingDirectory + "/data/redis/redis.log", encoding: .utf8)) ?? ""
        #expect(redisLog.contains("Received SIGTERM"), "redis log:\n\(redisLog.suffix(600))")
        #expect(!crs.log.contains(Self.secrets["CRS_JWT_SECRET"]!))
        #expect(!crs.log.contains(Self.secrets["CRS_ENCRYPTION_KEY"]!))
    }

    /// `SIGKILL` to the relay (OOM killer, `kill -9`): its embedded redis-server must not outlive it, and must go
    /// down cleanly (SIGTERM from its guard, AOF flushed). It used to stay: children inherited the spawning
    /// thread's signal mask (libdispatch blocks SIGTERM on its workers), so the guard's TERM never arrived.
    @Test func embeddedRedisGoesDownWithAKilledRelay() async throws {
        let crs = try CRSProcess(arguments: ["serve"], environment: Self.secrets)
        defer { crs.removeWorkingDirectory() }
        let up = await eventually(timeout: .seconds(30)) { (try? await httpGet("http://127.0.0.1:\(crs.port)/health"))?.status == 200 }
        #expect(up, "log:\n\(crs.log)")
        let redisPID = try #require(Int32(try String(contentsOfFile: crs.workingDirectory + "/data/redis/redis.pid", encoding: .utf8)
            .trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(crs.process.processIdentifier, SIGKILL)
        let gone = await eventually(timeout: .seconds(10)) { kill(redisPID, 0) != 0 }
        if !gone { kill(redisPID, SIGKILL) }
        #expect(gone, "embedded redis-server \(redisPID) outlived its relay")
        let redisLog = (try? String(contentsOfFile: crs.workingDirectory + "/data/redis/redis.log", encoding: .utf8)) ?? ""
        #expect(redisLog.contains("Received SIGTERM"), "redis log:\n\(redisLog.suffix(600))")
    }

    /// Admin logins verify a scrypt hash (16 MB of working memory each). glibc kept those blocks resident in its
    /// per-thread arenas once its dynamic mmap threshold had risen: three logins grew the relay by 33 MB for good.
    /// `MemoryTuning` fixes the threshold so they are unmapped when freed.
    @Test func adminLoginsDoNotLeaveTheRelayLarger() async throws {
        let crs = try CRSProcess(arguments: ["serve"], environment: Self.secrets.merging([
            "CRS_ADMIN_USERNAME": "admin", "CRS_ADMIN_PASSWORD": "memory-check-1", "CRS_ADMIN_LOGIN_MAX_FAILURES": "0",
        ]) { _, new in new })
        defer { crs.removeWorkingDirectory() }
        let base = "http://127.0.0.1:\(crs.port)"
        let up = await eventually(timeout: .seconds(30)) { (try? await httpGet(base + "/health"))?.status == 200 }
        #expect(up, "log:\n\(crs.log)")
        let login = { () async -> Bool in
            let reply = try? await HTTPExchange.send(method: "POST", url: base + "/web/auth/login", headers: [:],
                                                     body: try JSONSerialization.data(withJSONObject: ["username": "admin", "password": "memory-check-1"]))
            return reply?.status == 200
        }
        // The first login (the admin account is written just after start) warms up code and pools.
        #expect(await eventually(timeout: .seconds(15)) { await login() }, "log:\n\(crs.log)")
        let before = try residentMB(pid: crs.process.processIdentifier)
        for _ in 0..<4 { #expect(await login()) }
        let after = try residentMB(pid: crs.process.processIdentifier)
        #expect(after - before < 12, "four admin logins grew the relay from \(Int(before)) to \(Int(after)) MB")
        #expect(await crs.terminate() == 0)
    }

    /// A periodic job switched off (interval 0, as documented) must not end the service group: the relay used to
    /// exit at once ("A service has finished unexpectedly") — found by scripts/bench, which turns health checks off.
    @Test func periodicJobsSwitchedOffKeepTheRelayRunning() async throws {
        let crs = try CRSProcess(arguments: ["serve"], environment: Self.secrets.merging([
            "CRS_HEALTH_CHECK_INTERVAL_SECONDS": "0", "CRS_OAUTH_REFRESH_INTERVAL_SECONDS": "0",
        ]) { _, new in new })
        defer { crs.removeWorkingDirectory() }
        let up = await eventually(timeout: .seconds(30)) { (try? await httpGet("http://127.0.0.1:\(crs.port)/health"))?.status == 200 }
        #expect(up, "log:\n\(crs.log)")
        try await Task.sleep(for: .seconds(1))
        #expect((try? await httpGet("http://127.0.0.1:\(crs.port)/health"))?.status == 200, "log:\n\(crs.log)")
        #expect(await crs.terminate() == 0, "log:\n\(crs.log)")
    }

    @Test func reportsUnhealthyWhenExternalRedisIsDown() async throws {
        let crs = try CRSProcess(arguments: ["serve"], environment: Self.secrets.merging([
            "CRS_REDIS_URL": "redis://127.0.0.1:\(FreePort.find())", "CRS_REDIS_TIMEOUT_MS": "300",
        ]) { _, new in new })
        defer { crs.removeWorkingDirectory() }
        var health: (status: Int, body: String) = (0, "")
        let answered = await eventually(timeout: .seconds(30)) {
            health = (try? await httpGet("http://127.0.0.1:\(crs.port)/health")) ?? (0, "")
            return health.status != 0
        }
        #expect(answered, "log:\n\(crs.log)")
        #expect(health.status == 503)
        #expect(health.body.contains("\"reachable\":false"))
        _ = await crs.terminate()
    }

    @Test func badConfigurationStopsStartWithOneLineNamingTheVariable() async throws {
        let crs = try CRSProcess(arguments: ["serve"], environment: Self.secrets.merging(["CRS_LOG_LEVEL": "loud"]) { _, new in new })
        defer { crs.removeWorkingDirectory() }
        #expect(await crs.waitForExit() == 78)
        #expect(crs.log.trimmingCharacters(in: .whitespacesAndNewlines)
            == "configuration error: CRS_LOG_LEVEL must be one of trace, debug, info, notice, warning, error, critical, got 'loud'")
    }

    @Test func setupWritesSecretsOnceAndServeReadsThem() async throws {
        let setup = try CRSProcess(arguments: ["setup"], environment: [:])
        defer { setup.removeWorkingDirectory() }
        #expect(await setup.waitForExit() == 0)
        let env = try String(contentsOfFile: setup.workingDirectory + "/.env", encoding: .utf8)
        let values = EnvironmentFile.parse(env)
        #expect(values["CRS_ENCRYPTION_KEY"]?.count == 32)
        #expect(values["CRS_JWT_SECRET"]?.count == 64)
        let again = try CRSProcess(arguments: ["setup"], environment: [:], workingDirectory: setup.workingDirectory)
        defer { again.removeWorkingDirectory() }  // the shared directory again (harmless) and this run's own log
        #expect(await again.waitForExit() == 0)
        #expect(try String(contentsOfFile: setup.workingDirectory + "/.env", encoding: .utf8) == env)
        #expect(try RelayConfiguration(environment: values).encryptionKey == values["CRS_ENCRYPTION_KEY"])
    }
}
