import ArgumentParser
import Foundation
import Scenario

struct ScenarioCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "scenario", abstract: "Run scenario files.", subcommands: [Run.self])

    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Run scenarios (files or directories; default: scenarios/).")

        @Argument(help: "Scenario files or directories.") var paths: [String] = ["scenarios"]
        @Option(help: "Only scenarios whose path contains this text.") var filter: String?
        @Option(help: "Run each scenario this many times (flake hunting).") var `repeat` = 1

        func run() async throws {
            var files: [String] = []
            for path in paths {
                var isDirectory: ObjCBool = false
                if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
                    files += ScenarioFile.discover(in: path)
                } else {
                    files.append(path)
                }
            }
            if let filter { files = files.filter { $0.contains(filter) } }
            var passed = 0
            var failed = 0
            for file in files {
                for _ in 0..<max(1, `repeat`) {
                    let result = await ScenarioRunner().run(path: file)
                    print(result.report)
                    if result.passed { passed += 1 } else { failed += 1 }
                }
            }
            print("\(passed) passed, \(failed) failed")
            if failed > 0 { throw ExitCode(1) }
        }
    }
}
