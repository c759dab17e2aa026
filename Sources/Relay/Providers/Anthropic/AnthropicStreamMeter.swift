import Foundation
import NIOCore

/// Watches an Anthropic SSE stream as it passes through (bytes are never changed or held back) and collects
/// usage: input and cache numbers from `message_start`, output (cumulative) from `message_delta`. A stream may
/// hold several message_start/message_delta pairs; they are summed. Only lines that can carry usage or an error
/// are parsed as JSON. A message that ends without the upstream's output count (the client hung up after the last
/// delta, the stream was cut) is charged for what was delivered: `DeliveredOutput` counts its deltas.
public struct AnthropicStreamMeter: StreamUsageMeter {
    private var partialLine: [UInt8] = []
    private var finished: [TokenUsage] = []
    private var current: TokenUsage?
    /// The current message's deltas, and whether a `message_delta` reported its output.
    private var delivered = DeliveredOutput(.anthropic)
    private var reportedOutput = false
    public private(set) var sawMessageStop = false
    /// The first in-stream `error` event's type and message, if any.
    public private(set) var streamError: (type: String, message: String)?
    public private(set) var malformedEvents = 0

    public init() {}

    public mutating func feed(_ buffer: ByteBuffer) {
        buffer.withUnsafeReadableBytes { bytes in
            var start = 0
            for index in 0..<bytes.count where bytes[index] == UInt8(ascii: "\n") {
                if partialLine.isEmpty {
                    line(UnsafeRawBufferPointer(rebasing: bytes[start..<index]))
                } else {
                    partialLine.append(contentsOf: bytes[start..<index])
                    let whole = partialLine
                    partialLine.removeAll(keepingCapacity: true)
                    whole.withUnsafeBytes { line($0) }
                }
                start = index + 1
            }
            if start < bytes.count {
                partialLine.append(contentsOf: bytes[start..<bytes.count])
                if partialLine.count > 4 << 20 { partialLine.removeAll() }  // a "line" of 4 MiB is not SSE; stop buffering it
            }
        }
    }

    /// Everything metered so far (a cut stream reports what it had received).
    public var usage: TokenUsage {
        var total = finished.reduce(TokenUsage(), +)
        if let current { total = total + settled(current) }
        return total
    }

    /// The current message as charged: the upstream's output count, else the delivered deltas' estimate.
    private func settled(_ message: TokenUsage) -> TokenUsage {
        guard !reportedOutput, delivered.tokens > message.output else { return message }
        return message.withDeliveredOutput(delivered.tokens)
    }

    private mutating func line(_ raw: UnsafeRawBufferPointer) {
        var bytes = raw[...]
        if bytes.last == UInt8(ascii: "\r") { bytes = bytes.dropLast() }
        guard bytes.count > 5, bytes.starts(with: Self.dataPrefix) else { return }
        let payload = UnsafeRawBufferPointer(rebasing: bytes.dropFirst(5))
        if delivered.count(payload) { return }
        guard Self.hasMarker(payload) else { return }
        guard let object = JSON.object(Data(payload)) else {
            malformedEvents += 1
            return
        }
        switch object["type"] as? String {
        case "message_start":
            if let current { finished.append(settled(current)) }
            delivered = DeliveredOutput(.anthropic)
            reportedOutput = false
            let message = object["message"] as? [String: Any]
            current = TokenUsage.anthropic(message?["usage"] as? [String: Any] ?? [:], model: message?["model"] as? String)
            current?.output = 0
        case "message_delta":
            guard let usage = object["usage"] as? [String: Any] else { return }
            let delta = TokenUsage.anthropic(usage)
            if usage["output_tokens"] != nil { reportedOutput = true }
            var pair = current ?? TokenUsage()
            pair.output = max(pair.output, delta.output)
            // Newer streams repeat input/cache numbers in message_delta (cumulative): keep the larger.
            pair.input = max(pair.input, delta.input)
            pair.cacheRead = max(pair.cacheRead, delta.cacheRead)
            if delta.cacheCreate > pair.cacheCreate {
                pair.cacheCreate5m = delta.cacheCreate5m
                pair.cacheCreate1h = delta.cacheCreate1h
            }
            current = pair
        case "message_stop":
            sawMessageStop = true
        case "error":
            let error = object["error"] as? [String: Any]
            if streamError == nil {
                streamError = ((error?["type"] as? String) ?? "api_error", (error?["message"] as? String) ?? "")
            }
        default:
            break
        }
    }

    private static let dataPrefix = Array("data:".utf8)
    private static let messageMarker = Array("\"message_".utf8)
    private static let errorMarker = Array("\"error\"".utf8)

    /// Whether the event may be one the meter reads (a `message_*` event or an error): most are deltas.
    private static func hasMarker(_ payload: UnsafeRawBufferPointer) -> Bool {
        messageMarker.withUnsafeBytes { TextScan.contains(payload, $0) } || errorMarker.withUnsafeBytes { TextScan.contains(payload, $0) }
    }
}

extension AnthropicStreamMeter {
    var sawEnd: Bool { sawMessageStop }
    var sawError: Bool { streamError != nil }
}
