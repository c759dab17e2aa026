/// A JSON Schema reduced to the OpenAPI subset Gemini's `parameters` accept (`type`, `properties`, `items`, `enum`,
/// …). Keywords outside it (`$schema`, `additionalProperties`, `$ref`, `default`, …) are dropped; a type list becomes
/// its first non-null type plus `nullable`; `const` becomes a one-value `enum`.
enum GeminiSchemaSubset {
    static let kept: Set<String> = ["type", "format", "description", "nullable", "enum", "items", "properties", "required",
                                    "minimum", "maximum", "minItems", "maxItems", "anyOf"]

    static func clean(_ raw: Any?) -> [String: Any] {
        guard let schema = raw as? [String: Any] else { return ["type": "object"] }
        var out: [String: Any] = [:]
        for (key, value) in schema where kept.contains(key) {
            switch key {
            case "properties":
                if let properties = value as? [String: Any] { out[key] = properties.mapValues { clean($0) } }
            case "items":
                out[key] = clean(value)
            case "anyOf":
                if let options = value as? [Any] { out[key] = options.map { clean($0) } }
            case "type":
                if let types = value as? [Any] {
                    let names = types.compactMap { $0 as? String }
                    out["type"] = names.first { $0 != "null" } ?? "string"
                    if names.contains("null") { out["nullable"] = true }
                } else {
                    out[key] = value
                }
            default:
                out[key] = value
            }
        }
        if let constant = schema["const"], out["enum"] == nil { out["enum"] = [constant] }
        return out
    }
}
