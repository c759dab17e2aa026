/// A request body reduced to a preview an admin may look at (Node's snapshot rules): strings cut to 80 characters,
/// arrays to 24 items, 6 levels deep, 12,000 characters in all; values under keys that name secrets masked; tools only by
/// name; encrypted reasoning left out. Nothing longer than the preview is stored.
enum RequestBodyPreview {
    static let maxString = 80
    static let maxItems = 24
    static let maxDepth = 6
    static let maxTotal = 12_000

    static func snapshot(_ body: [String: Any]) -> Any {
        let preview = value(body, key: "", depth: 0)
        let text = JSON.string(preview)
        guard text.count > maxTotal else { return preview }
        return ["truncated": true, "preview": String(text.prefix(maxTotal))]
    }

    static func isSensitive(_ key: String) -> Bool {
        let lower = key.lowercased()
        return ["api_key", "api-key", "apikey", "authorization", "password", "secret", "token", "cookie", "access_key", "private_key"]
            .contains { lower.contains($0) } && lower != "max_tokens" && !lower.hasSuffix("_tokens")
    }

    private static func value(_ raw: Any, key: String, depth: Int) -> Any {
        switch raw {
        case let text as String:
            return text.count > maxString ? String(text.prefix(maxString)) + "…[\(text.count) chars]" : text
        case let array as [Any]:
            guard depth < maxDepth else { return "[Array(\(array.count))]" }
            var out = array.prefix(maxItems).map { value($0, key: key, depth: depth + 1) }
            if array.count > maxItems { out.append("…[\(array.count - maxItems) more items]") }
            return out
        case let object as [String: Any]:
            guard depth < maxDepth else { return "[Object]" }
            var out: [String: Any] = [:]
            for (name, child) in object {
                if name == "encrypted_content" {
                    out[name] = "[omitted]"
                } else if name == "tools", let tools = child as? [Any] {
                    out[name] = tools.prefix(maxItems).map { tool -> Any in
                        guard let tool = tool as? [String: Any] else { return "[tool]" }
                        let function = tool["function"] as? [String: Any]
                        return ["name": tool["name"] ?? function?["name"] ?? tool["type"] ?? "tool"]
                    }
                } else if isSensitive(name) {
                    out[name] = "[masked]"
                } else {
                    out[name] = value(child, key: name, depth: depth + 1)
                }
            }
            return out
        default:
            return raw
        }
    }
}
