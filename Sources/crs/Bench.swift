import ArgumentParser
import Foundation
import Relay

struct Bench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks that print a table.",
        subcommands: [BenchRedis.self, BenchRelay.self, BenchFloor.self])
}

/// Our Redis client next to `redis-benchmark` on the same throwaway server, in the same run.
struct BenchRedis: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redis",
        abstract: "PING/SET/GET throughput: pipelined (1 connection) and concurrent (N connections, no pipelining), ours vs redis-benchmark.")

    @Option(help: "Requests per command and mode.") var requests = 100_000
    @Option(help: "Pipeline depth in pipelined mode.") var pipeline = 100
    @Option(help: "Connections in concurrent mode.") var connections = 50

    func run() async throws {
        try await RedisServerProcess.withEphemeral { server in
            let port = server.port!
            var rows: [(mode: String, command: String, ours: Double, reference: Double)] = []
            var configuration = try RedisConfiguration(url: server.url)
            configuration.poolSize = connections
            configuration.commandTimeout = .seconds(30)
            let client = RedisClient(configuration: configuration)
            defer { Task { await client.shutdown() } }
            let payload = RedisArgument(bytes: Array(repeating: UInt8(ascii: "x"), count: 3))
            let commands: [(String, RedisCommand)] = [
                ("PING", RedisCommand("PING")),
                ("SET", RedisCommand("SET", "key:__rand_int__", payload)),
                ("GET", RedisCommand("GET", "key:__rand_int__")),
            ]
            let pipelinedReference = try referenceRates(port: port, extra: ["-c", "1", "-P", String(pipeline)])
            let concurrentReference = try referenceRates(port: port, extra: ["-c", String(connections), "-P", "1"])
            for (name, command) in commands {
                let pipelined = try await measurePipelined(client, command)
                let concurrent = try await measureConcurrent(client, command)
                rows.append(("pipelined (1 conn, depth \(pipeline))", name, pipelined, pipelinedReference[name] ?? 0))
                rows.append(("concurrent (\(connections) conns)", name, concurrent, concurrentReference[name] ?? 0))
            }
            print("")
            print(pad("mode", 34) + pad("cmd", 6) + pad("crs req/s", 14) + pad("redis-benchmark", 17) + "ratio")
            for row in rows.sorted(by: { $0.mode < $1.mode }) {
                let ratio = row.reference > 0 ? String(format: "%.0f %%", row.ours / row.reference * 100) : "n/a"
                print(pad(row.mode, 34) + pad(row.command, 6) + pad(String(format: "%.0f", row.ours), 14)
                      + pad(String(format: "%.0f", row.reference), 17) + ratio)
            }
        }
    }

    private func measurePipelined(_ client: RedisClient, _ command: RedisCommand) async throws -> Double {
        let batch = Array(repeating: command, count: pipeline)
        let rounds = max(1, requests / pipeline)
        let start = ContinuousClock.now
        for _ in 0..<rounds { _ = try await client.pipeline(batch) }
        return Double(rounds * pipeline) / seconds(since: start)
    }

    private func measureConcurrent(_ client: RedisClient, _ command: RedisCommand) async throws -> Double {
        let perTask = max(1, requests / connections)
        let start = ContinuousClock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for _ in 0..<connections {
                group.addTask { for _ in 0..<perTask { _ = try await client.pipeline([command]) } }
            }
            try await group.waitForAll()
        }
        return Double(perTask * connections) / seconds(since: start)
    }

    /// Runs redis-benchmark and reads its CSV: `"test","rps",…`.
    private func referenceRates(port: Int, extra: [String]) throws -> [String: Double] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["redis-benchmark", "-h", "127.0.0.1", "-p", String(port), "-n", String(requests), "-t", "ping,set,get", "--csv", "-d", "3"] + extra
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        var rates: [String: Double] = [:]
        for line in String(decoding: data, as: UTF8.self).split(separator: "\n") {
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) }
            guard fields.count >= 2, let rate = Double(fields[1]) else { continue }
            switch fields[0] {
            case "PING_MBULK": rates["PING"] = rate
            case "SET", "GET": rates[fields[0]] = rate
            default: break
            }
        }
        return rates
    }

    private func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text + " " : text + String(repeating: " ", count: width - text.count)
    }
}
