import ArgumentParser
import FakeUpstreams
import Logging
import ServiceLifecycle

/// `crs fakes`: the fake upstreams in their own process, driven through their control API (`/__fake/…`).
struct Fakes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Run the fake upstream servers standalone (control API under /__fake/).")

    @Option(help: "Listen host.") var host = "127.0.0.1"
    @Option(help: "Port of the fake Anthropic API (0 = any free port).") var anthropicPort = 8081

    struct Host: Service {
        let host: String
        let port: Int

        func run() async throws {
            let anthropic = try await FakeServer.anthropic(host: host, port: port)
            print("fake anthropic: \(anthropic.baseURL)  (OAuth base URL; console endpoints: \(anthropic.baseURL)/<prefix>/v1/messages)")
            print("control API:    \(anthropic.baseURL)/__fake/{behaviors,requests,stats,credentials,reset}")
            try? await gracefulShutdown()
            await anthropic.stop()
        }
    }

    func run() async throws {
        let logger = Logger(label: "crs.fakes")
        let group = ServiceGroup(configuration: .init(services: [.init(service: Host(host: host, port: anthropicPort))],
                                                      gracefulShutdownSignals: [.sigterm, .sigint], logger: logger))
        try await group.run()
    }
}
