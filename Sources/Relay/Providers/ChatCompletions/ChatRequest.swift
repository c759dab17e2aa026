import Foundation

/// An OpenAI Chat Completions request as the translating routes understand it, read and checked once before it is
/// written in a target's shape. Every request field is either honoured by a translation, accepted because it changes
/// nothing the client can observe (`store: false`, `n: 1`), or refused with a 400 — never dropped silently.
struct ChatRequest {
    enum Part {
        case text(String)
        /// A `data:` URL's image.
        case image(mediaType: String, base64: String)
        /// An `http(s)` image URL.
        case imageURL(String)
    }

    struct ToolCall {
        let id: String
        let name: String
        /// The arguments as the client sent them (a JSON text).
        let arguments: String
    }

    enum Turn {
        case user([Part])
        case assistant(text: String, toolCalls: [ToolCall])
        case tool(callID: String, content: String)
    }

    struct Tool {
        let name: String
        let description: String?
        let parameters: [String: Any]?
    }

    enum ToolChoice: Equatable {
        case auto, none, required
        case function(String)
    }

    enum ResponseFormat {
        case text
        case jsonObject
        case jsonSchema(name: String, schema: [String: Any], strict: Bool)
    }

    var model = ""
    var stream = false
    var includeUsage = false
    var system: [String] = []
    var turns: [Turn] = []
    var tools: [Tool] = []
    var toolChoice: ToolChoice?
    var parallelToolCalls: Bool?
    var stop: [String] = []
    var temperature: Double?
    var topP: Double?
    var maxTokens: Int?
    /// `none`, `minimal`, `low`, `medium`, `high`.
    var reasoningEffort: String?
    var responseFormat: ResponseFormat = .text
    var user: String?
    var presencePenalty: Double?
    var frequencyPenalty: Double?
    var seed: Int?
    /// `prompt_cache_key`: the client's own conversation key (sticky sessions use it).
    var cacheKey: String?

    /// Fields whose value the translations honour, or accept only at their no-op values (checked below).
    static let knownFields: Set<String> = [
        "model", "messages", "stream", "stream_options", "max_tokens", "max_completion_tokens", "stop", "temperature", "top_p",
        "tools", "tool_choice", "parallel_tool_calls", "reasoning_effort", "response_format", "user", "safety_identifier",
        "presence_penalty", "frequency_penalty", "seed", "n", "logprobs", "store", "metadata", "service_tier", "modalities",
        "prompt_cache_key",
    ]
    /// Fields OpenAI knows that no target here can honour, with what to do instead.
    static let refusedFields: [String: String] = [
        "audio": "audio output is not available through this relay's Chat Completions routes",
        "functions": "the legacy `functions` parameter is not supported; send `tools`",
        "function_call": "the legacy `function_call` parameter is not supported; send `tool_choice`",
        "logit_bias": "logit_bias is not supported by Claude or Gemini models",
        "top_logprobs": "log probabilities are not supported by Claude or Gemini models",
        "prediction": "predicted outputs are not supported by Claude or Gemini models",
        "web_search_options": "web search is not available through this relay's Chat Completions routes",
        "verbosity": "verbosity is not supported by Claude or Gemini models",
    ]

    static func invalid(_ message: String) -> RelayError { RelayError.badRequest(message) }

    init(_ json: [String: Any]) throws {
        for field in json.keys.sorted() where !Self.knownFields.contains(field) {
            if let why = Self.refusedFields[field] { throw Self.invalid("\(field): \(why)") }
            throw Self.invalid("Unrecognized request argument supplied: \(field)")
        }
        guard let model = json["model"] as? String, !model.isEmpty else { throw Self.invalid("model: a model name is required") }
        self.model = model
        stream = try Self.bool(json, "stream") ?? false
        if let options = json["stream_options"], !(options is NSNull) {
            guard let object = options as? [String: Any] else { throw Self.invalid("stream_options: must be an object") }
            guard stream else { throw Self.invalid("stream_options: only allowed when stream is true") }
            includeUsage = try Self.bool(object, "include_usage") ?? false
        }
        if let n = try Self.int(json, "n"), n != 1 { throw Self.invalid("n: only 1 choice per request is supported (got \(n))") }
        if try Self.bool(json, "logprobs") == true { throw Self.invalid("logprobs: log probabilities are not supported by Claude or Gemini models") }
        if try Self.bool(json, "store") == true { throw Self.invalid("store: this relay does not store completions; omit store or send false") }
        if let tier = json["service_tier"] as? String, !["auto", "default"].contains(tier) {
            throw Self.invalid("service_tier: only auto or default are supported (got \(tier))")
        }
        if let modalities = json["modalities"] as? [Any], modalities.contains(where: { $0 as? String != "text" }) {
            throw Self.invalid("modalities: only text output is supported")
        }
        maxTokens = try Self.int(json, "max_completion_tokens") ?? Self.int(json, "max_tokens")
        if let maxTokens, maxTokens < 1 { throw Self.invalid("max_tokens: must be at least 1") }
        temperature = try Self.number(json, "temperature")
        if let temperature, !(0...2).contains(temperature) { throw Self.invalid("temperature: must be between 0 and 2") }
        topP = try Self.number(json, "top_p")
        if let topP, !(0...1).contains(topP) { throw Self.invalid("top_p: must be between 0 and 1") }
        presencePenalty = try Self.number(json, "presence_penalty")
        frequencyPenalty = try Self.number(json, "frequency_penalty")
        seed = try Self.int(json, "seed")
        user = (json["safety_identifier"] as? String) ?? (json["user"] as? String)
        cacheKey = json["prompt_cache_key"] as? String
        if let effort = json["reasoning_effort"], !(effort is NSNull) {
            guard let text = effort as? String, ["none", "minimal", "low", "medium", "high"].contains(text) else {
                throw Self.invalid("reasoning_effort: must be one of none, minimal, low, medium, high")
            }
            reasoningEffort = text
        }
        stop = try Self.stop(json["stop"])
        responseFormat = try Self.responseFormat(json["response_format"])
        tools = try Self.tools(json["tools"])
        toolChoice = try Self.toolChoice(json["tool_choice"], tools: tools)
        parallelToolCalls = try Self.bool(json, "parallel_tool_calls")
        try readMessages(json["messages"])
    }

    private mutating func readMessages(_ raw: Any?) throws {
        guard let messages = raw as? [Any] else { throw Self.invalid("messages: field required (an array)") }
        guard !messages.isEmpty else { throw Self.invalid("messages: at least one message is required") }
        for (index, item) in messages.enumerated() {
            guard let message = item as? [String: Any], let role = message["role"] as? String else {
                throw Self.invalid("messages[\(index)]: each message must be an object with a role")
            }
            let path = "messages[\(index)]"
            switch role {
            case "system", "developer":
                let text = try Self.text(message["content"], path: path + ".content")
                if !text.isEmpty { system.append(text) }
            case "user":
                let parts = try Self.parts(message["content"], path: path + ".content")
                guard !parts.isEmpty else { throw Self.invalid("\(path).content: a user message must not be empty") }
                turns.append(.user(parts))
            case "assistant":
                if message["function_call"] != nil, !(message["function_call"] is NSNull) {
                    throw Self.invalid("\(path).function_call: the legacy function_call is not supported; send tool_calls")
                }
                let content = message["content"]
                let text = content == nil || content is NSNull ? "" : try Self.text(content, path: path + ".content", allowRefusal: true)
                let calls = try Self.toolCalls(message["tool_calls"], path: path + ".tool_calls")
                // An assistant turn with neither text nor calls says nothing a model can be shown.
                if !text.isEmpty || !calls.isEmpty { turns.append(.assistant(text: text, toolCalls: calls)) }
            case "tool":
                guard let id = message["tool_call_id"] as? String, !id.isEmpty else { throw Self.invalid("\(path).tool_call_id: field required") }
                turns.append(.tool(callID: id, content: try Self.text(message["content"], path: path + ".content")))
            case "function":
                throw Self.invalid("\(path): the legacy function role is not supported; send tool messages")
            default:
                throw Self.invalid("\(path).role: must be one of system, developer, user, assistant, tool (got \(role))")
            }
        }
        guard turns.contains(where: { if case .assistant = $0 { return false }; return true }) else {
            throw Self.invalid("messages: at least one user or tool message is required")
        }
    }

    /// Appends a turn's items to a target's turn list, merged into the last turn when it has the same role (both
    /// targets want strictly alternating turns; parallel tool results must share one).
    static func append(_ items: [[String: Any]], as role: String, under field: String, to turns: inout [[String: Any]]) {
        guard !items.isEmpty else { return }
        if var last = turns.last, last["role"] as? String == role, var existing = last[field] as? [[String: Any]] {
            existing.append(contentsOf: items)
            last[field] = existing
            turns[turns.count - 1] = last
        } else {
            turns.append(["role": role, field: items])
        }
    }

    // MARK: field readers

    static func bool(_ object: [String: Any], _ field: String) throws -> Bool? {
        guard let value = object[field], !(value is NSNull) else { return nil }
        guard let flag = JSON.bool(value) else { throw invalid("\(field): must be a boolean") }
        return flag
    }

    static func int(_ object: [String: Any], _ field: String) throws -> Int? {
        guard let value = object[field], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, !JSON.isBoolean(number), number.doubleValue == number.doubleValue.rounded() else {
            throw invalid("\(field): must be an integer")
        }
        return number.intValue
    }

    static func number(_ object: [String: Any], _ field: String) throws -> Double? {
        guard let value = object[field], !(value is NSNull) else { return nil }
        guard let number = value as? NSNumber, !JSON.isBoolean(number) else { throw invalid("\(field): must be a number") }
        return number.doubleValue
    }

    static func stop(_ raw: Any?) throws -> [String] {
        switch raw {
        case nil, is NSNull: return []
        case let text as String: return text.isEmpty ? [] : [text]
        case let list as [Any]:
            let texts = list.compactMap { $0 as? String }
            guard texts.count == list.count, texts.count <= 4 else { throw invalid("stop: up to 4 strings") }
            return texts.filter { !$0.isEmpty }
        default: throw invalid("stop: a string or an array of strings")
        }
    }

    /// Text from a string or an array of `text` parts (`refusal` parts too, for assistant history).
    static func text(_ raw: Any?, path: String, allowRefusal: Bool = false) throws -> String {
        if let text = raw as? String { return text }
        guard let parts = raw as? [Any] else { throw invalid("\(path): a string or an array of text parts") }
        return try parts.enumerated().map { index, item -> String in
            guard let part = item as? [String: Any], let type = part["type"] as? String else { throw invalid("\(path)[\(index)]: a part needs a type") }
            if type == "text", let text = part["text"] as? String { return text }
            if allowRefusal, type == "refusal", let text = part["refusal"] as? String { return text }
            throw invalid("\(path)[\(index)]: only text parts are allowed here (got \(type))")
        }.joined(separator: "\n")
    }

    static func parts(_ raw: Any?, path: String) throws -> [Part] {
        if let text = raw as? String { return text.isEmpty ? [] : [.text(text)] }
        guard let list = raw as? [Any] else { throw invalid("\(path): a string or an array of content parts") }
        return try list.enumerated().compactMap { index, item -> Part? in
            let here = "\(path)[\(index)]"
            guard let part = item as? [String: Any], let type = part["type"] as? String else { throw invalid("\(here): a part needs a type") }
            switch type {
            case "text":
                guard let text = part["text"] as? String else { throw invalid("\(here).text: field required") }
                return text.isEmpty ? nil : .text(text)
            case "image_url":
                guard let url = (part["image_url"] as? [String: Any])?["url"] as? String ?? part["image_url"] as? String else {
                    throw invalid("\(here).image_url.url: field required")
                }
                return try image(url, path: here)
            case "input_audio": throw invalid("\(here): audio input is not supported by this relay's Chat Completions routes")
            case "file": throw invalid("\(here): file parts are not supported by this relay's Chat Completions routes")
            default: throw invalid("\(here).type: unknown content part type \(type)")
            }
        }
    }

    static func image(_ url: String, path: String) throws -> Part {
        if url.hasPrefix("http://") || url.hasPrefix("https://") { return .imageURL(url) }
        guard url.hasPrefix("data:"), let comma = url.firstIndex(of: ","),
              url[..<comma].hasSuffix(";base64") else {
            throw invalid("\(path).image_url.url: an https URL or a base64 data URL (data:image/png;base64,…)")
        }
        let mediaType = String(url[url.index(url.startIndex, offsetBy: 5)..<comma].dropLast(7)).lowercased()
        let data = String(url[url.index(after: comma)...])
        guard ["image/jpeg", "image/png", "image/gif", "image/webp"].contains(mediaType) else {
            throw invalid("\(path).image_url.url: image type \(mediaType.isEmpty ? "(none)" : mediaType) is not supported (jpeg, png, gif, webp)")
        }
        guard !data.isEmpty, Data(base64Encoded: data) != nil else { throw invalid("\(path).image_url.url: the data URL is not valid base64") }
        return .image(mediaType: mediaType, base64: data)
    }

    static func toolCalls(_ raw: Any?, path: String) throws -> [ToolCall] {
        guard let raw, !(raw is NSNull) else { return [] }
        guard let list = raw as? [Any] else { throw invalid("\(path): must be an array") }
        return try list.enumerated().map { index, item in
            let here = "\(path)[\(index)]"
            guard let call = item as? [String: Any], let id = call["id"] as? String, !id.isEmpty else { throw invalid("\(here).id: field required") }
            guard (call["type"] as? String ?? "function") == "function", let function = call["function"] as? [String: Any],
                  let name = function["name"] as? String, !name.isEmpty else { throw invalid("\(here).function.name: field required") }
            let arguments = function["arguments"] as? String ?? "{}"
            guard JSON.object(Data((arguments.isEmpty ? "{}" : arguments).utf8)) != nil else {
                throw invalid("\(here).function.arguments: must be a JSON object text")
            }
            return ToolCall(id: id, name: name, arguments: arguments.isEmpty ? "{}" : arguments)
        }
    }

    static func tools(_ raw: Any?) throws -> [Tool] {
        guard let raw, !(raw is NSNull) else { return [] }
        guard let list = raw as? [Any] else { throw invalid("tools: must be an array") }
        return try list.enumerated().map { index, item in
            guard let tool = item as? [String: Any], tool["type"] as? String == "function" else {
                throw invalid("tools[\(index)].type: only function tools are supported")
            }
            guard let function = tool["function"] as? [String: Any], let name = function["name"] as? String, !name.isEmpty else {
                throw invalid("tools[\(index)].function.name: field required")
            }
            let parameters = function["parameters"]
            if let parameters, !(parameters is NSNull), !(parameters is [String: Any]) { throw invalid("tools[\(index)].function.parameters: must be an object") }
            return Tool(name: name, description: function["description"] as? String, parameters: parameters as? [String: Any])
        }
    }

    static func toolChoice(_ raw: Any?, tools: [Tool]) throws -> ToolChoice? {
        switch raw {
        case nil, is NSNull: return nil
        case let text as String:
            switch text {
            case "auto": return .auto
            case "none": return ToolChoice.none
            case "required": return .required
            default: throw invalid("tool_choice: auto, none, required or a function")
            }
        case let object as [String: Any]:
            guard let name = (object["function"] as? [String: Any])?["name"] as? String else { throw invalid("tool_choice.function.name: field required") }
            guard tools.contains(where: { $0.name == name }) else { throw invalid("tool_choice: no tool named \(name) in tools") }
            return .function(name)
        default: throw invalid("tool_choice: auto, none, required or a function")
        }
    }

    static func responseFormat(_ raw: Any?) throws -> ResponseFormat {
        guard let raw, !(raw is NSNull) else { return .text }
        guard let object = raw as? [String: Any], let type = object["type"] as? String else { throw invalid("response_format: an object with a type") }
        switch type {
        case "text": return .text
        case "json_object": return .jsonObject
        case "json_schema":
            guard let spec = object["json_schema"] as? [String: Any], let schema = spec["schema"] as? [String: Any] else {
                throw invalid("response_format.json_schema.schema: field required")
            }
            return .jsonSchema(name: spec["name"] as? String ?? "response", schema: schema, strict: JSON.bool(spec["strict"]) ?? false)
        default: throw invalid("response_format.type: text, json_object or json_schema")
        }
    }
}
