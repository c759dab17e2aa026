import Foundation
import Hummingbird

/// `GET /azure/models` (and `/azure/openai/models`) in OpenAI's list format: the models the key's Azure accounts
/// serve — each active account's model mapping, else its deployment — minus the models the key may not use. The key
/// goes through admission like a request (exempt from quotas). Node answered a fixed list whatever the accounts had.
struct AzureModelsController {
    let admission: AdmissionGate
    let accounts: AccountStore

    func register(on router: Router<RelayRequestContext>) {
        for path in ["/azure/models", "/azure/openai/models"] {
            router.get(RouterPath(path)) { request, _ in await list(request) }
        }
    }

    private func list(_ request: Request) async -> Response {
        do {
            let rawKey = try admission.rawKey(headers: request.headers, query: request.uri.query)
            let key = try await admission.admit(AdmissionGate.Request(
                rawKey: rawKey, headers: request.headers, model: "", platform: AccountPool.azureOpenAI.permission,
                matchedClients: ClientRestriction.matchingClients(path: request.uri.path, headers: request.headers, body: nil),
                exemptFromQuotas: true)).key
            let bound = key.fields[AccountKind.azureOpenAI.bindingField].flatMap { $0.isEmpty ? nil : $0 }
            var served: [String: TimeInterval] = [:]
            for account in try await accounts.all(.azureOpenAI) where account.isActive && (bound == nil || account.id == bound) {
                let created = account.date("createdAt")?.timeIntervalSince1970 ?? 0
                let names = account.modelMapping.isEmpty ? [account.nonEmpty("deploymentName")].compactMap { $0 } : Array(account.modelMapping.keys)
                for name in names where served[name] == nil { served[name] = created }
            }
            let blocked = Set(key.restrictedModels)
            let data: [[String: Any]] = served.keys.sorted().filter { !blocked.contains($0) }.map {
                ["id": $0, "object": "model", "created": Int(served[$0] ?? 0), "owned_by": "azure-openai"]
            }
            return AdminReply.json(200, ["object": "list", "data": data])
        } catch let error as RelayError {
            return OpenAIErrors.response(error)
        } catch {
            return OpenAIErrors.response(RelayError(500, "api_error", "The relay failed to handle this request"))
        }
    }
}
