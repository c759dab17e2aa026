import Foundation
import Relay
import Testing

/// `crs migrate check` against the Node-layout fixture (fixtures/node-crs/dataset.json, written by an independent
/// Python implementation of Node's encryption): with the deployment's key everything reads; with another key
/// every secret is reported; families this relay does not use are listed, not touched.
@Suite("Migration check")
struct MigrationCheckTests {
    static let dataset = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("fixtures/node-crs/dataset.json").path

    static func load(_ client: RedisClient) async throws -> [String: Any] {
        let data = try #require(FileManager.default.contents(atPath: dataset))
        let root = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        for (key, entry) in try #require(root["entries"] as? [String: [String: Any]]) {
            switch entry["type"] as? String {
            case "hash": try await client.send(RedisCommand("HSET", arguments: [RedisArgument(key)] + (entry["value"] as? [String: String] ?? [:]).flatMap { [RedisArgument($0.key), RedisArgument($0.value)] }))
            case "set": try await client.send(RedisCommand("SADD", arguments: [RedisArgument(key)] + (entry["value"] as? [String] ?? []).map { RedisArgument($0) }))
            default: try await client.send("SET", RedisArgument(key), RedisArgument("\(entry["value"] ?? "")"))
            }
        }
        return root
    }

    @Test func theNodeFixtureReadsWithItsKeyAndNotWithAnother() async throws {
        try await withRedis { server, client in
            let root = try await Self.load(client)
            // A Droid account (read now) and a key family this relay does not use (Node's redemption cards).
            try await client.send("HSET", "droid:account:d1", "name", "factory")
            try await client.send("SADD", "droid:account:index", "d1")
            try await client.send("HSET", "quota_card:c1", "code", "gift")
            let key = try #require(root["encryptionKey"] as? String)

            let good = try await MigrationCheck(redis: client, encryptionKey: key).run()
            #expect(good.readable, "\(good.table)")
            #expect(good.rows.first { $0.what.hasPrefix("API keys") }?.count == 1)
            #expect(good.rows.first { $0.what.hasPrefix("claude-official") }?.count == 1)
            #expect(good.rows.first { $0.what.hasPrefix("claude-console") }?.count == 1)
            #expect(good.rows.first { $0.what.hasPrefix("gemini accounts") }?.count == 1)
            #expect(good.rows.first { $0.what.hasPrefix("droid") }?.count == 1)
            #expect(good.unknownPrefixes["quota_card:"] == 1)

            let wrong = try await MigrationCheck(redis: client, encryptionKey: "another-encryption-key-000000").run()
            #expect(!wrong.readable)
            let failures = wrong.rows.flatMap(\.problems)
            #expect(failures.contains { $0.contains("accessToken does not decrypt") })
            #expect(failures.contains { $0.contains("apiKey does not decrypt") })
            // Node's key hash includes the encryption key: with another key the hash map still matches the stored
            // hashes (it is read, not recomputed), so keys are not reported; the secrets are.
            #expect(failures.count >= 5, "\(wrong.table)")

            // The command an operator runs: a table, exit 0 with the right key, 1 with the wrong one.
            let (status, output) = try await runProgram(["/usr/bin/env", "CRS_ENCRYPTION_KEY=\(key)", CRSProcess.executable.path,
                                                         "migrate", "check", "--redis", server.url, "--env-file", "/nonexistent"])
            #expect(status == 0, "\(output)")
            #expect(output.contains("This relay can read everything it uses."))
            let (badStatus, badOutput) = try await runProgram(["/usr/bin/env", "CRS_ENCRYPTION_KEY=wrong-key-0000000000000000", CRSProcess.executable.path,
                                                               "migrate", "check", "--redis", server.url, "--env-file", "/nonexistent"])
            #expect(badStatus == 1, "\(badOutput)")
        }
    }
}
