import Foundation
import Scenario
import Testing

/// Every YAML file under `scenarios/` is a test case: `swift test` is the scenario suite.
@Suite("Scenario suite")
struct ScenarioSuiteTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path
    static let allFiles = ScenarioFile.discover(in: root + "/scenarios").map { String($0.dropFirst(root.count + 1)) }
    /// Scenarios that talk to real upstreams (`requires:` credentials) never run here: they show as skipped.
    static let realUpstreamFiles = allFiles.filter { (try? ScenarioFile.load(path: root + "/" + $0))?.requires.isEmpty == false }
    static let files = allFiles.filter { !realUpstreamFiles.contains($0) }

    /// Scenarios run a few at a time: each brings its own redis-server, fakes and relays, and with all ~70 at once on
    /// a 2-core machine single requests waited over 30 s — timing noise, not relay behaviour.
    static let gate = ScenarioGate(width: max(4, ProcessInfo.processInfo.activeProcessorCount * 3))

    @Test("scenario", arguments: files)
    func scenario(_ file: String) async throws {
        await Self.gate.enter()
        let result = await ScenarioRunner().run(path: Self.root + "/" + file)
        await Self.gate.leave()
        print(result.report)
        #expect(result.skipped == nil && result.passed, Comment(rawValue: result.report))
    }

    @Test("real-upstream scenario", .disabled("talks to real upstreams: run it with crs scenario run --real (docs/scenarios.md)"),
          arguments: realUpstreamFiles)
    func realUpstreamScenario(_ file: String) async throws {
        let result = await ScenarioRunner(allowRealUpstreams: true).run(path: Self.root + "/" + file)
        print(result.report)
        #expect(result.passed, Comment(rawValue: result.report))
    }

    /// The skipped real-upstream scenarios still have to load.
    @Test func realUpstreamScenariosLoad() throws {
        #expect(!Self.realUpstreamFiles.isEmpty)
        for file in Self.realUpstreamFiles { _ = try ScenarioFile.load(path: Self.root + "/" + file) }
    }

    @Test func suiteIsNotEmpty() {
        let byFolder = Dictionary(grouping: Self.allFiles) { $0.split(separator: "/").dropLast().joined(separator: "/") }
        print("scenario files: \(Self.allFiles.count), \(Self.realUpstreamFiles.count) of them real-upstream (" + byFolder.keys.sorted().map { "\($0): \(byFolder[$0]!.count)" }.joined(separator: ", ") + ")")
        #expect(Self.files.count >= 40, "found only \(Self.files.count) scenario files under scenarios/")
    }

    @Test func junitReportNamesEveryRunAndCarriesTheFailureReport() {
        let passed = ScenarioResult(name: "ok <one>", path: "scenarios/limits/a.yaml", stepsRun: 3, failure: nil, seconds: 1.5)
        let failed = ScenarioResult(name: "broken & co", path: "scenarios/batches/b.yaml", stepsRun: 2,
                                    failure: .init(step: 2, line: 9, title: "request POST /x", problems: ["status: expected 200, got 503"], context: []),
                                    seconds: 0.25)
        let xml = JUnitReport.xml([passed, failed], seconds: 2)
        #expect(xml.contains(#"<testsuites name="scenarios" tests="2" failures="1" time="2.000">"#))
        #expect(xml.contains(#"<testcase name="ok &lt;one&gt;" classname="scenarios.limits" file="scenarios/limits/a.yaml" time="1.500"/>"#))
        #expect(xml.contains(#"<failure message="status: expected 200, got 503" type="step 2: request POST /x">"#))
        #expect(xml.contains("broken &amp; co — scenarios/batches/b.yaml:9"))
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

    /// A misspelt check in `expect:` or a `redis:` step would check nothing and pass: loading refuses it.
    @Test func unknownExpectOrRedisKeysFailToLoad() throws {
        func refused(_ yaml: String, line: Int, saying message: String) {
            do {
                _ = try ScenarioFile.parse(yaml, path: "x.yaml")
                Issue.record("must be refused: \(message)")
            } catch let error as ScenarioLoadError {
                #expect(error.line == line && error.message.contains(message), "\(error)")
            } catch {
                Issue.record("unexpected \(error)")
            }
        }
        refused("name: x\nsteps:\n  - request: POST /api/v1/messages\n    expect:\n      status: 200\n      jsn: {a: 1}\n", line: 6,
                saying: "'expect' has no check 'jsn'")
        refused("name: x\nsteps:\n  - redis: {hash: 'apikey:1', feilds: {name: a}}\n", line: 3, saying: "'redis' has no check 'feilds'")
        refused("name: x\nfake:\n  credentials: {apiKey: [a]}\nsteps:\n  - login: {}\n", line: 3, saying: "no fake reads 'apiKey'")
        let awaitExpect = "name: x\nsteps:\n  - await: one\n    expect: {stauts: 200}\n"
        #expect(throws: ScenarioLoadError.self) { try ScenarioFile.parse(awaitExpect, path: "x.yaml") }
        let fine = "name: x\nsteps:\n  - request: POST /api/v1/messages\n    expect: {status: 200, json: {a: 1}, events_contain: [x]}\n  - redis: {get: k, value: 1}\n"
        #expect(try ScenarioFile.parse(fine, path: "x.yaml").steps.count == 2)
    }
}

/// At most `width` scenarios at once; the others wait their turn (FIFO).
actor ScenarioGate {
    let width: Int
    private var running = 0
    private var waiting: [CheckedContinuation<Void, Never>] = []

    init(width: Int) {
        self.width = width
    }

    func enter() async {
        if running < width {
            running += 1
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    func leave() {
        if waiting.isEmpty {
            running -= 1
        } else {
            waiting.removeFirst().resume()
        }
    }
}
