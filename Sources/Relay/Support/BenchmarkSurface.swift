import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore

/// Entry points for the micro benchmarks (`benchmarks/micro`) into the relay's per-request hot paths, which are
/// internal. Each function prepares its input once and returns the unit of work to time; the work runs the
/// relay's own code (no copies of it) and returns a small number so it cannot be optimised away. Nothing here
/// touches the network: Redis's side is replaced by the bytes it would send or receive.
public enum BenchmarkSurface {
    public typealias Work = @Sendable () -> Int

    /// The relay's read of a Messages request before admission: the key from the headers, the body parsed as
    /// `AnthropicFamily` does (model, messages, stream flag, session hash), and the client-restriction match.
    public static func messagesRequest(body: ByteBuffer, headers: HTTPFields, path: String = "/api/v1/messages") -> Work {
        let family = AnthropicFamily(userAgents: ClaudeCodeUserAgent(redis: idleRedis))
        let request = Request(head: HTTPRequest(method: .post, scheme: "http", authority: "relay", path: path, headerFields: headers),
                              body: RequestBody(buffer: body))
        let hasher = self.hasher
        return {
            guard let raw = try? ClientKey.raw(headers: headers, query: nil, hasher: hasher),
                  let parsed = try? family.parse(request, operation: AnthropicFamily.messages, body: body) else { return 0 }
            let clients = ClientRestriction.matchingClients(path: path, headers: headers, body: parsed.json)
            return raw.utf8.count + parsed.model.utf8.count + (parsed.sessionHash?.utf8.count ?? 0) + clients.count
        }
    }

    /// The key's lookup hash: `hex(sha256(rawKey + ENCRYPTION_KEY))`.
    public static func keyHash(_ rawKey: String) -> Work {
        let hasher = self.hasher
        return { hasher.hash(rawKey).utf8.count }
    }

    /// What admission puts on the wire: the script's arguments (key hash, clock buckets, model, client match,
    /// lease member) encoded as one RESP `EVALSHA` command.
    public static func admissionCommand(rawKey: String, model: String, headers: HTTPFields) -> Work {
        let gate = self.gate
        let request = AdmissionGate.Request(rawKey: rawKey, headers: headers, model: model, platform: "claude", matchedClients: ["claude_code"],
                                            stickyKey: RedisKeys.claudeStickyPrefix + "0123456789abcdef")
        return {
            let member = UUID().lowercasedString
            let command = AdmissionScript.script.command(keys: [], arguments: gate.arguments(for: request, now: Date(), leaseMember: member))
            var buffer = ByteBuffer()
            RedisCommandEncoder.encode(command, into: &buffer)
            return buffer.readableBytes
        }
    }

    /// The admission script's reply read back: RESP bytes decoded by hiredis, then the verdict, the key record
    /// (`keyFields` as `HGETALL` returns them), the sticky mapping and the rate window.
    public static func admissionReply(keyFields: [String: String], stickyMapping: String) -> Work {
        var reply = ByteBuffer()
        reply.writeString("*5\r\n")
        writeBulk("ok", into: &reply)
        reply.writeString("*\(keyFields.count * 2)\r\n")
        for (field, value) in keyFields.sorted(by: { $0.key < $1.key }) {
            writeBulk(field, into: &reply)
            writeBulk(value, into: &reply)
        }
        for item in [stickyMapping, "0", "0"] { writeBulk(item, into: &reply) }
        let gate = self.gate
        let request = AdmissionGate.Request(rawKey: "", headers: [:], model: "claude-sonnet-4-5", platform: "claude", matchedClients: [])
        return { [reply] in
            let decoder = HiredisDecoder()
            guard let decoded = try? decoder.feed(reply).first,
                  let admission = try? gate.admission(from: decoded, for: request, now: Date(), leaseMember: "member") else { return 0 }
            return admission.key.fields.count + (admission.stickyMapping?.utf8.count ?? 0)
        }
    }

    /// A non-stream reply's usage: the upstream JSON parsed and its `usage` read as `AnthropicFamily` does.
    public static func messagesReply(body: ByteBuffer) -> Work {
        let family = AnthropicFamily(userAgents: ClaudeCodeUserAgent(redis: idleRedis))
        return {
            guard let reply = JSON.object(Data(buffer: body)) else { return 0 }
            return family.usage(inReply: reply, operation: AnthropicFamily.messages)?.allTokens ?? 0
        }
    }

    /// The usage write after a reply: its cost priced from the built-in table, the script's ~35 arguments built
    /// (time buckets, cost strings, the request-log line) and encoded as one RESP `EVALSHA` command.
    public static func usageWrite(usage: TokenUsage, model: String) -> Work {
        let settings = UsageRecorder.Settings()
        let table = PriceTable.builtIn
        return {
            let entry = UsageRecorder.Entry(keyID: "5c1b2f0e-1d0f-4c48-9a59-5f8f3c1e2a10", accountID: "b3a2c1d0-0e9f-4a8b-8c7d-6e5f4a3b2c1d",
                                            accountKind: .claudeOfficial, model: model, usage: usage, at: Date())
            let cost = CostCalculator.cost(of: usage, model: model, table: table)
            let write = UsageWrite(id: UUID().lowercasedString, arguments: UsageScript.arguments(for: entry, cost: cost, settings: settings),
                                   queuedAt: .now)
            var buffer = ByteBuffer()
            RedisCommandEncoder.encode(write.command, into: &buffer)
            return buffer.readableBytes
        }
    }

    /// Upstream streams as the relay meters them: read by read (`readSize` bytes each, as the socket delivers
    /// them) through the family's meter; Bedrock's event-stream is first transcoded to Anthropic SSE.
    public enum StreamKind: String, CaseIterable, Sendable {
        case anthropic, openAIResponses = "openai-responses", chatCompletions = "chat-completions", gemini, bedrock
    }

    public static func streamMeter(_ kind: StreamKind, body: ByteBuffer, readSize: Int) -> Work {
        var reads: [ByteBuffer] = []
        var rest = body
        while let read = rest.readSlice(length: min(readSize, rest.readableBytes)), read.readableBytes > 0 { reads.append(read) }
        return { [reads] in
            switch kind {
            case .anthropic: return meter(AnthropicStreamMeter(), reads)
            case .openAIResponses: return meter(OpenAIResponsesStreamMeter(), reads)
            case .chatCompletions: return meter(ChatCompletionsStreamMeter(), reads)
            case .gemini: return meter(GeminiStreamMeter(), reads)
            case .bedrock:
                var transcoder = BedrockStreamTranscoder(requestedModel: "claude-sonnet-4-5")
                var meter = AnthropicStreamMeter()
                for read in reads {
                    guard case .events(let events) = transcoder.transcode(read) else { return 0 }
                    meter.feed(events)
                }
                return meter.usage.allTokens
            }
        }
    }

    private static func meter<Meter: StreamUsageMeter>(_ meter: Meter, _ reads: [ByteBuffer]) -> Int {
        var meter = meter
        for read in reads { meter.feed(read) }
        return meter.sawEnd ? meter.usage.allTokens : -1
    }

    private static func writeBulk(_ text: String, into buffer: inout ByteBuffer) {
        buffer.writeString("$\(text.utf8.count)\r\n")
        buffer.writeString(text)
        buffer.writeString("\r\n")
    }

    private static let hasher = APIKeyHasher(encryptionKey: "benchmark-encryption-key-0123456789abcdef")
    /// A client that is never asked anything: the types under test hold one, the work never reaches it.
    private static let idleRedis = RedisClient(configuration: RedisConfiguration(endpoint: .tcp(host: "127.0.0.1", port: 1)))
    private static let gate = AdmissionGate(
        redis: idleRedis, hasher: hasher, clock: RelayClock(),
        leases: LeaseKeeper(redis: idleRedis, clock: RelayClock(), settings: LeaseKeeper.Settings(), logger: Logger(label: "crs.bench")),
        timezoneOffsetHours: 8, logger: Logger(label: "crs.bench"))
}
