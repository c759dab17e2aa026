import FakeUpstreams
import Foundation
import Glibc
import Relay
import Scenario
import Testing

/// #10, slow readers: a client that stops reading a large stream must not make the relay buffer it. The relay runs
/// as its own process (`crs serve`) so its resident memory can be read. The fake upstream sends 160 MB as fast as
/// the wire takes it (one pre-built 1 MB delta written 160 times) while the client — a raw socket with a fixed
/// 64 KB receive buffer — reads nothing for 4 s. The kernel's socket buffers on the way hold at most ~45 MB here
/// (loopback receive buffers autotune to 32 MB, send buffers to 4 MB); a relay that read ahead into its own memory
/// would hold most of the other 115 MB. So the relay's RSS must stay flat until the client reads again — then every
/// byte arrives and the stream ends properly. (Hummingbird's body writer queues writes without waiting for the
/// socket, so the fake's own "finished" says nothing about back-pressure; the relay's memory is the measure.)
/// (The first version of this test used a debug-built fake generating events one by one: it never produced fast
/// enough for the relay to hoard anything, and passed with the pump's bound taken out.)
@Suite("Stalled reader", .serialized)
struct StalledReaderTests {
    @Test func aStalledClientDoesNotGrowTheRelaysMemory() async throws {
        let fake = try await FakeServer.all()
        let relay = try CRSProcess(arguments: ["serve"], environment: ServeTests.secrets.merging([
            "CRS_ADMIN_USERNAME": "admin", "CRS_ADMIN_PASSWORD": "stalled-reader-1", "CRS_LOG_LEVEL": "warning",
            "CRS_ADMIN_LOGIN_MAX_FAILURES": "0",  // the login below polls until the admin account is written
        ]) { _, new in new })
        defer {
            if relay.process.isRunning { relay.process.terminate() }  // also when an expectation above threw
            relay.removeWorkingDirectory()
            Task { await fake.stop() }
        }
        let base = "http://127.0.0.1:\(relay.port)"
        let up = await eventually(timeout: .seconds(30)) { (try? await httpGet(base + "/health"))?.status == 200 }
        #expect(up, "log:\n\(relay.log)")
        fake.state.addCredentials(FakeCredentials(apiKeys: ["sk-console-A"]))
        // The admin account is written just after start: log in once it exists.
        var token: String?
        _ = await eventually(timeout: .seconds(15)) {
            let login = try? await HTTPExchange.send(method: "POST", url: base + "/web/auth/login", headers: [:],
                                                     body: try JSONSerialization.data(withJSONObject: ["username": "admin", "password": "stalled-reader-1"]))
            token = (login?.json as? [String: Any])?["token"] as? String
            return token != nil
        }
        let auth = ["Authorization": "Bearer \(try #require(token, "no admin login; log:\n\(relay.log)"))"]
        _ = try await HTTPExchange.send(method: "POST", url: base + "/admin/claude-console-accounts", headers: auth,
                                        body: try JSONSerialization.data(withJSONObject: ["name": "A", "apiUrl": fake.baseURL + "/a", "apiKey": "sk-console-A"]))
        let created = try await HTTPExchange.send(method: "POST", url: base + "/admin/api-keys", headers: auth,
                                                  body: try JSONSerialization.data(withJSONObject: ["name": "stall"]))
        let key = try #require(((created.json as? [String: Any])?["data"] as? [String: Any])?["key"] as? String)

        fake.state.enqueue([FakeBehavior(usage: FakeUsage(input: 5, output: 1_000), deltaCount: Self.deltas, deltaBytes: 1 << 20)])
        let before = try residentMB(pid: relay.process.processIdentifier)
        // A raw socket with a small, fixed receive buffer: the client really stops reading (an HTTP client library
        // would read ahead into its own memory, and loopback buffers autotune to 32 MB).
        let body = #"{"model":"claude-3-5-haiku-20241022","max_tokens":50,"stream":true,"messages":[{"role":"user","content":"hi"}]}"#
        let socket = try StalledSocket(port: relay.port, receiveBuffer: 64 * 1024)
        defer { socket.close() }
        try socket.send("POST /api/v1/messages HTTP/1.1\r\nHost: 127.0.0.1\r\nx-api-key: \(key)\r\nanthropic-version: 2023-06-01\r\n"
                        + "content-type: application/json\r\ncontent-length: \(body.utf8.count)\r\nconnection: close\r\n\r\n" + body)

        // The client reads nothing for 4 s.
        var peak = before
        for _ in 0..<20 {
            try await Task.sleep(for: .milliseconds(200))
            peak = max(peak, try residentMB(pid: relay.process.processIdentifier))
        }
        #expect(peak - before < 40, "the relay's memory grew by \(Int(peak - before)) MB while its client read nothing")

        // Reading again: everything arrives and the stream ends with message_stop.
        let (received, tail) = socket.readToEnd()
        #expect(received > Self.deltas << 20)
        #expect(tail.contains("message_stop"))
        _ = await relay.terminate()
    }

    static let deltas = 160
}

/// A blocking TCP client that can stop reading: its receive buffer is fixed (no autotuning).
private final class StalledSocket {
    private let descriptor: Int32

    init(port: Int, receiveBuffer: Int32) throws {
        descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        var size = receiveBuffer
        setsockopt(descriptor, SOL_SOCKET, SO_RCVBUF, &size, socklen_t(MemoryLayout<Int32>.size))
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let connected = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard connected == 0 else { throw POSIXError(.ECONNREFUSED) }
    }

    func send(_ text: String) throws {
        let bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let sent = bytes[offset...].withUnsafeBytes { Glibc.send(descriptor, $0.baseAddress, $0.count, 0) }
            guard sent > 0 else { throw POSIXError(.EPIPE) }
            offset += sent
        }
    }

    /// Reads until the server closes; returns the byte count and the last 200 characters.
    func readToEnd() -> (Int, String) {
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var total = 0
        var tail: [UInt8] = []
        while true {
            let count = buffer.withUnsafeMutableBytes { recv(descriptor, $0.baseAddress, $0.count, 0) }
            guard count > 0 else { break }
            total += count
            tail = Array((tail + buffer[0..<count]).suffix(200))
        }
        return (total, String(decoding: tail, as: UTF8.self))
    }

    func close() { Glibc.close(descriptor) }
}
