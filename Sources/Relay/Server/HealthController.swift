import Foundation
import Hummingbird
import NIOCore

/// `GET /health`: 200 when Redis answers, 503 otherwise; always JSON.
struct HealthController: Sendable {
    let redis: RedisClient
    let startedAt: ContinuousClock.Instant

    struct Body: ResponseEncodable {
        struct RedisStatus: Encodable {
            let reachable: Bool
            let latencyMs: Double?
            let error: String?
        }
        let status: String
        let service: String
        let version: String
        let uptimeSeconds: Double
        let timestamp: String
        let redis: RedisStatus
    }

    func check() async throws -> Response {
        let redisStatus: Body.RedisStatus
        do {
            let latency = try await redis.ping()
            let milliseconds = Double(latency.components.attoseconds) / 1e15 + Double(latency.components.seconds) * 1000
            redisStatus = .init(reachable: true, latencyMs: (milliseconds * 1000).rounded() / 1000, error: nil)
        } catch {
            redisStatus = .init(reachable: false, latencyMs: nil, error: (error as? RedisError)?.description ?? "unreachable")
        }
        let uptime = ContinuousClock.now - startedAt
        let body = Body(
            status: redisStatus.reachable ? "healthy" : "unhealthy",
            service: "claude-relay-service",
            version: RelayVersion.current,
            uptimeSeconds: Double(uptime.components.seconds),
            timestamp: ISOTime.string(Date()),  // as Node's toISOString(); no ICU date formatter
            redis: redisStatus)
        let data = try JSONEncoder().encode(body)
        var headers = HTTPFields()
        headers[.contentType] = "application/json"
        headers[.cacheControl] = "no-store"
        return Response(
            status: redisStatus.reachable ? .ok : .serviceUnavailable,
            headers: headers,
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
