import ArgumentParser
import Foundation
import Relay

/// Like the Node original's `npm run setup`: writes a `.env` with fresh secrets, once.
struct Setup: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a .env with generated CRS_ENCRYPTION_KEY and CRS_JWT_SECRET (does nothing if the file exists).")

    @Option(help: "Where to write the file.")
    var envFile = ".env"

    func run() async throws {
        if FileManager.default.fileExists(atPath: envFile) {
            print("\(envFile) exists; leaving it as it is")
            return
        }
        func random(_ count: Int) -> String {
            Hex.encode((0..<count).map { _ in UInt8.random(in: .min ... .max) })
        }
        let text = """
            # Written by `crs setup`. Keep this file secret; see .env.example for every variable.
            # Changing CRS_ENCRYPTION_KEY makes stored account secrets and API key hashes unreadable.
            CRS_ENCRYPTION_KEY=\(random(16))
            CRS_JWT_SECRET=\(random(32))

            """
        _ = FileManager.default.createFile(atPath: envFile, contents: Data(text.utf8), attributes: [.posixPermissions: 0o600])
        print("wrote \(envFile) with new secrets")
    }
}
