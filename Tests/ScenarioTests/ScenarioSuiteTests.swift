import Foundation
import Scenario
import Testing

/// Every YAML file under `scenarios/` is a test case: `swift test` is the scenario suite.
@Suite("Scenario suite")
struct ScenarioSuiteTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let files = ScenarioFile.discover(in: root + "/scenarios").map { String($0.dropFirst(root.count + 1)) }

    @Test("scenario", arguments: files)
    func scenario(_ file: String) async throws {
        let result = await ScenarioRunner().run(path: Self.root + "/" + file)
        print(result.report)
        #expect(result.passed, Comment(rawValue: result.report))
    }

    @Test func suiteIsNotEmpty() {
        #expect(Self.files.count >= 10, "found only \(Self.files.count) scenario files under scenarios/")
    }

    @Test func malformedScenarioNamesFileLineAndProblem() throws {
        let yaml = "name: broken\nsteps:\n  - login: {}\n  - requets: POST /api/v1/messages\n"
        #expect(throws: ScenarioLoadError.self) { try ScenarioFile.parse(yaml, path: "broken.yaml") }
        do {
            _ = try ScenarioFile.parse(yaml, path: "broken.yaml")
        } catch let error as ScenarioLoadError {
            #expect(error.line == 4)
            #expect(error.description.hasPrefix("broken.yaml:4: unknown step 'requets'"))
        }
        let badOption = "name: x\nsteps:\n  - request: POST /api/v1/messages\n    expcet: {status: 200}\n"
        do {
            _ = try ScenarioFile.parse(badOption, path: "x.yaml")
            Issue.record("a misspelt option must be refused")
        } catch let error as ScenarioLoadError {
            #expect(error.line == 4 && error.message.contains("no option 'expcet'"))
        }
    }
}
