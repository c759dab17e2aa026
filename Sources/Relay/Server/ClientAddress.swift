import HTTPTypes
import Hummingbird
import NIOCore

/// The client's IP address for per-client decisions (admin login throttling): the connection's peer, or — when
/// that peer is one of `CRS_TRUSTED_PROXIES` — the right-most address in `X-Forwarded-For` that is not a
/// trusted proxy. A forwarded header from anyone else is ignored (it is the client's to forge).
enum ClientAddress {
    static func of(_ request: Request, channel: any Channel, trustedProxies: [IPRange]) -> String {
        let peer = channel.remoteAddress?.ipAddress ?? "unknown"
        guard !trustedProxies.isEmpty, trustedProxies.contains(where: { $0.contains(peer) }),
              let forwarded = request.headers[HTTPField.Name("x-forwarded-for")!] else { return peer }
        let hops = forwarded.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { IPRange.parse($0) != nil }
        return hops.last { hop in !trustedProxies.contains { $0.contains(hop) } } ?? hops.first ?? peer
    }
}
