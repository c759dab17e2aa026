import AsyncHTTPClient
import FakeUpstreams
import Foundation
import NIOCore
import Scenario
import Testing

/// Slowloris: a client that trickles its request head, or stalls its body, loses the connection at the configured
/// deadline (`CRS_CLIENT_HEADER_TIMEOUT_MS`, `CRS_CLIENT_BODY_TIMEOUT_MS`) instead of holding it forever; a response
/// that takes longer than both (a slow stream) is not cut, and the connection serves the next request after it.
@Suite("Slow clients are cut off at the deadlines", .serialized)
struct SlowClientTests {
    @Test func tricklingHeadsAndStalledBodiesAreClosedButLongResponsesAreNot() async throws {
        try await RelayHarness.with(overrides: ["CRS_CLIENT_HEADER_TIMEOUT_MS": "1000", "CRS_CLIENT_BODY_TIMEOUT_MS": "1000"]) { harness in
            let port = try #require(URL(string: harness.relay.baseURL)?.port)
            // The admin setup comes first. With a 1 s keep-alive limit the relay closes a pooled connection that
            // idled that long (a loaded test machine can pause this task for it), and a request sent on it just then
            // fails unread (closed / reset by peer) — a client of such a server retries; so does this setup.
            harness.fakes.state.addCredentials(FakeCredentials(apiKeys: ["sk-console-slow"]))
            let admin = try await Self.retryingStaleConnection { try await RelayClient.login(harness) }
            _ = try await Self.retryingStaleConnection {
                try await admin.call("POST", "/admin/claude-console-accounts", ["name": "A", "apiUrl": harness.fakes.baseURL + "/a", "apiKey": "sk-console-slow"])
            }
            let created = try await Self.retryingStaleConnection { try await admin.call("POST", "/admin/api-keys", ["name": "slow"]) }
            let rawKey = try #require(admin.data(created)["key"] as? String)
            // A head sent one header byte every 200 ms: closed about 1 s after connecting, long before it would end.
            let trickle = """
            import socket, time
            s = socket.create_connection(('127.0.0.1', \(port))); start = time.time(); s.settimeout(0.2)
            s.sendall(b'POST /api/v1/messages HTTP/1.1\\r\\nHost: x\\r\\n')
            closed = None
            for i in range(100):
                try:
                    s.sendall(b'X-Slow-' + str(i).encode() + b': a\\r\\n')
                    if s.recv(64) == b'': closed = time.time() - start; break
                except socket.timeout: pass
                except OSError: closed = time.time() - start; break
            print(closed)
            """
            let (_, headOutput) = try await runProgram(["python3", "-c", trickle])
            let headClosed = Double(headOutput.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            #expect(headClosed > 0.8 && headClosed < 3, "trickled head: connection closed after \(headOutput)")

            // A body announced as 1,000 bytes of which 10 arrive (with a valid key, so the relay must wait for it):
            // closed about 1 s after the head.
            let stall = """
            import socket, time
            s = socket.create_connection(('127.0.0.1', \(port))); s.settimeout(5)
            s.sendall(b'POST /api/v1/messages HTTP/1.1\\r\\nHost: x\\r\\nx-api-key: \(rawKey)\\r\\nanthropic-version: 2023-06-01\\r\\nContent-Type: application/json\\r\\nContent-Length: 1000\\r\\n\\r\\n{"model":')
            start = time.time()
            try:
                data = s.recv(4096)
                print(time.time() - start if data == b'' else 'answered ' + data.decode(errors='replace').splitlines()[0])
            except OSError as e: print(time.time() - start)
            """
            let (_, bodyOutput) = try await runProgram(["python3", "-c", stall])
            let bodyClosed = Double(bodyOutput.trimmingCharacters(in: .whitespacesAndNewlines)) ?? -1
            #expect(bodyClosed > 0.8 && bodyClosed < 3, "stalled body: \(bodyOutput)")

            // A 2.5 s stream outlives both deadlines untouched; the same connection then serves another request.
            harness.fakes.state.enqueue([FakeBehavior(eventIntervalMs: 250, usage: FakeUsage(input: 3, output: 10), text: String(repeating: "x", count: 10), deltaCount: 10)])
            let keepAlive = """
            import socket, json
            body = json.dumps({"model": "claude-3-5-haiku-20241022", "max_tokens": 20, "stream": True, "messages": [{"role": "user", "content": "hi"}]}).encode()
            def request(s, stream):
                b = body if stream else body.replace(b'"stream": true', b'"stream": false')
                s.sendall(b'POST /api/v1/messages HTTP/1.1\\r\\nHost: x\\r\\nx-api-key: \(rawKey)\\r\\nanthropic-version: 2023-06-01\\r\\nContent-Type: application/json\\r\\nContent-Length: ' + str(len(b)).encode() + b'\\r\\n\\r\\n' + b)
            s = socket.create_connection(('127.0.0.1', \(port))); s.settimeout(10)
            request(s, True)
            data = b''
            while b'message_stop' not in data or not data.endswith(b'0\\r\\n\\r\\n'):
                chunk = s.recv(65536)
                if not chunk: break
                data += chunk
            request(s, False)
            second = s.recv(65536)
            print('stream-complete' if b'message_stop' in data else 'stream-cut', second.split(b'\\r\\n')[0].decode())
            """
            let (_, keepOutput) = try await runProgram(["python3", "-c", keepAlive])
            #expect(keepOutput.contains("stream-complete HTTP/1.1 200"), "\(keepOutput)")
        }
    }

    /// Runs `body` again once if its request met a connection the server had just closed for idling.
    static func retryingStaleConnection<T>(_ body: () async throws -> T) async throws -> T {
        do {
            return try await body()
        } catch let error as HTTPClientError where error == .remoteConnectionClosed {
            return try await body()
        } catch let error as IOError where error.errnoCode == ECONNRESET {
            return try await body()
        }
    }
}

