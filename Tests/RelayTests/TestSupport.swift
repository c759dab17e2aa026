import Foundation
import NIOCore
import Relay
import Scenario
import Testing

/// Runs `body` against a fresh `redis-server` and a client for it; both are torn down even if `body` throws.
func withRedis<T>(
    configure: (inout RedisConfiguration) -> Void = { _ in },
    _ body: (RedisServerProcess, RedisClient) async throws -> T
) async throws -> T {
    try await RedisServerProcess.withEphemeral { server in
        var configuration = try RedisConfiguration(url: server.url)
        configure(&configuration)
        let client = RedisClient(configuration: configuration)
        do {
            let result = try await body(server, client)
            await client.shutdown()
            return result
        } catch {
            // Keep the server's own account of what happened (its log is removed with its directory).
            let log = (try? String(contentsOfFile: server.directory + "/redis.log", encoding: .utf8)) ?? "(no log)"
            print("withRedis failure: \(error); server running: \(server.isRunning); port \(server.port ?? 0); redis log tail:\n\(log.suffix(2000))")
            await client.shutdown()
            throw error
        }
    }
}

/// Waits until `server` reports `clients` clients blocked in a command (BLPOP…): timing-independent set-up.
func waitUntilBlocked(_ server: RedisServerProcess, clients: Int) async throws -> Bool {
    let observer = try RedisClient(url: server.url)
    let blocked = await eventually(timeout: .seconds(30)) {
        (try? await observer.send("INFO", "clients").string)?.contains("blocked_clients:\(clients)") == true
    }
    await observer.shutdown()
    return blocked
}

/// Polls `condition` until it holds or `timeout` passes.
func eventually(timeout: Duration = .seconds(5), _ condition: () async throws -> Bool) async rethrows -> Bool {
    let deadline = ContinuousClock.now + timeout
    while ContinuousClock.now < deadline {
        if try await condition() { return true }
        try? await Task.sleep(for: .milliseconds(25))
    }
    return try await condition()
}

/// Runs a program to completion without Foundation `Pipe`s (their handles can close a descriptor number twice,
/// hitting whatever socket reused it): output goes to a temp file, exit is polled without blocking a thread.
func runProgram(_ arguments: [String], timeout: Duration = .seconds(120)) async throws -> (status: Int32, output: String) {
    let path = NSTemporaryDirectory() + "crs-out-" + UUID().uuidString
    _ = FileManager.default.createFile(atPath: path, contents: nil)
    defer { try? FileManager.default.removeItem(atPath: path) }
    let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    process.standardOutput = handle
    process.standardError = handle
    try process.run()
    let deadline = ContinuousClock.now + timeout
    while process.isRunning, ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(20)) }
    if process.isRunning { process.terminate() }
    while process.isRunning { try await Task.sleep(for: .milliseconds(20)) }
    try handle.close()
    return (process.terminationStatus, (try? String(contentsOfFile: path, encoding: .utf8)) ?? "")
}

/// Runs an SDK check script and returns the JSON object it prints last (the test fails with its output otherwise).
func sdkCheckResult(_ arguments: [String]) async throws -> [String: Any] {
    let (status, output) = try await runProgram(arguments)
    #expect(status == 0, "SDK check failed:\n\(output)")
    let line = output.split(separator: "\n").last.map(String.init) ?? ""
    return try #require(JSON.object(Data(line.utf8)), "no JSON result in:\n\(output)")
}

/// Waits for the key's usage to reach `requests` and checks the token totals.
func expectRecordedUsage(_ harness: RelayHarness, keyID: String, requests: Int, input: Int, output: Int) async throws {
    let recorded = await eventually {
        (try? await harness.redis.send("HGET", RedisArgument("usage:\(keyID)"), "totalRequests").int) == Int64(requests)
    }
    #expect(recorded)
    let totals = try await harness.redis.send("HGETALL", RedisArgument("usage:\(keyID)")).stringDictionary
    #expect(totals["totalInputTokens"] == String(input) && totals["totalOutputTokens"] == String(output), "\(totals)")
}

/// A process's resident memory (VmRSS) in MB.
func residentMB(pid: Int32) throws -> Double {
    let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
    let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
    return (Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0) / 1024
}
