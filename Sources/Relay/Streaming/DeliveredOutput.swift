/// Output tokens estimated from the content deltas a stream delivered, for a message whose stream ended before
/// the upstream reported its count (the client hung up after the last delta, the stream was cut). Nothing is
/// parsed. Anthropic deltas carry a few tokens each: a delta's payload minus its fixed envelope, about four bytes
/// a token (JSON escapes make that an over- rather than an under-count), at least one token per delta. OpenAI's
/// deltas carry about one token each: one per delta.
struct DeliveredOutput: Sendable {
    private(set) var deltas = 0
    private(set) var contentBytes = 0
    let kind: Kind

    enum Kind: Sendable {
        case anthropic
        case openAIResponses
        case chatCompletions
    }

    init(_ kind: Kind) {
        self.kind = kind
    }

    /// `{"type":"content_block_delta","index":0,"delta":{"type":"text_delta","text":""}}` without the text.
    static let anthropicEnvelopeBytes = 80
    static let anthropicPrefix = Array(#"{"type":"content_block_delta""#.utf8)
    static let anthropicMarker = Array(#""content_block_delta""#.utf8)
    static let responsesMarker = Array(#".delta""#.utf8)  // response.output_text.delta, …reasoning_text.delta, …arguments.delta
    static let chatMarkers = [Array(#""content":""#.utf8), Array(#""arguments":""#.utf8), Array(#""reasoning_content":""#.utf8)]

    var tokens: Int {
        kind == .anthropic ? max(deltas, (contentBytes + 3) / 4) : deltas
    }

    /// Counts `payload` (one `data:` line) if it is a content delta; true then, so the caller need not look further.
    mutating func count(_ payload: UnsafeRawBufferPointer) -> Bool {
        var body = payload[...]
        while body.first == UInt8(ascii: " ") { body = body.dropFirst() }
        let text = UnsafeRawBufferPointer(rebasing: body)
        func has(_ marker: [UInt8]) -> Bool { marker.withUnsafeBytes { TextScan.contains(text, $0) } }
        switch kind {
        case .anthropic:
            // The API writes `type` first; other producers (proxies, re-encoders) may not, so the marker anywhere counts too.
            guard body.starts(with: Self.anthropicPrefix) || has(Self.anthropicMarker) else { return false }
            deltas += 1
            contentBytes += max(0, body.count - Self.anthropicEnvelopeBytes)
            return true
        case .openAIResponses:
            guard has(Self.responsesMarker) else { return false }
            deltas += 1
            return true
        case .chatCompletions:
            guard Self.chatMarkers.contains(where: has), !has(Array(#""usage":{"#.utf8)) else { return false }
            deltas += 1
            return false  // the chunk may still carry the model the meter wants
        }
    }
}
