import ArgumentParser
import Foundation
import Relay

struct Migrate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Moving an existing deployment (the Node original's Redis) to this relay.",
        subcommands: [MigrateCheck.self])
}

/// `crs migrate check --redis URL`: what the deployment holds and whether this relay can read all of it with
/// CRS_ENCRYPTION_KEY (from the environment or .env). Read-only. Exit 0 when everything used is readable.
struct MigrateCheck: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check", abstract: "Report what a Redis holds and whether this relay can read all of it (read-only).")

    @Option(help: "The deployment's Redis URL.") var redis: String
    @Option(help: "A .env file read before the environment (real variables win).") var envFile = ".env"

    func run() async throws {
        let environment = EnvironmentFile.merged(file: envFile)
        guard let key = environment["CRS_ENCRYPTION_KEY"], !key.isEmpty else {
            throw ValidationError("CRS_ENCRYPTION_KEY must be set to the deployment's ENCRYPTION_KEY")
        }
        let client = RedisClient(configuration: try RedisConfiguration(url: redis))
        let report: MigrationCheck.Report
        do {
            report = try await MigrationCheck(redis: client, encryptionKey: key).run()
        } catch {
            await client.shutdown()
            throw error
        }
        await client.shutdown()
        print(report.table)
        if !report.readable { throw ExitCode(1) }
    }
}
