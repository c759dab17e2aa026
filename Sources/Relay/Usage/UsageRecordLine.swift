import Foundation

/// One entry of a key's request log (`usage:records:{keyId}`, newest first), written as JSON without going
/// through `[String: Any]`: the generic writer's dynamic casts were ~2.5 % of the relay's CPU per request.
/// Keys in byte order, numbers as `JSONWriter` writes them — the same text the generic path produced.
enum UsageRecordLine {
    static func json(at timestamp: String, model: String, accountID: String, accountType: String, usage u: TokenUsage,
                     longContext: Bool, cost: CostBreakdown?) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(512)
        var first = true
        func key(_ name: StaticString) {
            out.append(first ? UInt8(ascii: "{") : UInt8(ascii: ","))
            first = false
            out.append(UInt8(ascii: "\""))
            out.append(contentsOf: UnsafeBufferPointer(start: name.utf8Start, count: name.utf8CodeUnitCount))
            out.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":")])
        }
        func number(_ value: Int) { out.append(contentsOf: String(value).utf8) }
        func double(_ value: Double) { if !JSONWriter.writeDouble(value, into: &out) { out.append(contentsOf: "null".utf8) } }

        key("accountId"); JSONWriter.writeString(accountID, into: &out)
        key("accountType"); JSONWriter.writeString(accountType, into: &out)
        key("cacheCreateTokens"); number(u.cacheCreate)
        key("cacheReadTokens"); number(u.cacheRead)
        if let cost {
            key("cost"); double((cost.total * 1e6).rounded() / 1e6)
            key("costBreakdown")
            out.append(contentsOf: #"{"cacheCreate":"#.utf8); double(cost.cacheCreate)
            out.append(contentsOf: #","cacheRead":"#.utf8); double(cost.cacheRead)
            out.append(contentsOf: #","ephemeral1h":"#.utf8); double(cost.cacheWrite1h)
            out.append(contentsOf: #","ephemeral5m":"#.utf8); double(cost.cacheWrite5m)
            out.append(contentsOf: #","input":"#.utf8); double(cost.input)
            out.append(contentsOf: #","output":"#.utf8); double(cost.output)
            out.append(UInt8(ascii: "}"))
        } else {
            key("cost"); out.append(contentsOf: "null".utf8)
            key("costUnknown"); out.append(contentsOf: "true".utf8)
        }
        key("ephemeral1hTokens"); number(u.cacheCreate1h)
        key("ephemeral5mTokens"); number(u.cacheCreate5m)
        key("inputTokens"); number(u.input)
        key("isLongContext"); out.append(contentsOf: (longContext ? "true" : "false").utf8)
        key("model"); JSONWriter.writeString(model, into: &out)
        if u.outputEstimated { key("outputEstimated"); out.append(contentsOf: "true".utf8) }
        key("outputTokens"); number(u.output)
        key("timestamp"); JSONWriter.writeString(timestamp, into: &out)
        key("totalTokens"); number(u.allTokens)
        out.append(UInt8(ascii: "}"))
        return String(decoding: out, as: UTF8.self)
    }
}
