import ArgumentParser
import Dispatch
import Foundation
import Scenario

struct ScenarioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scenario", abstract: "Run scenario files.", subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run scenarios (files or directories; default: scenarios/).")

        @Argument(help: "Scenario files or directories.") var paths: [String] = ["scenarios"]
        @Option(help: "Only scenarios whose path contains this text.") var filter: String?
        @Option(help: "Run each scenario this many times (flake hunting).") var `repeat` = 1
        @Option(help: "Scenarios run at once, each in its own environment.") var jobs = 1
        @Option(help: "Also write the results as JUnit XML to this file.") var junit: String?
        @Flag(help: "Run the real-upstream scenarios (default path scenarios/e2e; credentials from the environment, see docs/scenarios.md).")
        var real = false

        func run() async throws {
            var files: [String] = []
            let paths = real && self.paths == ["scenarios"] ? ["scenarios/e2e"] : self.paths
            for path in paths {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                    files += ScenarioFile.discover(in: path)
                } else {
                    files.append(path)
                }
            }
            if let filter { files = files.filter { $0.contains(filter) } }
            let runs = files.flatMap { Array(repeating: $0, count: max(1, `repeat`)) }
            let started = ContinuousClock.now

            // Ctrl-C: stop starting scenarios, let running ones tear their environment down, then exit 130.
            let runner = ScenarioRunner(allowRealUpstreams: real)
            let work = Task { await Self.runAll(runs, jobs: max(1, jobs), runner: runner) }
            signal(SIGINT, SIG_IGN)
            let interrupt = DispatchSource.makeSignalSource(signal: SIGINT, queue: .main)
            interrupt.setEventHandler {
                FileHandle.standardError.write(Data("\ninterrupted: stopping the running scenarios and cleaning up…\n".utf8))
                work.cancel()
            }
            interrupt.resume()
            let results = await work.value
            interrupt.cancel()

            let elapsed = ContinuousClock.now - started
            let seconds = Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
            let skipped = results.filter { $0.skipped != nil }.count
            let passed = results.filter(\.passed).count - skipped
            print("\(passed) passed, \(results.count - passed - skipped) failed, \(skipped) skipped, \(runs.count - results.count) not run (\(String(format: "%.1f", seconds)) s)")
            if let junit {
                try JUnitReport.xml(results, seconds: seconds).write(toFile: junit, atomically: true, encoding: .utf8)
            }
            if work.isCancelled { throw ExitCode(130) }
            if passed + skipped < runs.count { throw ExitCode(1) }
        }

        /// Runs up to `jobs` scenarios at once, printing each report as it finishes; in file order in the result.
        static func runAll(_ runs: [String], jobs: Int, runner: ScenarioRunner) async -> [ScenarioResult] {
            await withTaskGroup(of: (Int, ScenarioResult).self) { group in
                var next = 0
                var results: [(Int, ScenarioResult)] = []
                func startNext() {
                    guard next < runs.count, !Task.isCancelled else { return }
                    let index = next
                    next += 1
                    group.addTask { (index, await runner.run(path: runs[index])) }
                }
                for _ in 0..<jobs { startNext() }
                for await (index, result) in group {
                    print(result.report)
                    results.append((index, result))
                    startNext()
                }
                return results.sorted { $0.0 < $1.0 }.map(\.1)
            }
        }
    }
}
