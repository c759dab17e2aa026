import AsyncHTTPClient
import Foundation
import NIOCore
import Relay

/// The built `crs` executable run as a child process, the way an operator runs it.
final class CRSProcess: @unchecked Sendable {
    let process = Process()
    let port: Int
    let workingDirectory: String
    /// Output goes to a file (not a Foundation Pipe: see `runProgram`).
    private let outputPath = NSTemporaryDirectory() + "crs-serve-" + UUID().uuidString + ".log"

    static var executable: URL {
        let directory = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for candidate in [directory, directory.deletingLastPathComponent()] {
            let url = candidate.appendingPathComponent("crs")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath + "/.build/debug/crs")
    }

    init(arguments: [String], environment: [String: String], workingDirectory: String? = nil) throws {
        port = FreePort.find()
        self.workingDirectory = workingDirectory ?? NSTemporaryDirectory() + "crs-test-" + UUID().uuidString.prefix(8)
        try FileManager.default.createDirectory(atPath: self.workingDirectory, withIntermediateDirectories: true)
        process.executableURL = Self.executable
        process.arguments = arguments
        process.currentDirectoryURL = URL(fileURLWithPath: self.workingDirectory)
        var env = ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("CRS_") }
        env["CRS_PORT"] = String(port)
        env["CRS_HOST"] = "127.0.0.1"
        env["CRS_PRICING_URL"] = "off"  // no download from the internet in tests
        env.merge(environment) { _, new in new }
        process.environment = env
        _ = FileManager.default.createFile(atPath: outputPath, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: outputPath))
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
        try handle.close()
    }

    var log: String { (try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "" }

    func waitForExit(timeout: Duration = .seconds(20)) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning, ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(50)) }
        return process.isRunning ? nil : process.terminationStatus
    }

    func terminate() async -> Int32? {
        if process.isRunning { process.terminate() }
        let status = await waitForExit()
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        return status
    }

    func removeWorkingDirectory() {
        try? FileManager.default.removeItem(atPath: workingDirectory)
        try? FileManager.default.removeItem(atPath: outputPath)
    }
}

/// GET through AsyncHTTPClient; returns status and body text.
func httpGet(_ url: String) async throws -> (status: Int, body: String) {
    let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(5))
    let body = try await response.body.collect(upTo: 1 << 20)
    return (Int(response.status.code), String(buffer: body))
}
