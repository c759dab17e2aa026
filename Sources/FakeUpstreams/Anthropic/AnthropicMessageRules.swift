import Foundation

/// The Messages API's checks of `messages` itself, with its messages: roles, empty content, block types, image
/// sources, and the pairing of `tool_use` blocks with the `tool_result` blocks that answer them.
enum AnthropicMessageRules {
    typealias Refusal = AnthropicRequestRules.Refusal

    static let blockTypes: Set<String> = [
        "text", "image", "document", "tool_use", "tool_result", "thinking", "redacted_thinking", "server_tool_use",
        "web_search_tool_result", "search_result", "container_upload",
    ]
    static let imageTypes: Set<String> = ["image/jpeg", "image/png", "image/gif", "image/webp"]

    static func check(_ messages: [Any]) -> Refusal? {
        let invalid = AnthropicRequestRules.invalid
        var previousToolUses: Set<String> = []
        for (index, item) in messages.enumerated() {
            guard let message = item as? [String: Any] else { return invalid("messages.\(index): Input should be a valid dictionary") }
            let role = message["role"] as? String ?? ""
            guard role == "user" || role == "assistant" else {
                return invalid("messages.\(index).role: Input should be 'user' or 'assistant'")
            }
            let last = index == messages.count - 1
            var toolUses: Set<String> = []
            var toolResults: [String] = []
            if let text = message["content"] as? String {
                if text.isEmpty && !(last && role == "assistant") {
                    return invalid("messages.\(index): all messages must have non-empty content except for the optional final assistant message")
                }
            } else if let blocks = message["content"] as? [Any] {
                if blocks.isEmpty && !(last && role == "assistant") {
                    return invalid("messages.\(index): all messages must have non-empty content except for the optional final assistant message")
                }
                for (position, raw) in blocks.enumerated() {
                    let path = "messages.\(index).content.\(position)"
                    guard let block = raw as? [String: Any], let type = block["type"] as? String, blockTypes.contains(type) else {
                        return invalid("\(path): Input tag '\(((raw as? [String: Any])?["type"] as? String) ?? "")' found using 'type' does not match any of the expected tags")
                    }
                    switch type {
                    case "text":
                        if (block["text"] as? String ?? "").isEmpty { return invalid("messages: text content blocks must be non-empty") }
                    case "image":
                        if let refusal = image(block["source"], path: path) { return refusal }
                    case "tool_use":
                        guard role == "assistant" else { return invalid("\(path): tool_use blocks can only be in assistant messages") }
                        toolUses.insert(block["id"] as? String ?? "")
                    case "tool_result":
                        guard role == "user" else { return invalid("\(path): tool_result blocks can only be in user messages") }
                        toolResults.append(block["tool_use_id"] as? String ?? "")
                    default:
                        break
                    }
                }
            } else {
                return invalid("messages.\(index).content: Input should be a valid string or list")
            }
            if let stray = toolResults.first(where: { !previousToolUses.contains($0) }) {
                return invalid("messages.\(index).content.0: unexpected `tool_use_id` found in `tool_result` blocks: \(stray). Each `tool_result` block must have a corresponding `tool_use` block in the previous message.")
            }
            if !previousToolUses.isEmpty, let unanswered = previousToolUses.sorted().first(where: { !toolResults.contains($0) }) {
                return invalid("messages.\(index - 1): `tool_use` ids were found without `tool_result` blocks immediately after: \(unanswered). Each `tool_use` block must have a corresponding `tool_result` block in the next message.")
            }
            previousToolUses = toolUses
        }
        return nil
    }

    static func image(_ raw: Any?, path: String) -> Refusal? {
        let invalid = AnthropicRequestRules.invalid
        guard let source = raw as? [String: Any], let type = source["type"] as? String else { return invalid("\(path).image.source: Field required") }
        switch type {
        case "base64":
            guard let mediaType = source["media_type"] as? String, imageTypes.contains(mediaType) else {
                return invalid("\(path).image.source.base64.media_type: Input should be 'image/jpeg', 'image/png', 'image/gif' or 'image/webp'")
            }
            guard let data = source["data"] as? String, Data(base64Encoded: data) != nil else {
                return invalid("\(path).image.source.base64.data: The image data is not valid base64")
            }
            return nil
        case "url":
            guard let url = source["url"] as? String, url.hasPrefix("https://") || url.hasPrefix("http://") else {
                return invalid("\(path).image.source.url.url: Field required")
            }
            return nil
        case "file":
            return nil
        default:
            return invalid("\(path).image.source: Input tag '\(type)' found using 'type' does not match any of the expected tags: 'base64', 'url', 'file'")
        }
    }
}
