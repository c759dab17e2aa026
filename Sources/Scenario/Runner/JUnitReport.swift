import Foundation

/// Scenario results as JUnit XML (one `<testcase>` per run, the failure report as its text), for CI dashboards.
public enum JUnitReport {
    public static func xml(_ results: [ScenarioResult], suite: String = "scenarios", seconds: Double) -> String {
        let failures = results.filter { !$0.passed }.count
        let skipped = results.filter { $0.skipped != nil }.count
        var lines = [
            #"<?xml version="1.0" encoding="UTF-8"?>"#,
            #"<testsuites name="\#(escape(suite))" tests="\#(results.count)" failures="\#(failures)" time="\#(format(seconds))">"#,
            #"  <testsuite name="\#(escape(suite))" tests="\#(results.count)" failures="\#(failures)" errors="0" skipped="\#(skipped)" time="\#(format(seconds))">"#,
        ]
        for result in results {
            let open = #"    <testcase name="\#(escape(result.name))" classname="\#(escape(className(result.path)))" file="\#(escape(result.path))" time="\#(format(result.seconds))""#
            if let reason = result.skipped {
                lines.append(open + ">")
                lines.append(#"      <skipped message="\#(escape(reason))"/>"#)
                lines.append("    </testcase>")
            } else if let failure = result.failure {
                lines.append(open + ">")
                let message = failure.problems.first ?? "failed"
                lines.append(#"      <failure message="\#(escape(message))" type="step \#(failure.step): \#(escape(failure.title))">\#(escape(result.report))</failure>"#)
                lines.append("    </testcase>")
            } else {
                lines.append(open + "/>")
            }
        }
        lines += ["  </testsuite>", "</testsuites>", ""]
        return lines.joined(separator: "\n")
    }

    /// `scenarios/limits/x.yaml` → `scenarios.limits`.
    static func className(_ path: String) -> String {
        let parts = path.split(separator: "/").dropLast()
        let from = parts.lastIndex(of: "scenarios") ?? parts.startIndex
        return parts[from...].joined(separator: ".")
    }

    static func format(_ seconds: Double) -> String { String(format: "%.3f", seconds) }

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            case "\n", "\t", "\r": out.unicodeScalars.append(scalar)
            default:
                // XML 1.0 has no place for other control characters.
                if scalar.value < 0x20 || scalar.value == 0xFFFE || scalar.value == 0xFFFF { out += "?" } else { out.unicodeScalars.append(scalar) }
            }
        }
        return out
    }
}
