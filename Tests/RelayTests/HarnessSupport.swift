import Foundation
import Relay
import Scenario

/// Admin and client calls against a harness relay, for Swift tests.
struct RelayClient {
    let baseURL: String
    var token: String?

    static func login(_ harness: RelayHarness, relay index: Int = 0) async throws -> RelayClient {
        var client = RelayClient(baseURL: harness.relays[index].baseURL)
        let reply = try await client.call("POST", "/web/auth/login", ["username": RelayHarness.adminUsername, "password": RelayHarness.adminPassword])
        client.token = (reply.json as? [String: Any])?["token"] as? String
        return client
    }

    func call(_ method: String, _ path: String, _ body: Any? = nil, headers: [String: String] = [:]) async throws -> HTTPExchange {
        var all = headers
        if let token, all["Authorization"] == nil { all["Authorization"] = "Bearer \(token)" }
        let data = try body.map { try JSONSerialization.data(withJSONObject: $0) }
        return try await HTTPExchange.send(method: method, url: baseURL + path, headers: all, body: data)
    }

    func data(_ exchange: HTTPExchange) -> [String: Any] {
        ((exchange.json as? [String: Any])?["data"] as? [String: Any]) ?? [:]
    }
}

extension HTTPExchange {
    var object: [String: Any] { (json as? [String: Any]) ?? [:] }
}
