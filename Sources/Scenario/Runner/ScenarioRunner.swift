import FakeUpstreams
import Foundation
import Logging
import Relay

/// Runs scenario files: brings the environment up (Redis, fakes, relays), executes the steps in order, stops at
/// the first failing step with a report (the expectation, what came back, what the fake received), and always
/// tears the environment down.
public struct ScenarioRunner: Sendable {
    /// Whether scenarios that need real upstreams (`requires:` credentials) may run; off unless asked (`--real`).
    public var allowRealUpstreams: Bool

    public init(allowRealUpstreams: Bool = false) {
        self.allowRealUpstreams = allowRealUpstreams
    }

    public func run(path: String) async -> ScenarioResult {
        let started = ContinuousClock.now
        let file: ScenarioFile
        do {
            file = try ScenarioFile.load(path: path)
        } catch {
            return ScenarioResult(name: (path as NSString).lastPathComponent, path: path, stepsRun: 0,
                                  failure: .init(step: 0, line: (error as? ScenarioLoadError)?.line ?? 0, title: "load", problems: ["\(error)"], context: []),
                                  seconds: 0)
        }
        return await run(file, started: started)
    }

    public func run(_ file: ScenarioFile, started: ContinuousClock.Instant = .now) async -> ScenarioResult {
        if !file.requires.isEmpty, !allowRealUpstreams {
            return ScenarioResult(name: file.name, path: file.path, stepsRun: 0, failure: nil, seconds: 0,
                                  skipped: "talks to real upstreams: run it with crs scenario run --real")
        }
        let missing = file.missingRequirements()
        if !missing.isEmpty {
            return ScenarioResult(name: file.name, path: file.path, stepsRun: 0, failure: nil, seconds: 0,
                                  skipped: "set \(missing.joined(separator: ", ")) to run it (real upstream; see docs/scenarios.md)")
        }
        let harness: RelayHarness
        do {
            harness = try await RelayHarness.start(instances: file.relays, overrides: file.config)
        } catch {
            return ScenarioResult(name: file.name, path: file.path, stepsRun: 0,
                                  failure: .init(step: 0, line: 1, title: "environment", problems: ["could not start: \(error)"], context: []), seconds: 0)
        }
        harness.fakes.state.addCredentials(file.fakeCredentials)
        harness.fakes.state.relaxedRules = file.fakeRelaxed
        var execution = ScenarioExecution(harness: harness, secrets: file.requires.compactMap { ProcessInfo.processInfo.environment[$0] })
        var failure: ScenarioResult.StepFailure?
        var ran = 0
        var previousStepLogPosition = 0
        for (index, step) in file.steps.enumerated() {
            if Task.isCancelled {
                failure = .init(step: index + 1, line: step.line, title: execution.title(step), problems: ["interrupted"], context: [])
                break
            }
            ran = index + 1
            let logPosition = harness.logs.position
            let problems = await execution.perform(step)
            if !problems.isEmpty {
                // What the relay said during this step and the one before (an `expect_*` step checks the previous one).
                failure = .init(step: index + 1, line: step.line, title: execution.title(step), problems: problems,
                                context: execution.context(for: step, logsSince: previousStepLogPosition))
                break
            }
            previousStepLogPosition = logPosition
        }
        await harness.stop()
        let elapsed = ContinuousClock.now - started
        if let found = failure {
            // Never print a credential taken from the environment.
            failure = .init(step: found.step, line: found.line, title: execution.redacted(found.title), problems: found.problems.map(execution.redacted),
                            context: found.context.map(execution.redacted))
        }
        return ScenarioResult(name: file.name, path: file.path, stepsRun: ran, failure: failure,
                              seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
    }
}
