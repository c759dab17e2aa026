import ArgumentParser
import Cassettes
import FakeUpstreams
import Logging
import ServiceLifecycle

/// `crs fakes`: the fake upstreams in their own process, driven through their control API (`/__fake/…`).
struct Fakes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the fake upstream servers standalone (control API under /__fake/).")

    @Option(help: "Listen host.") var host = "127.0.0.1"
    @Option(help: "Port of the fake upstreams (0 = any free port; the name is kept for existing scripts).") var anthropicPort = 8081
    @Option(help: "Replay the cassettes in this directory (recorded with crs serve --record) before anything else.") var replay: String?
    @Option(help: "Replay speed: 1 keeps the recorded timing, 10 is ten times faster, 0 sends at once.") var speed = 1.0
    @Option(help: "Requests kept for GET /__fake/requests (older ones are forgotten; benchmarks send millions).") var recordLimit = 1_000_000

    struct Host: Service {
        let host: String
        let port: Int
        let cassettes: [Cassette]
        let speed: Double
        let recordLimit: Int

        func run() async throws {
            let fakes = try await FakeServer.all(host: host, port: port, recordLimit: recordLimit)
            fakes.state.cassettes.load(cassettes, speed: speed)
            print("fakes:          \(fakes.baseURL)  (account endpoints: \(fakes.baseURL)/<prefix>/v1/messages, …)")
            print("control API:    \(fakes.baseURL)/__fake/{behaviors,requests,stats,credentials,cassettes,proxy,reset}")
            if let proxy = fakes.proxy {
                print("proxy:          127.0.0.1:\(proxy.port)  (HTTP CONNECT and SOCKS5, user \(FakeProxyServer.username) / \(FakeProxyServer.password))")
            }
            print("relay settings: " + fakes.relayEnvironment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " "))
            if !cassettes.isEmpty { print("replaying:      \(cassettes.count) cassette(s) at speed \(speed)") }
            try? await gracefulShutdown()
            await fakes.stop()
        }
    }

    func run() async throws {
        let logger = Logger(label: "crs.fakes")
        let cassettes = try replay.map { try Cassette.load(directory: $0) } ?? []
        let group = ServiceGroup(configuration: .init(services: [.init(service: Host(host: host, port: anthropicPort, cassettes: cassettes, speed: speed, recordLimit: recordLimit))],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
