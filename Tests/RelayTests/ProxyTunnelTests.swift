import FakeUpstreams
import Foundation
import Relay
import Scenario
import Testing

/// Account proxies against independent implementations: curl (a real proxy client) checks the harness's proxy fake
/// speaks HTTP CONNECT and SOCKS5 with credentials as real proxies do, and microsocks (a real SOCKS5 server with
/// username/password auth, from Debian) checks the relay's SOCKS5 bridge against something the relay did not write.
@Suite("Account proxies", .serialized)
struct ProxyTunnelTests {
    @Test func curlTunnelsThroughTheProxyFakeOnlyWithItsCredentials() async throws {
        let fakes = try await FakeServer.all()
        let proxyPort = try #require(fakes.proxy?.port)
        let target = fakes.baseURL + "/__fake/stats"
        let good = "\(FakeProxyServer.username):\(FakeProxyServer.password)"
        do {
            for proxy in ["http://\(good)@127.0.0.1:\(proxyPort)", "socks5h://\(good)@127.0.0.1:\(proxyPort)", "socks5://\(good)@127.0.0.1:\(proxyPort)"] {
                let (status, output) = try await runProgram(["curl", "-sS", "--max-time", "10", "--proxytunnel", "-x", proxy, target])
                #expect(status == 0 && output.contains("\"total\""), "\(proxy): \(output)")
            }
            // Refusals as a real proxy words them: 407 to CONNECT, RFC 1929 failure to SOCKS5 (curl exits 56 / 97).
            let (httpStatus, httpOutput) = try await runProgram(["curl", "-sS", "--max-time", "10", "--proxytunnel", "-x", "http://crs-proxy:nope@127.0.0.1:\(proxyPort)", target])
            #expect(httpStatus == 56 && httpOutput.contains("407"), "\(httpStatus) \(httpOutput)")
            let (socksStatus, _) = try await runProgram(["curl", "-sS", "--max-time", "10", "-x", "socks5h://crs-proxy:nope@127.0.0.1:\(proxyPort)", target])
            #expect(socksStatus == 97)
            // No credentials offered at all: SOCKS5 answers "no acceptable method".
            let (anonymous, _) = try await runProgram(["curl", "-sS", "--max-time", "10", "-x", "socks5h://127.0.0.1:\(proxyPort)", target])
            #expect(anonymous == 97)
            let outcomes = fakes.state.proxyLog.all.map(\.outcome)
            #expect(outcomes == ["open", "open", "open", "407", "auth failed", "no acceptable method"], "\(outcomes)")
            #expect(fakes.state.requests.filter { $0.path == "/__fake/stats" }.isEmpty)  // the control API is not recorded
        }
        await fakes.stop()
    }

    @Test func relayReachesTheUpstreamThroughMicrosocksWithCredentials() async throws {
        let port = try await freeLoopbackPort()
        let socks = Process()
        socks.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        socks.arguments = ["microsocks", "-i", "127.0.0.1", "-p", String(port), "-u", "relay-user", "-P", "relay-secret"]
        socks.standardOutput = FileHandle.nullDevice
        socks.standardError = FileHandle.nullDevice
        try socks.run()
        defer { socks.terminate() }
        try await Task.sleep(for: .milliseconds(200))

        try await RelayHarness.with { harness in
            harness.fakes.state.addCredentials(FakeCredentials(apiKeys: ["sk-console-socks", "sk-console-spare"]))
            let admin = try await RelayClient.login(harness)
            func account(_ name: String, _ key: String, password: String, priority: Int) async throws -> String {
                let reply = try await admin.call("POST", "/admin/claude-console-accounts", [
                    "name": name, "apiUrl": harness.fakes.baseURL + "/\(name)", "apiKey": key, "priority": priority,
                    "proxy": ["type": "socks5", "host": "127.0.0.1", "port": port, "username": "relay-user", "password": password],
                ])
                #expect(reply.status == 200, "\(reply.body)")
                return try #require(admin.data(reply)["id"] as? String)
            }
            let good = try await account("viasocks", "sk-console-socks", password: "relay-secret", priority: 1)
            let key = try #require(admin.data(try await admin.call("POST", "/admin/api-keys", ["name": "socks"]))["key"] as? String)
            let headers = ["x-api-key": key, "anthropic-version": "2023-06-01", "content-type": "application/json"]
            let body: [String: Any] = ["model": "claude-sonnet-4-5-20250929", "max_tokens": 5, "messages": [["role": "user", "content": "hi"]]]
            let client = RelayClient(baseURL: harness.relay.baseURL)

            let first = try await client.call("POST", "/api/v1/messages", body, headers: headers)
            #expect(first.status == 200, "\(first.body)")
            #expect(harness.fakes.state.requests.map(\.path) == ["/viasocks/v1/messages"])

            // Streaming through the tunnel too.
            var streamed = body
            streamed["stream"] = true
            let stream = try await client.call("POST", "/api/v1/messages", streamed, headers: headers)
            #expect(stream.status == 200 && stream.body.contains("message_stop"), "\(stream.body.prefix(300))")

            // microsocks refuses a wrong password: that account is failed over, never reached without the proxy.
            _ = try await admin.call("PUT", "/admin/claude-console-accounts/\(good)/toggle-schedulable")
            _ = try await account("badsocks", "sk-console-spare", password: "wrong", priority: 2)
            let refused = try await client.call("POST", "/api/v1/messages", body, headers: headers)
            #expect(refused.status == 502, "\(refused.body)")
            #expect(!refused.body.contains("wrong") && !refused.body.contains("relay-secret"))
            #expect(harness.fakes.state.requests.filter { $0.path.hasPrefix("/badsocks") }.isEmpty)
        }
    }

    private func freeLoopbackPort() async throws -> Int {
        let (status, output) = try await runProgram(["python3", "-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
        #expect(status == 0)
        return try #require(Int(output.trimmingCharacters(in: .whitespacesAndNewlines)))
    }
}
