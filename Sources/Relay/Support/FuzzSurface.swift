import Foundation
import NIOCore
import NIOHTTP1

/// Entry points for the fuzz targets (`Sources/crs-fuzz`, `scripts/fuzz`) into parsers that are internal to the
/// relay. Each takes raw bytes, must never crash or hang, and returns a small summary so the work is not optimised away.
public enum FuzzSurface {
    /// The request-body JSON parser.
    public static func json(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard let value = JSONParser.parse(Data(bytes)) else { return 0 }
        return JSON.string(value).utf8.count  // what parses must also write back
    }

    /// hiredis's reply reader fed in two pieces (replies cross reads), then the replies converted.
    public static func redisReplies(_ bytes: UnsafeRawBufferPointer) -> Int {
        let decoder = HiredisDecoder()
        let split = bytes.isEmpty ? 0 : Int(bytes[0]) % bytes.count
        var count = 0
        for part in [bytes[..<split], bytes[split...]] {
            guard let replies = try? decoder.feed(ByteBuffer(bytes: part)) else { return count }
            count += replies.count
        }
        return count
    }

    /// The W3C traceparent reader.
    public static func traceParent(_ bytes: UnsafeRawBufferPointer) -> Int {
        TraceParent(header: String(decoding: bytes, as: UTF8.self)) == nil ? 0 : 1
    }

    /// The client-pattern scanners and the price-name normaliser (they run on every request, on client input).
    public static func clientText(_ bytes: UnsafeRawBufferPointer) -> Int {
        let text = String(decoding: bytes, as: UTF8.self)
        var hits = TextScan.claudeCLIVersion(text, caseInsensitive: true) == nil ? 0 : 1
        hits += TextScan.isClaudeCodeUserID(text) ? 1 : 0
        hits += TextScan.sessionUUID(in: text) == nil ? 0 : 1
        hits += TextScan.hasDottedVersion(after: "factory-cli/", in: text) ? 1 : 0
        return hits + PriceTable.normalize(text).utf8.count
    }

    /// Model names as clients send them: the normaliser, the price lookups and the Claude Code shaping of a body
    /// naming the model (all run on client input before or just after admission).
    public static func modelName(_ bytes: UnsafeRawBufferPointer) -> Int {
        let text = String(decoding: bytes, as: UTF8.self)
        let table = PriceTable.builtIn
        var result = PriceTable.normalize(text).utf8.count + PriceTable.removingMarkers(Array(bytes)).count
        result += table.price(for: text) == nil ? 0 : 1
        result += table.outputLimit(for: text) ?? 0
        let shaped = ClaudeCodeShaping.shape(.init(json: ["model": text, "max_tokens": 100_000, "messages": [["role": "user", "content": text]]],
                                                   countTokens: false, accountID: text, accountUUID: nil, sessionHash: text,
                                                   outputLimit: table.outputLimit(for: text), betas: [], toolSuffix: nil))
        return result + shaped.json.count
    }

    /// A Chat Completions body through the request reader and both translations, then the same bytes as a native
    /// stream through both framers (in pieces the first byte sizes) and as replies and error bodies.
    public static func chatCompletions(_ bytes: UnsafeRawBufferPointer) -> Int {
        var result = 0
        if let json = JSONParser.parse(Data(bytes)) as? [String: Any], let chat = try? ChatRequest(json) {
            result += ((try? ChatToAnthropic.body(chat))?.count ?? 0) + ((try? ChatToGemini.body(chat))?.count ?? 0)
        }
        let step = max(1, Int(bytes.first ?? 1))
        var framers: [any StreamFramer] = [AnthropicChatStreamFramer(includeUsage: true), GeminiChatStreamFramer(includeUsage: true)]
        for index in framers.indices {
            var offset = 0
            while offset < bytes.count {
                let end = min(bytes.count, offset + step)
                result += framers[index].frame(ByteBuffer(bytes: bytes[offset..<end])).readableBytes
                offset = end
            }
            result += framers[index].finish().readableBytes
        }
        let buffer = ByteBuffer(bytes: bytes)
        let framings: [any ReplyFraming] = [AnthropicChatFraming(includeUsage: false), GeminiChatFraming(includeUsage: false)]
        for framing in framings {
            result += framing.reply(buffer).readableBytes
            _ = framing.failure(status: 429, headers: HTTPHeaders(), body: buffer)
        }
        return result
    }

    /// Upstream error replies: the first byte picks the status, a second line (if any) is a `retry-after` value,
    /// the rest is the body; every dialect's classifier reads it.
    public static func errorClassifiers(_ bytes: UnsafeRawBufferPointer) -> Int {
        let statuses = [400, 401, 403, 404, 408, 413, 429, 500, 502, 503, 504, 529, 302]
        let status = statuses[Int(bytes.first ?? 0) % statuses.count]
        let rest = bytes.isEmpty ? "" : String(decoding: bytes.dropFirst(), as: UTF8.self)
        let parts = rest.split(separator: "\n", maxSplits: 1, omittingEmptySubsequences: false)
        var headers = HTTPHeaders()
        if parts.count > 1 {
            headers.add(name: "retry-after", value: String(parts[0]))
            headers.add(name: "anthropic-ratelimit-unified-reset", value: String(parts[0]))
        }
        let body = parts.count > 1 ? String(parts[1]) : rest
        let now = Date(timeIntervalSince1970: 1_800_000_000)
        let account = AccountRecord(kind: .claudeConsole, fields: ["id": "fuzz", "rateLimitDuration": "60"])
        var marks = 0
        if AnthropicErrorClassifier.classify(status: status, headers: headers, body: body, account: account, now: now).mark != nil { marks += 1 }
        if OpenAIErrors.classify(status: status, headers: headers, body: ByteBuffer(string: body), account: account, now: now).mark != nil { marks += 1 }
        if GeminiErrors.classify(status: status, body: ByteBuffer(string: body), now: now).mark != nil { marks += 1 }
        return marks + (AnthropicDialect.isClaudeCodeOnlyRefusal(ByteBuffer(string: body)) ? 1 : 0)
    }
}
