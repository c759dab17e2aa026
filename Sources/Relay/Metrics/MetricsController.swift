import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /metrics`: the Prometheus text exposition of this instance. With `CRS_METRICS_TOKEN` set, a scrape must
/// send `Authorization: Bearer <token>` (compared in constant time). Without a token only a scraper on this host
/// gets it: a loopback peer whose request carries no forwarding header (a reverse proxy on the same host would
/// otherwise hand every visitor the relay's key, account and traffic figures).
struct MetricsController {
    let services: RelayServices
    let token: String?

    func register(on router: Router<RelayRequestContext>) {
        router.get("/metrics") { request, context -> Response in
            if let token, !Self.authorized(request.headers[.authorization], token: token) {
                return Response(status: .unauthorized, headers: [.contentType: "text/plain; charset=utf-8", .wwwAuthenticate: "Bearer"],
                                body: .init(byteBuffer: ByteBuffer(string: "metrics need a bearer token\n")))
            }
            if token == nil, !Self.isLocal(request, peer: context.channel.remoteAddress?.ipAddress) {
                return Response(status: .forbidden, headers: [.contentType: "text/plain; charset=utf-8"],
                                body: .init(byteBuffer: ByteBuffer(string: "metrics are served to this host only; set CRS_METRICS_TOKEN to scrape from elsewhere\n")))
            }
            await snapshot()
            return Response(status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8", .cacheControl: "no-store"],
                            body: .init(byteBuffer: ByteBuffer(string: services.metrics.registry.emitToString())))
        }
    }

    private func snapshot() async {
        var accounts: [(kind: String, state: String, count: Int)] = []
        let now = services.clock.now
        for kind in AccountKind.all {
            guard let records = try? await services.accounts.all(kind) else { continue }
            var counts: [String: Int] = ["available": 0, "rate_limited": 0, "unavailable": 0]
            for record in records {
                switch AccountHealth.availability(of: record, at: now) {
                case .available: counts["available", default: 0] += 1
                case .rateLimited: counts["rate_limited", default: 0] += 1
                case .unavailable: counts["unavailable", default: 0] += 1
                }
            }
            accounts += counts.map { (kind.name, $0.key, $0.value) }
        }
        services.metrics.snapshot(leases: services.leases.liveCount, accounts: accounts, redisRoundTrips: services.redis.roundTripCount,
                                  pendingUsageWrites: services.relay.recorder.pendingCount)
    }

    static let forwardingHeaders = ["x-forwarded-for", "forwarded", "x-real-ip", "via"].map { HTTPField.Name($0)! }

    static func isLocal(_ request: Request, peer: String?) -> Bool {
        guard let peer, peer == "::1" || peer.hasPrefix("127.") || peer.hasPrefix("::ffff:127.") else { return false }
        return !forwardingHeaders.contains { request.headers[$0] != nil }
    }

    static func authorized(_ header: String?, token: String) -> Bool {
        guard let header, header.lowercased().hasPrefix("bearer ") else { return false }
        let given = SHA256.hash(data: Array(header.dropFirst(7).utf8))
        let expected = SHA256.hash(data: Array(token.utf8))
        return given == expected  // digests compare in constant time
    }
}
