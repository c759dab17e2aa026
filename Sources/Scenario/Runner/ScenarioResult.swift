/// The outcome of one scenario run, with a report a person can act on.
public struct ScenarioResult: Sendable {
    public let name: String
    public let path: String
    public let stepsRun: Int
    public let failure: StepFailure?
    public let seconds: Double
    /// Why it did not run (e.g. a real-upstream scenario without credentials); a skip is not a failure.
    public let skipped: String?

    public var passed: Bool { failure == nil }

    public init(name: String, path: String, stepsRun: Int, failure: StepFailure?, seconds: Double, skipped: String? = nil) {
        self.name = name
        self.path = path
        self.stepsRun = stepsRun
        self.failure = failure
        self.seconds = seconds
        self.skipped = skipped
    }

    public struct StepFailure: Sendable {
        public let step: Int
        public let line: Int
        public let title: String
        public let problems: [String]
        public let context: [String]

        public init(step: Int, line: Int, title: String, problems: [String], context: [String]) {
            self.step = step
            self.line = line
            self.title = title
            self.problems = problems
            self.context = context
        }
    }

    public var report: String {
        if let skipped { return "○ \(name) — skipped: \(skipped)" }
        guard let failure else { return "✔ \(name) (\(stepsRun) steps, \(String(format: "%.2f", seconds)) s)" }
        var lines = ["✘ \(name) — \(path):\(failure.line)", "  step \(failure.step): \(failure.title)"]
        lines += failure.problems.map { "    ✘ \($0)" }
        lines += failure.context.map { "    \($0)" }
        return lines.joined(separator: "\n")
    }
}
