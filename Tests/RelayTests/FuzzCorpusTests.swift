import Foundation
import FuzzTargets
import Scenario
import Testing

/// Every input under fixtures/fuzz/<target>/ — the seeds and anything a fuzzing run found — goes through its
/// target once more in the suite: a crash found once stays fixed.
@Suite("Fuzz corpus replay")
struct FuzzCorpusTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/fuzz").path

    @Test(arguments: FuzzTarget.allCases)
    func corpusReplaysWithoutACrash(target: FuzzTarget) throws {
        let directory = Self.root + "/" + target.rawValue
        let files = try FileManager.default.contentsOfDirectory(atPath: directory).sorted()
        #expect(!files.isEmpty, "no seed inputs for \(target.rawValue)")
        var results: [Int] = []
        for file in files {
            let data = try Data(contentsOf: URL(fileURLWithPath: directory + "/" + file))
            results.append(data.withUnsafeBytes { target.run($0) })
        }
        // The seeds are valid inputs: each target gets something out of at least one (a broken harness would not).
        #expect(results.contains { $0 > 0 }, "\(target.rawValue): no input produced anything")
    }

    /// Found by fuzzing (fixtures/fuzz/scenario/crash-non-scalar-mapping-key.yaml): a mapping key that is itself a
    /// sequence crashed the loader inside Yams; it is a load error now.
    @Test func aNonScalarMappingKeyIsALoadErrorNotACrash() {
        let text = "name: x\nsteps:\n  - login: {}\n  - admin: GET /admin/x\n    expect: {? [a, b] : 1}\n"
        #expect(throws: ScenarioLoadError.self) { try ScenarioFile.parse(text, path: "bad.yaml") }
    }
}
