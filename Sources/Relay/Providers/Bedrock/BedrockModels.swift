import Foundation

/// Claude model names ↔ Bedrock model ids (docs/reference/upstream-wire.md): a Claude name becomes the cross-region inference
/// profile of the account's geography (`us.` / `eu.` / `apac.`) with Bedrock's version suffix; ids and ARNs the
/// client already gives are used as they are; anything that is not Claude goes to the account's default model.
enum BedrockModels {
    /// Names whose Bedrock id is not `-v1:0`.
    static let versions: [String: String] = [
        "claude-3-5-sonnet-20241022": "v2:0",
    ]

    static func bedrockID(for model: String, region: String, defaultModel: String?) -> String {
        var name = model.trimmingCharacters(in: .whitespaces)
        if name.hasSuffix("[1m]") { name.removeLast(4) }
        if name.hasPrefix("arn:") || name.contains("anthropic.") { return name }
        guard name.lowercased().hasPrefix("claude-") else { return defaultModel ?? "us.anthropic.claude-sonnet-4-20250514-v1:0" }
        return "\(geography(region)).anthropic.\(name)-\(versions[name] ?? "v1:0")"
    }

    static func geography(_ region: String) -> String {
        if region.hasPrefix("eu-") { return "eu" }
        if region.hasPrefix("ap-") { return "apac" }
        return "us"
    }
}
