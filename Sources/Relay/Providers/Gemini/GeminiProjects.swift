import AsyncHTTPClient
import Foundation
import Logging
import NIOCore

/// The Code Assist project an OAuth account works in (docs/reference/upstream-wire.md): the admin's `projectId`, else the
/// one discovered before (`tempProjectId`), else discovered now — `loadCodeAssist` names it, or, for an account
/// not yet onboarded, `onboardUser` with the default tier provisions it (a long-running operation, polled).
/// The result is stored as `tempProjectId`, so discovery happens once per account.
struct GeminiProjects: Sendable {
    let accounts: AccountStore
    let clients: UpstreamHTTPClients
    let logger: Logger
    var pollInterval: Duration = .seconds(2)
    var maxPolls = 12

    static let metadata: [String: String] = ["ideType": "IDE_UNSPECIFIED", "platform": "PLATFORM_UNSPECIFIED", "pluginType": "GEMINI"]

    func project(for account: AccountRecord, token: String, baseURL: String) async throws -> String {
        if let project = account.nonEmpty("projectId") ?? account.nonEmpty("tempProjectId") { return project }
        let loaded = try await call(baseURL, "loadCodeAssist", ["metadata": Self.metadata], token: token, proxy: account.proxy)
        if let project = Self.projectID(loaded["cloudaicompanionProject"]) {
            await accounts.mark(account, ["tempProjectId": project])
            return project
        }
        let tiers = loaded["allowedTiers"] as? [[String: Any]] ?? []
        let tier = (tiers.first { JSON.bool($0["isDefault"]) == true } ?? tiers.first)?["id"] as? String ?? "free-tier"
        var operation = try await call(baseURL, "onboardUser", ["tierId": tier, "metadata": Self.metadata], token: token, proxy: account.proxy)
        var polls = 0
        while JSON.bool(operation["done"]) != true, polls < maxPolls {
            polls += 1
            try await Task.sleep(for: pollInterval)
            operation = try await call(baseURL, "onboardUser", ["tierId": tier, "metadata": Self.metadata], token: token, proxy: account.proxy)
        }
        guard let project = Self.projectID((operation["response"] as? [String: Any])?["cloudaicompanionProject"]) else {
            throw RelayError.unavailable("Gemini account \(account.name) has no Code Assist project (onboarding did not finish)")
        }
        logger.info("gemini code assist project discovered", metadata: ["account": "\(account.id)", "tier": "\(tier)"])
        await accounts.mark(account, ["tempProjectId": project])
        return project
    }

    /// `"projects/x"`, `"x"` or `{"id": "x"}`.
    static func projectID(_ value: Any?) -> String? {
        if let text = value as? String, !text.isEmpty { return text }
        if let object = value as? [String: Any], let id = object["id"] as? String, !id.isEmpty { return id }
        return nil
    }

    private func call(_ baseURL: String, _ method: String, _ body: [String: Any], token: String, proxy: UpstreamProxy?) async throws -> [String: Any] {
        var request = HTTPClientRequest(url: "\(baseURL)/v1internal:\(method)")
        request.method = .POST
        request.headers.add(name: "authorization", value: "Bearer \(token)")
        request.headers.add(name: "content-type", value: "application/json")
        request.body = .bytes(ByteBuffer(data: JSON.data(body)))
        let response: HTTPClientResponse
        let data: ByteBuffer
        do {
            response = try await clients.client(for: proxy).execute(request, timeout: .seconds(30))
            data = try await response.body.collect(upTo: 1 << 20)
        } catch {
            throw RelayError(502, "api_error", "Gemini \(method) could not reach Code Assist")
        }
        guard response.status.code == 200, let object = JSON.object(Data(buffer: data)) else {
            throw RelayError(Int(response.status.code) >= 500 ? 502 : Int(response.status.code), "api_error",
                             "Gemini \(method) failed: \(GeminiErrors.message(data))")
        }
        return object
    }
}
