import AsyncHTTPClient
import FakeUpstreams
import Foundation
import NIOCore
import Relay
import Scenario
import Testing

/// Input no client should send: a clear 4xx in the family's shape, nothing reaches an upstream, the relay keeps
/// serving.
@Suite("Bad input")
struct BadInputTests {
    @Test func invalidUTF8OversizedHeadersAndUnknownRoutesAreRefusedCleanly() async throws {
        try await RelayHarness.with { harness in
            harness.fakes.state.addCredentials(FakeCredentials(apiKeys: ["sk-console-A"]))
            let admin = try await RelayClient.login(harness)
            _ = try await admin.call("POST", "/admin/claude-console-accounts", ["name": "A", "apiUrl": harness.fakes.baseURL + "/a", "apiKey": "sk-console-A"])
            let key = try #require(admin.data(try await admin.call("POST", "/admin/api-keys", ["name": "k"]))["key"] as? String)
            let base = harness.relay.baseURL

            // Invalid UTF-8 inside a JSON string.
            var invalid = Data(#"{"model":"claude-3-5-haiku-20241022","max_tokens":5,"messages":[{"role":"user","content":""#.utf8)
            invalid.append(contentsOf: [0xFF, 0xFE, 0xC3])
            invalid.append(Data(#""}]}"#.utf8))
            let utf8 = try await HTTPExchange.send(method: "POST", url: base + "/api/v1/messages",
                                                   headers: ["x-api-key": key, "anthropic-version": "2023-06-01", "content-type": "application/json"], body: invalid)
            #expect(utf8.status == 400, "\(utf8.status) \(utf8.body)")
            #expect((utf8.json as? [String: Any])?["type"] as? String == "error")

            // A header far over any sane size, sent raw (AsyncHTTPClient itself trips over a server that answers before
            // the request is sent): refused or the connection closed — never a crash.
            let port = try #require(URL(string: base)?.port)
            let script = "import socket; s = socket.create_connection(('127.0.0.1', \(port))); "
                + "s.sendall(b'POST /api/v1/messages HTTP/1.1\\r\\nHost: x\\r\\nX-Padding: ' + b'a' * 200000 + b'\\r\\n\\r\\n'); "
                + "s.settimeout(10); print((s.recv(64) or b'closed').decode(errors='replace').splitlines()[0])"
            let (_, rawReply) = try await runProgram(["python3", "-c", script])
            #expect(rawReply.hasPrefix("HTTP/1.1 4") || rawReply.hasPrefix("closed") || rawReply.contains("reset"), "\(rawReply)")

            // A header value with a bare CR (an attempt to smuggle a second header): a 400 from the HTTP parser or a
            // closed connection — never forwarded.
            let smuggle = "import socket; s = socket.create_connection(('127.0.0.1', \(port))); "
                + "s.sendall(b'POST /api/v1/messages HTTP/1.1\\r\\nHost: x\\r\\nX-A: a\\rX-Injected: 1\\r\\nContent-Length: 2\\r\\n\\r\\n{}'); "
                + "s.settimeout(10); print((s.recv(64) or b'closed').decode(errors='replace').splitlines()[0])"
            let (_, smuggleReply) = try await runProgram(["python3", "-c", smuggle])
            #expect(smuggleReply.hasPrefix("HTTP/1.1 400") || smuggleReply.hasPrefix("closed") || smuggleReply.contains("reset"), "\(smuggleReply)")

            // Unknown client routes: a JSON 404, in each family's shape where the family is known.
            for (path, check) in [("/api/v1/nothing-here", "type"), ("/openai/v1/nothing-here", "error"), ("/gemini/v1beta/nothing/here/at/all", "error")] {
                let reply = try await HTTPExchange.send(method: "POST", url: base + path, headers: ["x-api-key": key], body: Data("{}".utf8))
                #expect(reply.status == 404, "\(path) → \(reply.status)")
                #expect((reply.json as? [String: Any])?[check] != nil, "\(path) → \(reply.body.prefix(120))")
            }

            // Nothing reached an upstream, and the relay still serves.
            #expect(harness.fakes.state.requests.isEmpty)
            let ok = try await RelayClient(baseURL: base).call("POST", "/api/v1/messages",
                ["model": "claude-3-5-haiku-20241022", "max_tokens": 5, "messages": [["role": "user", "content": "hi"]]],
                headers: ["x-api-key": key, "anthropic-version": "2023-06-01"])
            #expect(ok.status == 200)
        }
    }
}
