import Foundation

/// OpenAI Chat Completions bodies and stream chunks, with Azure's extras (docs/reference/upstream-wire.md): the first
/// stream chunk carries only `prompt_filter_results` and empty `choices`; the usage chunk (only with
/// `stream_options.include_usage`) has empty `choices`; `[DONE]` ends the stream.
enum ChatCompletionReplies {
    static func usage(_ usage: FakeUsage) -> [String: Any] {
        let prompt = usage.input + usage.cacheRead
        return ["prompt_tokens": prompt, "completion_tokens": usage.output, "total_tokens": prompt + usage.output,
                "prompt_tokens_details": ["cached_tokens": usage.cacheRead]]
    }

    static func completion(id: String, model: String, text: String, usage: FakeUsage) -> [String: Any] {
        ["id": id, "object": "chat.completion", "created": Int(Date().timeIntervalSince1970), "model": model,
         "choices": [["index": 0, "message": ["role": "assistant", "content": text], "finish_reason": "stop",
                      "content_filter_results": ["hate": ["filtered": false, "severity": "safe"]]]],
         "usage": Self.usage(usage), "prompt_filter_results": [["prompt_index": 0, "content_filter_results": [:] as [String: Any]]],
         "system_fingerprint": "fp_fake"]
    }

    /// (name, JSON line) pairs; the name `usage` marks the usage chunk, `done` the terminator.
    static func streamChunks(id: String, model: String, text: String, deltaCount: Int, usage: FakeUsage, includeUsage: Bool) -> [(name: String, line: String)] {
        let created = Int(Date().timeIntervalSince1970)
        func chunk(_ choices: [[String: Any]], extra: [String: Any] = [:]) -> String {
            var object: [String: Any] = ["id": id, "object": "chat.completion.chunk", "created": created, "model": model, "choices": choices]
            object.merge(extra) { _, new in new }
            return "data: \(JSONText.encode(object))\n\n"
        }
        var chunks: [(String, String)] = [
            ("filter", "data: \(JSONText.encode(["id": "", "object": "", "created": 0, "model": "", "choices": [] as [Any], "prompt_filter_results": [["prompt_index": 0, "content_filter_results": [:] as [String: Any]]]]))\n\n"),
            ("role", chunk([["index": 0, "delta": ["role": "assistant", "content": ""], "finish_reason": NSNull()]])),
        ]
        for piece in OpenAIReplies.split(text, into: max(1, deltaCount)) {
            chunks.append(("delta", chunk([["index": 0, "delta": ["content": piece], "finish_reason": NSNull()]])))
        }
        chunks.append(("finish", chunk([["index": 0, "delta": [:] as [String: Any], "finish_reason": "stop"]])))
        if includeUsage { chunks.append(("usage", chunk([], extra: ["usage": Self.usage(usage)]))) }
        chunks.append(("done", "data: [DONE]\n\n"))
        return chunks
    }
}
