import ArgumentParser
import Relay

@main
struct CRS: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "crs",
        abstract: "Claude Relay Service: a self-hosted relay for AI APIs, its fake upstreams and scenario runner.",
        version: RelayVersion.current,
        subcommands: [Serve.self, Setup.self, Fakes.self, ScenarioCommand.self, Bench.self, Migrate.self])
}
