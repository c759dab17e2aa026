import FakeUpstreams
import Foundation
import Scenario
import Testing

/// docs/admin-endpoints.md lists the Node original's `/admin` endpoints with whether this relay serves each: every
/// row is called on a running relay (admin token, an empty JSON body, `x` for path parameters). A route exists when
/// the answer is anything but a 404 from the catch-all ("Route … not found"); a handler's 400, or for a path with
/// parameters its "not found", counts.
/// `CRS_WRITE_ENDPOINT_TABLE=1` rewrites the table's column from what the relay answers instead of checking it.
@Suite("Node admin endpoints served")
struct AdminEndpointCoverageTests {
    static let doc = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("docs/admin-endpoints.md").path
    static let row = try! NSRegularExpression(pattern: #"^\| (GET|POST|PUT|PATCH|DELETE) \| `([^`]+)` \| (yes|no|\?) \|(.*)$"#)

    static func concrete(_ path: String) -> String {
        path.split(separator: "/", omittingEmptySubsequences: false).map { $0.hasPrefix(":") ? "x" : String($0) }.joined(separator: "/")
    }

    /// The relay's catch-all answers unrouted paths with "Route … not found"; a path without parameters answered 404
    /// by a handler was taken by a parameterised route (`claude-accounts/:id` for `claude-accounts/usage-stats`).
    static func served(_ reply: HTTPExchange, parameterized: Bool) -> Bool {
        guard reply.status == 404 else { return true }
        // The router's own 404 (a path that starts down a parameterised route and ends nowhere) has no body.
        guard reply.json != nil else { return false }
        let message = (reply.object["message"] as? String) ?? ""
        return parameterized && !message.hasPrefix("Route ")
    }

    @Test func theTableSaysWhichNodeEndpointsThisRelayServes() async throws {
        let text = try String(contentsOfFile: Self.doc, encoding: .utf8)
        var lines = text.components(separatedBy: "\n")
        let write = ProcessInfo.processInfo.environment["CRS_WRITE_ENDPOINT_TABLE"] == "1"
        var mismatches: [String] = []
        var checked = 0
        var served = 0
        try await RelayHarness.with { harness in
            let admin = try await RelayClient.login(harness)
            for (index, line) in lines.enumerated() {
                let range = NSRange(line.startIndex..., in: line)
                guard let match = Self.row.firstMatch(in: line, range: range), let method = Range(match.range(at: 1), in: line),
                      let path = Range(match.range(at: 2), in: line), let claim = Range(match.range(at: 3), in: line),
                      let note = Range(match.range(at: 4), in: line) else { continue }
                let verb = String(line[method])
                let reply = try await admin.call(verb, Self.concrete(String(line[path])), verb == "GET" || verb == "DELETE" ? nil : [String: Any]())
                let exists = Self.served(reply, parameterized: line[path].contains(":"))
                checked += 1
                if exists { served += 1 }
                if write {
                    lines[index] = "| \(verb) | `\(line[path])` | \(exists ? "yes" : "no") |\(line[note])"
                } else if (line[claim] == "yes") != exists {
                    mismatches.append("\(verb) \(line[path]): the table says \(line[claim]), the relay \(exists ? "serves it" : "has no such route") (\(reply.status))")
                }
            }
        }
        if write { try lines.joined(separator: "\n").write(toFile: Self.doc, atomically: true, encoding: .utf8) }
        #expect(checked == 225, "rows read: \(checked)")
        #expect(mismatches.isEmpty, "\(mismatches.joined(separator: "\n"))")
        print("admin endpoints: \(served) of \(checked) Node endpoints served")
    }
}
