import Foundation

/// Gemini response bodies and stream chunks as Google sends them (docs/reference/upstream-wire.md).
enum GeminiReplies {
    static func usageMetadata(_ usage: FakeUsage) -> [String: Any] {
        let prompt = usage.input + usage.cacheRead
        var metadata: [String: Any] = ["promptTokenCount": prompt, "candidatesTokenCount": usage.output, "totalTokenCount": prompt + usage.output]
        if usage.cacheRead > 0 { metadata["cachedContentTokenCount"] = usage.cacheRead }
        return metadata
    }

    static func response(model: String, text: String, usage: FakeUsage?, finished: Bool, id: String, calls: [String] = []) -> [String: Any] {
        let parts: [[String: Any]] = calls.isEmpty ? [["text": text]] : calls.map { ["functionCall": ["name": $0, "args": [String: Any]()]] }
        var candidate: [String: Any] = ["content": ["role": "model", "parts": parts], "index": 0]
        if finished { candidate["finishReason"] = "STOP" }
        var object: [String: Any] = ["candidates": [candidate], "modelVersion": model, "responseId": id]
        if let usage { object["usageMetadata"] = usageMetadata(usage) }
        return object
    }

    /// One chunk per text piece; the last carries `finishReason` and the usage.
    static func chunks(model: String, text: String, count: Int, usage: FakeUsage, id: String) -> [[String: Any]] {
        let pieces = OpenAIReplies.split(text, into: max(1, count))
        return pieces.enumerated().map { index, piece in
            let last = index == pieces.count - 1
            return response(model: model, text: piece, usage: last ? usage : nil, finished: last, id: id)
        }
    }

    static func error(_ code: Int, _ status: String, _ message: String, retryDelay: String? = nil) -> [String: Any] {
        var error: [String: Any] = ["code": code, "message": message, "status": status]
        if let retryDelay {
            error["details"] = [["@type": "type.googleapis.com/google.rpc.RetryInfo", "retryDelay": retryDelay]]
        }
        return ["error": error]
    }

    static func status(for code: Int) -> String {
        switch code {
        case 400: return "INVALID_ARGUMENT"
        case 401: return "UNAUTHENTICATED"
        case 403: return "PERMISSION_DENIED"
        case 404: return "NOT_FOUND"
        case 429: return "RESOURCE_EXHAUSTED"
        case 503: return "UNAVAILABLE"
        default: return "INTERNAL"
        }
    }
}
