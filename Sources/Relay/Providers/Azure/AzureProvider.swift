import Hummingbird

/// Azure OpenAI deployments (`{azureEndpoint}/openai/deployments/{deployment}/…?api-version=…`, `api-key`):
/// Chat Completions and Responses, on Node's paths and the ones the official SDK's AzureOpenAI client builds.
struct AzureProvider: RelayProvider {
    var name: String { "azure-openai" }
    var accountKinds: [AccountKind] { [.azureOpenAI] }

    func register(_ routes: ProviderRoutes) {
        let azure = routes.handler(AzureFamily(), pool: .azureOpenAI)
        routes.post(["/azure/chat/completions", "/azure/openai/deployments/:deployment/chat/completions"], to: azure,
                    operation: AzureFamily.chatCompletions)
        routes.post(["/azure/responses", "/azure/openai/responses", "/azure/openai/v1/responses"], to: azure, operation: AzureFamily.responses)
        AzureModelsController(admission: routes.services.relay.admission, accounts: routes.services.accounts).register(on: routes.client)
        let keys = routes.keyUsage(permission: AccountPool.azureOpenAI.permission, errorResponse: OpenAIErrors.response)
        routes.client.get("/azure/usage") { request, _ in await keys.azureUsage(request) }
        routes.post(["/azure/embeddings", "/azure/openai/deployments/:deployment/embeddings"], to: azure, operation: AzureFamily.embeddings)
    }
}

extension AccountPool {
    /// Azure OpenAI requests (`/azure/…`); keys need the `openai` permission.
    public static let azureOpenAI = AccountPool(name: "Azure OpenAI", permission: "openai", stickyPrefix: RedisKeys.azureOpenAIStickyPrefix, groupPlatform: nil)
}

extension AccountKind {
    public static let azureOpenAI = AccountKind(
        name: "azure-openai", label: "Azure OpenAI", platform: "azure_openai", keyPrefix: RedisKeys.azureOpenAIAccountPrefix,
        sharedSet: RedisKeys.sharedAzureOpenAIAccounts, salt: .azureOpenAIDefault, secretFields: ["apiKey"],
        bindingField: "azureOpenaiAccountId", adminPath: "azure-openai-accounts", pool: .azureOpenAI, input: AccountInput.azureOpenAI,
        form: [AccountFormField("azureEndpoint", "Endpoint", .url, required: true, placeholder: "https://NAME.openai.azure.com"),
               AccountFormField("apiKey", "API key", .secret, required: true), AccountFormField("deploymentName", "Deployment", .text),
               AccountFormField("apiVersion", "API version", .text), AccountFormField("supportedModels", "Models (one per line)", .models)])
}
