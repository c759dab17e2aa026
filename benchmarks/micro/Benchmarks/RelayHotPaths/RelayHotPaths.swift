import Benchmark
import FakeUpstreams
import Foundation
import HTTPTypes
import NIOCore
import Relay

// The relay's per-request hot paths, each timed alone with the relay's own code (`BenchmarkSurface`):
// reading a request, the key hash, admission's command and reply, a reply's usage, the usage write, and every
// stream format's metering. Inputs are what a Claude Code client and the fakes really send.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.wallClock, .mallocCountTotal, .throughput],
        maxDuration: .seconds(2), maxIterations: 1_000_000)

    func register(_ name: String, _ work: @escaping BenchmarkSurface.Work) {
        precondition(work() > 0, "\(name): the work did nothing with its input")
        Benchmark(name) { benchmark in
            for _ in benchmark.scaledIterations { blackHole(work()) }
        }
    }

    let rawKey = "cr_" + String(repeating: "5f3a9c", count: 10) + "0b1d"
    let headers = Inputs.claudeCodeHeaders(rawKey: rawKey)

    register("request: Claude Code messages, 6 KB", BenchmarkSurface.messagesRequest(body: Inputs.messagesBody(turns: 6), headers: headers))
    register("request: Claude Code messages, 200 KB", BenchmarkSurface.messagesRequest(body: Inputs.messagesBody(turns: 200), headers: headers))
    register("key: lookup hash", BenchmarkSurface.keyHash(rawKey))
    register("admission: command", BenchmarkSurface.admissionCommand(rawKey: rawKey, model: "claude-sonnet-4-5-20250929", headers: headers))
    register("admission: reply → key record", BenchmarkSurface.admissionReply(keyFields: Inputs.keyFields, stickyMapping: "{\"accountId\":\"b3a2c1d0\",\"accountType\":\"claude-official\"}"))
    register("reply: non-stream usage", BenchmarkSurface.messagesReply(body: Inputs.messagesReply))
    register("usage write: cost + script command", BenchmarkSurface.usageWrite(
        usage: TokenUsage(input: 1200, output: 350, cacheCreate5m: 800, cacheRead: 4000), model: "claude-sonnet-4-5-20250929"))
    for kind in BenchmarkSurface.StreamKind.allCases {
        let format = FakeStreamSamples.Format(rawValue: kind.rawValue)!
        let body = FakeStreamSamples.body(format, deltas: 500)
        register("stream: \(kind.rawValue), 500 deltas (\(body.readableBytes / 1024) KB) in 4 KB reads",
                 BenchmarkSurface.streamMeter(kind, body: body, readSize: 4096))
    }
}

/// Request, key and reply inputs shaped like real Claude Code traffic.
enum Inputs {
    static func claudeCodeHeaders(rawKey: String) -> HTTPFields {
        var headers = HTTPFields()
        headers[HTTPField.Name("x-api-key")!] = rawKey
        headers[.userAgent] = "claude-cli/2.0.52 (external, cli)"
        headers[.contentType] = "application/json"
        headers[HTTPField.Name("anthropic-version")!] = "2023-06-01"
        headers[HTTPField.Name("anthropic-beta")!] = "claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14"
        headers[HTTPField.Name("x-app")!] = "cli"
        headers[HTTPField.Name("x-stainless-lang")!] = "js"
        return headers
    }

    /// A conversation of `turns` user/assistant pairs (~1 KB each) with Claude Code's system prompt and user id.
    static func messagesBody(turns: Int) -> ByteBuffer {
        let sentence = "Please refactor the function so that the error path releases the lease before it returns. "
        var messages: [[String: Any]] = []
        for turn in 0..<turns {
            messages.append(["role": "user", "content": [["type": "text", "text": "Turn \(turn): " + String(repeating: sentence, count: 5)]]])
            messages.append(["role": "assistant", "content": [["type": "text", "text": String(repeating: sentence, count: 5)]]])
        }
        messages.append(["role": "user", "content": [["type": "text", "text": "Go on.", "cache_control": ["type": "ephemeral"]]]])
        let body: [String: Any] = [
            "model": "claude-sonnet-4-5-20250929", "max_tokens": 32000, "stream": true,
            "system": [["type": "text", "text": "You are Claude Code, Anthropic's official CLI for Claude.", "cache_control": ["type": "ephemeral"]]],
            "messages": messages,
            "metadata": ["user_id": "user_" + String(repeating: "0123456789abcdef", count: 4) + "_account__session_5f0c6d9e-1111-4222-8333-944455556666"],
            "tools": [["name": "Bash", "description": "Runs a shell command", "input_schema": ["type": "object", "properties": ["command": ["type": "string"]]]]],
        ]
        return ByteBuffer(data: try! JSONSerialization.data(withJSONObject: body))
    }

    /// A key as `HGETALL apikey:{id}` returns it, every limit set (the full admission path).
    static let keyFields: [String: String] = [
        "id": "5c1b2f0e-1d0f-4c48-9a59-5f8f3c1e2a10", "name": "team-ci", "description": "CI runners", "apiKey": String(repeating: "ab", count: 32),
        "isActive": "true", "createdAt": "2026-11-01T08:00:00.000Z", "lastUsedAt": "2026-11-27T09:12:44.120Z", "expiresAt": "",
        "permissions": "all", "tokenLimit": "0", "concurrencyLimit": "8", "rateLimitWindow": "60", "rateLimitRequests": "600",
        "rateLimitCost": "50", "dailyCostLimit": "100", "totalCostLimit": "2000", "weeklyOpusCostLimit": "300",
        "enableModelRestriction": "true", "restrictedModels": "[\"claude-opus-4-1\"]", "enableClientRestriction": "true",
        "allowedClients": "[\"claude_code\"]", "claudeAccountId": "", "claudeConsoleAccountId": "", "geminiAccountId": "",
        "openaiAccountId": "", "bedrockAccountId": "", "tags": "[\"ci\",\"team-a\"]", "createdBy": "admin", "userId": "",
        "activationDays": "0", "expirationMode": "fixed", "isActivated": "true",
    ]

    static let messagesReply = ByteBuffer(string: """
        {"id":"msg_01","type":"message","role":"assistant","model":"claude-sonnet-4-5-20250929","content":[{"type":"text","text":\
        "Done: the lease is now released on every path."}],"stop_reason":"end_turn","stop_sequence":null,"usage":{"input_tokens":1200,\
        "cache_creation_input_tokens":800,"cache_read_input_tokens":4000,"cache_creation":{"ephemeral_5m_input_tokens":800,\
        "ephemeral_1h_input_tokens":0},"output_tokens":350,"service_tier":"standard"}}
        """)
}
