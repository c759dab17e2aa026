/// AWS Bedrock accounts: Anthropic models through InvokeModel, serving the Anthropic Messages family (its routes
/// are Anthropic's; `AnthropicFamily` picks the Bedrock dialect for these accounts).
struct BedrockProvider: RelayProvider {
    var name: String { "bedrock" }
    var accountKinds: [AccountKind] { [.bedrock] }
    func register(_ routes: ProviderRoutes) {}
}

extension AccountKind {
    /// Node keeps it as a JSON string, credentials inside as `{encrypted, iv}`.
    public static let bedrock = AccountKind(
        name: "bedrock", label: "AWS Bedrock", keyPrefix: RedisKeys.bedrockAccountPrefix, sharedSet: nil, salt: .bedrock,
        secretFields: ["awsCredentials"], bindingField: "bedrockAccountId", adminPath: "bedrock-accounts", pool: .claude,
        storage: .json, credentialField: "awsCredentials", input: AccountInput.bedrock,
        form: [AccountFormField("accessKeyId", "Access key id", .secret, required: true, group: "awsCredentials"),
               AccountFormField("secretAccessKey", "Secret access key", .secret, required: true, group: "awsCredentials"),
               AccountFormField("sessionToken", "Session token (optional)", .secret, group: "awsCredentials"),
               AccountFormField("region", "Region", .text, defaultValue: "us-east-1"),
               AccountFormField("defaultModel", "Default model (optional)", .text)])
}
