import AsyncHTTPClient
import FakeUpstreams
import Foundation
import NIOCore
import Relay
import Scenario
import Testing

/// #10, slow readers: a client that stops reading a large stream must not make the relay buffer it. The relay runs
/// as its own process (`crs serve`) so its resident memory can be read: a 100 MB stream is sent while the client
/// reads nothing for a few seconds. Kernel socket buffers can take tens of MB on loopback, but they are not the
/// relay's memory; if the relay read ahead into its own buffers, its RSS would grow by most of the stream.
/// When the client reads again, every byte arrives and the stream ends properly.
@Suite("Stalled reader", .serialized)
struct StalledReaderTests {
    @Test func aStalledClientDoesNotGrowTheRelaysMemory() async throws {
        let fake = try await FakeServer.anthropic()
        let relay = try CRSProcess(arguments: ["serve"], environment: ServeTests.secrets.merging([
            "CRS_ADMIN_USERNAME": "admin", "CRS_ADMIN_PASSWORD": "stalled-reader-1", "CRS_LOG_LEVEL": "warning",
        ]) { _, new in new })
        defer {
            relay.removeWorkingDirectory()
            Task { await fake.stop() }
        }
        let base = "http://127.0.0.1:\(relay.port)"
        let up = await eventually(timeout: .seconds(30)) { (try? await httpGet(base + "/health"))?.status == 200 }
        #expect(up, "log:\n\(relay.log)")
        fake.state.addCredentials(FakeCredentials(apiKeys: ["sk-console-A"]))
        let login = try await HTTPExchange.send(method: "POST", url: base + "/web/auth/login", headers: [:],
                                                body: try JSONSerialization.data(withJSONObject: ["username": "admin", "password": "stalled-reader-1"]))
        let token = try #require((login.json as? [String: Any])?["token"] as? String)
        let auth = ["Authorization": "Bearer \(token)"]
        _ = try await HTTPExchange.send(method: "POST", url: base + "/admin/claude-console-accounts", headers: auth,
                                        body: try JSONSerialization.data(withJSONObject: ["name": "A", "apiUrl": fake.baseURL + "/a", "apiKey": "sk-console-A"]))
        let created = try await HTTPExchange.send(method: "POST", url: base + "/admin/api-keys", headers: auth,
                                                  body: try JSONSerialization.data(withJSONObject: ["name": "stall"]))
        let key = try #require(((created.json as? [String: Any])?["data"] as? [String: Any])?["key"] as? String)

        // About 100 MB of SSE in 2,000 text deltas of 50,000 characters.
        fake.state.enqueue([FakeBehavior(usage: FakeUsage(input: 5, output: 1_000), text: String(repeating: "x", count: 100_000_000), deltaCount: 2_000)])
        let before = try Self.residentMB(pid: relay.process.processIdentifier)
        var request = HTTPClientRequest(url: base + "/api/v1/messages")
        request.method = .POST
        request.headers.add(name: "x-api-key", value: key)
        request.headers.add(name: "anthropic-version", value: "2023-06-01")
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: #"{"model":"claude-3-5-haiku-20241022","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#))
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        let response = try await client.execute(request, timeout: .seconds(300))
        #expect(response.status == .ok)

        // The client reads nothing for 4 s.
        var peak = before
        for _ in 0..<20 {
            try await Task.sleep(for: .milliseconds(200))
            peak = max(peak, try Self.residentMB(pid: relay.process.processIdentifier))
        }
        #expect(peak - before < 40, "the relay's memory grew by \(Int(peak - before)) MB while its client read nothing")
        #expect(fake.state.requests.first { $0.path.hasPrefix("/a/") }?.outcome == "in-flight", "the upstream finished: something buffered the stream")

        // Reading again: everything arrives and the stream ends with message_stop.
        var received = 0
        var tail = ""
        for try await chunk in response.body {
            received += chunk.readableBytes
            tail = String((tail + String(buffer: chunk)).suffix(200))
        }
        #expect(received > 90_000_000)
        #expect(tail.contains("message_stop"))
        try await client.shutdown()
        _ = await relay.terminate()
    }

    static func residentMB(pid: Int32) throws -> Double {
        let status = try String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmRSS:") } ?? ""
        return (Double(line.split(separator: " ", omittingEmptySubsequences: true).dropFirst().first ?? "0") ?? 0) / 1024
    }
}
