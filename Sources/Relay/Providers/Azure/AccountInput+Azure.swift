import Foundation

/// Create/edit bodies of Azure OpenAI accounts (Node's `POST /admin/azure-openai-accounts`): `azureEndpoint`
/// (`https://<resource>.openai.azure.com`), `apiKey`, `deploymentName`, `apiVersion` (chat completions, default
/// `2024-02-01`), `responsesApiVersion` (default `2025-04-01-preview`) and `supportedModels` (a mapping
/// requested model → deployment).
extension AccountInput {
    static func azureOpenAI(_ body: [String: Any], into fields: inout [String: String], creating: Bool) throws {
        try url(body, "azureEndpoint", into: &fields, creating: creating, example: "https://my-resource.openai.azure.com")
        try secret(body, "apiKey", into: &fields, creating: creating)
        for (name, fallback) in [("deploymentName", "gpt-4"), ("apiVersion", "2024-02-01"), ("responsesApiVersion", "2025-04-01-preview")] {
            if let value = body[name] as? String, !value.trimmingCharacters(in: .whitespaces).isEmpty {
                guard value.range(of: #"^[A-Za-z0-9._-]+$"#, options: .regularExpression) != nil else {
                    throw Invalid(field: name, reason: "may only contain letters, digits, '.', '_' and '-'")
                }
                fields[name] = value
            } else if creating {
                fields[name] = fallback
            }
        }
        try supportedModels(body, into: &fields, creating: creating)
    }
}
