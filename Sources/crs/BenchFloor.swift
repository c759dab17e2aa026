import ArgumentParser
import AsyncHTTPClient
import HTTPTypes
import Hummingbird
import NIOCore
import NIOHTTP1
import Relay

/// The relay's stack with none of the relay in it: Hummingbird serving, AsyncHTTPClient forwarding (the relay's own
/// client configuration), every request passed to the upstream as nginx's `proxy_pass` does — same path, headers
/// minus hop-by-hop ones, the body in and the reply out as bytes. `scripts/bench` measures it next to nginx and
/// the relay: what it costs is the floor of this stack, what the relay adds above it is the relay's own work.
struct BenchFloor: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "floor",
        abstract: "Serve a bare Hummingbird + AsyncHTTPClient pass-through proxy (the stack's floor, for scripts/bench).")

    @Option(help: "Port to listen on (127.0.0.1).") var port: Int
    @Option(help: "Upstream base URL, e.g. http://127.0.0.1:8080.") var upstream: String

    static let hopByHop: Set<String> = ["connection", "keep-alive", "transfer-encoding", "content-length", "host", "te", "trailer", "upgrade"]

    func run() async throws {
        let clients = UpstreamHTTPClients(connectTimeoutMilliseconds: 10_000)
        let client = clients.client(for: nil)
        let base = upstream
        let router = Router()
        router.post("**") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 << 20)
            var outgoing = HTTPClientRequest(url: base + request.uri.description)
            outgoing.method = .POST
            for field in request.headers where !Self.hopByHop.contains(field.name.canonicalName.lowercased()) {
                outgoing.headers.add(name: field.name.rawName, value: field.value)
            }
            outgoing.body = .bytes(body)
            let reply = try await client.execute(outgoing, deadline: .now() + .seconds(120))
            var headers = HTTPFields()
            for (name, value) in reply.headers where !Self.hopByHop.contains(name.lowercased()) {
                if let field = HTTPField.Name(name) { headers.append(HTTPField(name: field, value: value)) }
            }
            return Response(status: .init(code: Int(reply.status.code)), headers: headers, body: ResponseBody(asyncSequence: reply.body))
        }
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: port)))
        try await app.runService()
        await clients.shutdown()
    }
}
