import Foundation

/// What an existing deployment's Redis (the Node original's, or ours) holds, and whether this relay can read all
/// of it with the given encryption key: API keys and their hash map, accounts of every kind with each secret
/// decrypted, usage data, and key families this relay does not use (reported, never touched). Read-only: SCAN,
/// TYPE, HGETALL, GET — nothing is written.
public struct MigrationCheck: Sendable {
    public struct Row: Sendable, Equatable {
        public let what: String
        public let count: Int
        public let problems: [String]
    }

    public struct Report: Sendable {
        public var rows: [Row] = []
        public var unknownPrefixes: [String: Int] = [:]
        public var readable: Bool { rows.allSatisfy(\.problems.isEmpty) }

        public var table: String {
            var lines = ["what | count | problems", "---|---|---"]
            for row in rows {
                lines.append("\(row.what) | \(row.count) | \(row.problems.isEmpty ? "none" : row.problems.prefix(5).joined(separator: "; ") + (row.problems.count > 5 ? " (+\(row.problems.count - 5) more)" : ""))")
            }
            for (prefix, count) in unknownPrefixes.sorted(by: { $0.key < $1.key }) {
                lines.append("\(prefix)* (not used by this relay) | \(count) | left as is")
            }
            lines.append("")
            lines.append(readable ? "This relay can read everything it uses." : "Some data cannot be read: see the problems above.")
            return lines.joined(separator: "\n")
        }
    }

    /// Key families this relay reads or writes, by prefix (the rest is reported as unknown).
    static let knownPrefixes = RedisKeys.families

    let redis: RedisClient
    let cipher: SecretCipher

    public init(redis: RedisClient, encryptionKey: String) {
        self.redis = redis
        self.cipher = SecretCipher(encryptionKey: encryptionKey)
    }

    public func run() async throws -> Report {
        var report = Report()
        report.rows.append(try await apiKeys())
        for kind in AccountKind.all { report.rows.append(try await accounts(kind)) }
        let usage = try await redis.scan(match: RedisKeys.usagePrefix + "*")
        report.rows.append(Row(what: "usage keys (\(RedisKeys.usagePrefix)*)", count: usage.count, problems: []))
        for key in try await redis.scan(match: "*") where !Self.knownPrefixes.contains(where: { key.hasPrefix($0) }) {
            let prefix = key.split(separator: ":").first.map { String($0) + ":" } ?? key
            report.unknownPrefixes[prefix, default: 0] += 1
        }
        return report
    }

    private func apiKeys() async throws -> Row {
        let keys = try await redis.scan(match: RedisKeys.apiKeyPrefix + "*").filter { $0 != RedisKeys.apiKeyHashMap }
        let map = try await redis.send("HGETALL", RedisArgument(RedisKeys.apiKeyHashMap)).stringDictionary
        var problems: [String] = []
        let records = try await redis.pipeline(keys.map { RedisCommand("HGETALL", RedisArgument($0)) }).map(\.stringDictionary)
        var ids = Set<String>()
        for (key, fields) in zip(keys, records) {
            let id = String(key.dropFirst(RedisKeys.apiKeyPrefix.count))
            ids.insert(id)
            guard let hash = fields["apiKey"], !hash.isEmpty else { problems.append("\(key) has no key hash"); continue }
            if map[hash] != id { problems.append("\(key) is missing from \(RedisKeys.apiKeyHashMap) (it cannot authenticate)") }
        }
        for (_, id) in map where !ids.contains(id) { problems.append("\(RedisKeys.apiKeyHashMap) points to the missing key \(id)") }
        return Row(what: "API keys (\(RedisKeys.apiKeyPrefix)*)", count: keys.count, problems: problems)
    }

    private func accounts(_ kind: AccountKind) async throws -> Row {
        let sets = Set([kind.sharedSet, kind.indexSet].compactMap { $0 })
        let keys = try await redis.scan(match: kind.keyPrefix + "*").filter { !$0.dropFirst(kind.keyPrefix.count).contains(":") && !sets.contains($0) }
        let replies = try await redis.pipeline(keys.map { kind.storage.readCommand($0) })
        var problems: [String] = []
        for (key, reply) in zip(keys, replies) {
            if case .error(let message) = reply { problems.append("\(key): \(message)"); continue }
            let fields = kind.storage.fields(from: reply)
            if fields.isEmpty { problems.append("\(key) is not in the expected \(kind.storage == .json ? "JSON" : "hash") layout"); continue }
            for field in kind.secretFields.sorted() {
                guard let value = fields[field], !value.isEmpty else { continue }
                do {
                    _ = try cipher.decrypt(value, salt: kind.salt)
                } catch {
                    problems.append("\(key) \(field) does not decrypt with this CRS_ENCRYPTION_KEY")
                }
            }
            // A key list (Droid): every entry's key must decrypt.
            if let field = kind.keyListField {
                for entry in AccountKeyList.parse(fields[field]) {
                    guard let sealed = entry["encryptedKey"] as? String, (try? cipher.decrypt(sealed, salt: kind.salt)) != nil else {
                        problems.append("\(key) \(field) entry \(entry["id"] as? String ?? "?") does not decrypt with this CRS_ENCRYPTION_KEY")
                        continue
                    }
                }
            }
        }
        return Row(what: "\(kind.name) accounts (\(kind.keyPrefix)*)", count: keys.count, problems: problems)
    }
}
