import Cassettes
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// The control API every fake serves under `/__fake/`, so tests, scenarios and `crs fakes` drive it the same way:
/// - `POST /__fake/behaviors` — a behaviour or an array of them, queued
/// - `DELETE /__fake/behaviors` — clear the queue
/// - `GET /__fake/requests` — everything received, in order; `DELETE` forgets them
/// - `GET /__fake/stats` — total, in flight, peak concurrency
/// - `POST /__fake/credentials` — `{"oauthTokens":[…],"apiKeys":[…]}` to accept
/// - `POST /__fake/oauth` — `{"expiresIn": 2, "refreshTokens": […], "revoke": […]}`; `GET` → exchange/refresh counts
/// - `GET /__fake/proxy` — the tunnels the proxy fake was asked for (`ProxyTunnel`), in order
/// - `POST /__fake/reset` — forget everything
/// - `POST /__fake/cassettes` — `{"directory": "…", "speed": 0}`: replay recorded exchanges (see `CassettePlayer`)
public struct FakeControlAPI: Sendable {
    public let state: FakeState

    public init(state: FakeState) {
        self.state = state
    }

    public func register(on router: Router<FakeRequestContext>) {
        let group = router.group("__fake")
        group.post("behaviors") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let decoder = JSONDecoder()
            guard let behaviors = (try? decoder.decode([FakeBehavior].self, from: body)) ?? (try? decoder.decode(FakeBehavior.self, from: body)).map({ [$0] }) else {
                return Self.badRequest("body must be a behaviour object or an array of them")
            }
            self.state.enqueue(behaviors)
            return Self.json(["queued": behaviors.count])
        }
        group.delete("behaviors") { _, _ -> Response in
            self.state.clearBehaviors()
            return Self.json(["cleared": true])
        }
        group.get("requests") { _, _ -> Response in
            Self.encoded(self.state.requests)
        }
        group.delete("requests") { _, _ -> Response in
            self.state.clearRecord()
            return Self.json(["cleared": true])
        }
        group.get("proxy") { _, _ -> Response in
            Self.encoded(self.state.proxyLog.all)
        }
        group.get("stats") { _, _ -> Response in
            Self.encoded(self.state.stats)
        }
        group.post("credentials") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            guard let credentials = try? JSONDecoder().decode(FakeCredentials.self, from: body) else {
                return Self.badRequest("body must be {\"oauthTokens\": [...], \"apiKeys\": [...]}")
            }
            self.state.addCredentials(credentials)
            return Self.json(["ok": true])
        }
        group.post("relax") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let names = ((try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any])?["rules"] as? [Any]
            let known = FakeRegistry.relaxableRules
            let rules = names?.compactMap { ($0 as? String).flatMap { known.contains($0) ? $0 : nil } }
            guard let names, let rules, rules.count == names.count else {
                return Self.badRequest("body must be {\"rules\": [...]} with rules from: \(known.sorted().joined(separator: ", "))")
            }
            self.state.relaxedRules = Set(rules)
            return Self.json(["relaxed": rules.sorted()])
        }
        group.post("cassettes") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            guard let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any],
                  let directory = object["directory"] as? String else {
                return Self.badRequest("body must be {\"directory\": \"…\", \"speed\": 0}")
            }
            do {
                let cassettes = try Cassette.load(directory: directory)
                self.state.cassettes.load(cassettes, speed: (object["speed"] as? Double) ?? 0)
                return Self.json(["loaded": cassettes.count])
            } catch {
                return Self.badRequest("cannot read cassettes from \(directory): \(error.localizedDescription)")
            }
        }
        group.post("oauth") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            guard let object = (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] else {
                return Self.badRequest("body must be {\"expiresIn\": N, \"refreshTokens\": [...], \"revoke\": [...]}")
            }
            Self.configureOAuth(self.state.oauth, object)
            return Self.json(["ok": true])
        }
        group.get("oauth") { _, _ -> Response in
            let counts = self.state.oauth.counts
            return Self.json(["exchanges": counts.exchanges, "refreshes": counts.refreshes, "expiresIn": self.state.oauth.expiresIn])
        }
        group.post("reset") { _, _ -> Response in
            self.state.reset()
            return Self.json(["ok": true])
        }
    }

    /// Applies `{"expiresIn", "refreshTokens", "revoke"}` (the control API and scenario `fake: {oauth: …}`).
    public static func configureOAuth(_ grants: FakeOAuthGrants, _ object: [String: Any]) {
        if let seconds = (object["expiresIn"] as? NSNumber)?.intValue { grants.expiresIn = seconds }
        if let tokens = object["refreshTokens"] as? [String] { grants.accept(refreshTokens: tokens) }
        if let tokens = object["revoke"] as? [String] { grants.revoke(tokens) }
    }

    static func json(_ object: [String: Any]) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func badRequest(_ message: String) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: ["error": message])) ?? Data()
        return Response(status: .badRequest, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    static func encoded<T: Encodable>(_ value: T) -> Response {
        let data = (try? JSONEncoder().encode(value)) ?? Data()
        return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
