import Crypto
import Foundation
import HTTPTypes
import Hummingbird
import NIOCore

/// `GET /metrics`: the Prometheus text exposition of this instance. With `CRS_METRICS_TOKEN` set, a scrape must
/// send `Authorization: Bearer <token>` (compared in constant time); otherwise the endpoint is open, as
/// Prometheus endpoints usually are behind a private network.
struct MetricsController {
    let services: RelayServices
    let token: String?

    func register(on router: Router<RelayRequestContext>) {
        router.get("/metrics") { request, _ -> Response in
            if let token, !Self.authorized(request.headers[.authorization], token: token) {
                return Response(status: .unauthorized, headers: [.contentType: "text/plain; charset=utf-8", .wwwAuthenticate: "Bearer"],
                                body: .init(byteBuffer: ByteBuffer(string: "metrics need a bearer token\n")))
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
                                  pendingUsageWrites: services.claude.recorder.pendingCount)
    }

    static func authorized(_ header: String?, token: String) -> Bool {
        guard let header, header.lowercased().hasPrefix("bearer ") else { return false }
        let given = SHA256.hash(data: Array(header.dropFirst(7).utf8))
        let expected = SHA256.hash(data: Array(token.utf8))
        return given == expected  // digests compare in constant time
    }
}
