import FakeUpstreams
import HTTPTypes
import NIOCore
import Relay
import Testing

/// The micro benchmarks (`benchmarks/micro`, not built by CI) time `BenchmarkSurface`'s work; these checks keep
/// that work real: every fake's stream is metered to its end with the same usage whatever the read size, and the
/// request, admission and usage-write paths do their whole job on the benchmark's inputs.
@Suite("Benchmark surface")
struct BenchmarkSurfaceTests {
    @Test(arguments: BenchmarkSurface.StreamKind.allCases)
    func everyFakeStreamIsMeteredToItsEnd(kind: BenchmarkSurface.StreamKind) throws {
        let format = try #require(FakeStreamSamples.Format(rawValue: kind.rawValue))
        let body = FakeStreamSamples.body(format, deltas: 40, usage: FakeUsage(input: 1200, output: 350, cacheRead: 4000))
        let whole = BenchmarkSurface.streamMeter(kind, body: body, readSize: body.readableBytes)()
        #expect(whole > 0, "\(kind): the stream did not reach its end event (or reported no usage)")
        if kind == .anthropic || kind == .bedrock { #expect(whole == 1200 + 350 + 4000) }
        for readSize in [1, 7, 100, 4096] {
            #expect(BenchmarkSurface.streamMeter(kind, body: body, readSize: readSize)() == whole, "\(kind) in \(readSize)-byte reads")
        }
    }

    @Test func requestAdmissionAndUsagePathsDoTheirWork() {
        let rawKey = "cr_" + String(repeating: "ab", count: 32)
        var headers = HTTPFields()
        headers[HTTPField.Name("x-api-key")!] = rawKey
        headers[.userAgent] = "claude-cli/2.0.52 (external, cli)"
        let body = ByteBuffer(string: """
            {"model":"claude-sonnet-4-5","max_tokens":64,"messages":[{"role":"user","content":"hi"}],\
            "metadata":{"user_id":"user_\(String(repeating: "0a", count: 32))_account__session_5f0c6d9e-1111-4222-8333-944455556666"}}
            """)
        // key + model + 32-hex session hash + at least one matched client
        #expect(BenchmarkSurface.messagesRequest(body: body, headers: headers)() >= rawKey.utf8.count + "claude-sonnet-4-5".utf8.count + 32 + 1)
        #expect(BenchmarkSurface.messagesRequest(body: ByteBuffer(string: "{}"), headers: headers)() == 0)
        #expect(BenchmarkSurface.keyHash(rawKey)() == 64)
        #expect(BenchmarkSurface.admissionCommand(rawKey: rawKey, model: "claude-sonnet-4-5", headers: headers)() > 200)
        let fields = ["id": "k1", "name": "ci", "isActive": "true", "permissions": "all"]
        let sticky = #"{"accountId":"a1","accountType":"claude-official"}"#
        #expect(BenchmarkSurface.admissionReply(keyFields: fields, stickyMapping: sticky)() == fields.count + sticky.utf8.count)
        let reply = ByteBuffer(string: #"{"model":"claude-sonnet-4-5","usage":{"input_tokens":10,"output_tokens":5,"cache_read_input_tokens":100}}"#)
        #expect(BenchmarkSurface.messagesReply(body: reply)() == 115)
        #expect(BenchmarkSurface.usageWrite(usage: TokenUsage(input: 10, output: 5), model: "claude-sonnet-4-5")() > 500)
    }
}
