import AsyncHTTPClient
import Foundation
import Hummingbird
import NIOCore

/// `GET /antigravity/api/v1/models`: what Antigravity serves right now, asked of an Antigravity account
/// (`v1internal:fetchAvailableModels`) and listed under the names clients use (`AntigravityModels`), in the list
/// shape Node answers (`{object: "list", data: [{id, object: "model", owned_by: "antigravity", …}]}`). Models the key may
/// not use are left out. When no account can answer, the client is told so (Node answered a made-up one-model list).
struct AntigravityModelsController {
    let context: RelayContext

    func register(on router: Router<RelayRequestContext>) {
        router.get("/antigravity/api/v1/models") { request, _ in await list(request) }
    }

    private func list(_ request: Request) async -> Response {
        do {
            let rawKey = try context.admission.rawKey(headers: request.headers, query: request.uri.query)
            let key = try await context.admission.admit(AdmissionGate.Request(
                rawKey: rawKey, headers: request.headers, model: "", platform: "gemini",
                matchedClients: ClientRestriction.matchingClients(path: request.uri.path, headers: request.headers, body: nil),
                exemptFromQuotas: true)).key
            let now = context.clock.now
            let accounts = try await context.accounts.all(.gemini).filter {
                $0.isAntigravity && $0.accountType == "shared" && AccountHealth.availability(of: $0, at: now) == .available
            }
            guard let account = accounts.first else {
                throw RelayError(503, "overloaded_error", "No Antigravity account is available to list models")
            }
            let token = try await context.tokens.accessToken(for: account)
            let base = UpstreamBaseURL.trimmed(context.settings.upstreamURL(AntigravityProvider.url))
            var outgoing = HTTPClientRequest(url: "\(base)/v1internal:fetchAvailableModels")
            outgoing.method = .POST
            outgoing.headers.add(name: "user-agent", value: AntigravityProvider.userAgent)
            outgoing.headers.add(name: "authorization", value: "Bearer \(token)")
            outgoing.headers.add(name: "content-type", value: "application/json")
            outgoing.headers.add(name: "accept-encoding", value: "identity")
            outgoing.body = .bytes(ByteBuffer(string: "{}"))
            let response = try await context.upstream.client(for: account.proxy).execute(outgoing, timeout: .seconds(30))
            let body = try await response.body.collect(upTo: 4 << 20)
            guard response.status == .ok, let object = JSON.object(Data(buffer: body)) else {
                throw RelayError(502, "api_error", "Antigravity answered \(response.status.code) to the model list")
            }
            let blocked = Set(key.restrictedModels)
            let created = Int(now.timeIntervalSince1970)
            let data = Self.names(object["models"] as? [String: Any] ?? [:]).filter { !blocked.contains($0) }.map { id -> [String: Any] in
                var entry: [String: Any] = ["id": id, "object": "model", "created": created, "owned_by": "antigravity"]
                if let metadata = AntigravityModels.metadata(id) {
                    if let name = metadata.name { entry["name"] = name }
                    if let max = metadata.maxCompletionTokens { entry["max_completion_tokens"] = max }
                    if let thinking = metadata.thinking { entry["thinking"] = ["min": thinking.min, "max": thinking.max] }
                }
                return entry
            }
            return AdminReply.json(200, ["object": "list", "data": data])
        } catch let error as RelayError {
            return error.anthropicResponse
        } catch {
            return RelayError(502, "api_error", "Antigravity could not be asked for its models").anthropicResponse
        }
    }

    /// Upstream ids → the names clients use, in order, each once: the alias, its non-thinking form, and for
    /// `gemini-claude-*` the plain Claude name. Hidden models (an empty alias) are left out.
    static func names(_ models: [String: Any]) -> [String] {
        var seen = Set<String>(), out: [String] = []
        func add(_ id: String) { if !id.isEmpty, seen.insert(id).inserted { out.append(id) } }
        for id in models.keys.sorted() {
            let alias = AntigravityModels.alias(id)
            guard !alias.isEmpty else { continue }
            add(alias)
            if alias.hasSuffix("-thinking") { add(String(alias.dropLast("-thinking".count))) }
            if alias.hasPrefix("gemini-claude-") { add(String(alias.dropFirst("gemini-".count))) }
        }
        return out
    }
}
