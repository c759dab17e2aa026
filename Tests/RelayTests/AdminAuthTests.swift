import Foundation
import Logging
import Relay
import Scenario
import Testing

/// No admin data without a token: every route the relay registers under `/admin` and `/web` (read from the
/// router itself, so a route added later is covered too) answers 401 in the admin shape without a token, with a
/// tampered token, an expired one, one signed with another secret, and one revoked by logout — except the public
/// ones (login, public OEM settings, and the browser addresses that redirect to the web UI).
@Suite("Admin routes need a valid token")
struct AdminAuthTests {
    static let publicRoutes: Set<String> = ["POST /admin/auth/login", "POST /web/auth/login", "GET /admin/oem-settings",
                                            "GET /admin", "GET /web", "GET /admin-next"]

    @Test func everyProtectedRouteRefusesMissingTamperedAndRevokedTokens() async throws {
        try await RelayHarness.with { harness in
            let router = RelayApplication(services: harness.relay.services, logger: Logger(label: "test")).buildRouter()
            let routes = router.routes.map { ($0.method.rawValue, "\($0.path)") }
                .filter { $0.1.hasPrefix("/admin") || $0.1.hasPrefix("/web") }
                .filter { !$0.1.contains("**") && !Self.publicRoutes.contains("\($0.0) \($0.1)") }
            #expect(routes.count > 100, "only \(routes.count) admin routes found")

            let admin = try await RelayClient.login(harness)
            let token = try #require(admin.token)
            var tampered = Array(token)
            tampered[tampered.count - 5] = tampered[tampered.count - 5] == "A" ? "B" : "A"
            let revokedClient = try await RelayClient.login(harness)
            let revoked = try #require(revokedClient.token)
            _ = try await revokedClient.call("POST", "/web/auth/logout")
            // Correctly signed but expired (issued by a clock two days back with a one-hour lifetime), and
            // well-formed but signed with a secret the relay does not have.
            let past = RelayClock()
            past.advance(by: -2 * 86400)
            let expired = try await AdminSessions(secret: RelayHarness.jwtSecret, redis: harness.redis, clock: past, lifetime: 3600)
                .issue(username: RelayHarness.adminUsername)
            let foreign = try await AdminSessions(secret: "another-secret-0123456789-0123456789", redis: harness.redis, clock: RelayClock())
                .issue(username: RelayHarness.adminUsername)
            let refused = [nil, String(tampered), revoked, expired, foreign]

            for (method, path) in routes {
                // Path parameters (`{id}`, `:id`) get a placeholder.
                let concrete = path.split(separator: "/", omittingEmptySubsequences: false)
                    .map { $0.hasPrefix("{") || $0.hasPrefix(":") ? "x" : String($0) }.joined(separator: "/")
                for credential in refused {
                    var headers: [String: String] = ["content-type": "application/json"]
                    if let credential { headers["Authorization"] = "Bearer \(credential)" }
                    let reply = try await HTTPExchange.send(method: method, url: harness.relay.baseURL + concrete, headers: headers,
                                                            body: method == "GET" || method == "DELETE" ? nil : Data("{}".utf8))
                    #expect(reply.status == 401, "\(method) \(concrete) with token #\(refused.firstIndex(of: credential)!) (none, tampered, revoked, expired, foreign) → \(reply.status)")
                    #expect((reply.json as? [String: Any])?["success"] as? Bool == false, "\(method) \(concrete): \(reply.body.prefix(120))")
                }
            }
            // The valid token still works (the checks above did not lock anything).
            #expect(try await admin.call("GET", "/admin/api-keys").status == 200)
        }
    }
}
