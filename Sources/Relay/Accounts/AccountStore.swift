import Foundation
import Logging
import NIOConcurrencyHelpers

/// Upstream accounts in Redis (Node layout, secrets AES-encrypted with the kind's salt), with an in-process
/// directory so scheduling needs no Redis round trip. Every write here updates the directory and publishes an
/// invalidation on `crs:invalidate`, so other relay instances reload that record; the directory is also
/// reloaded when older than `maxAge` (a safety net for writes made by other tools).
public final class AccountStore: Sendable {
    public enum Failure: Error, Equatable {
        case notFound
    }

    let redis: RedisClient
    let cipher: SecretCipher
    let clock: RelayClock
    let logger: Logger
    let maxAge: TimeInterval
    private let directory = NIOLockedValueBox<[AccountKind: (records: [String: AccountRecord], loadedAt: Date)]>([:])

    public init(redis: RedisClient, cipher: SecretCipher, clock: RelayClock, logger: Logger, maxAge: TimeInterval = 30) {
        self.redis = redis
        self.cipher = cipher
        self.clock = clock
        self.logger = logger
        self.maxAge = maxAge
    }

    // MARK: reads

    /// Every account of a kind, from the directory (reloaded from Redis when stale).
    public func all(_ kind: AccountKind) async throws -> [AccountRecord] {
        if let entry = directory.withLockedValue({ $0[kind] }), Date().timeIntervalSince(entry.loadedAt) < maxAge {
            return Array(entry.records.values)
        }
        return try await reload(kind)
    }

    /// One account, from the directory (loaded on first use, so a bound key costs no round trip afterwards).
    public func get(_ kind: AccountKind, _ id: String) async throws -> AccountRecord? {
        let fresh = directory.withLockedValue { $0[kind] }.map { Date().timeIntervalSince($0.loadedAt) < maxAge } ?? false
        if !fresh { try await reload(kind) }
        if let cached = directory.withLockedValue({ $0[kind]?.records[id] }) { return cached }
        return try await fetch(kind, id)
    }

    /// Reads the record from Redis (bypassing the directory) and stores it in the directory.
    @discardableResult
    public func fetch(_ kind: AccountKind, _ id: String) async throws -> AccountRecord? {
        let fields = kind.storage.fields(from: try await redis.send(kind.storage.readCommand(kind.redisKey(id))))
        let record = fields.isEmpty ? nil : AccountRecord(kind: kind, fields: fields)
        directory.withLockedValue { state in
            guard state[kind] != nil else { return }
            if let record { state[kind]!.records[id] = record } else { state[kind]!.records.removeValue(forKey: id) }
        }
        return record
    }

    @discardableResult
    public func reload(_ kind: AccountKind) async throws -> [AccountRecord] {
        let sets = Set([kind.sharedSet, kind.indexSet].compactMap { $0 })
        let keys = try await redis.scan(match: kind.keyPrefix + "*").filter { !$0.dropFirst(kind.keyPrefix.count).contains(":") && !sets.contains($0) }
        let replies = try await redis.pipeline(keys.map { kind.storage.readCommand($0) })
        let records = replies.map(kind.storage.fields(from:)).filter { !$0.isEmpty }.map { AccountRecord(kind: kind, fields: $0) }
        directory.withLockedValue { $0[kind] = (Dictionary(records.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a }), Date()) }
        return records
    }

    /// A decrypted secret field (nil when empty). Node-encrypted and legacy values both decrypt.
    public func secret(_ account: AccountRecord, _ field: String) throws -> String? {
        guard let stored = account.nonEmpty(field) else { return nil }
        return try cipher.decrypt(stored, salt: account.kind.salt)
    }

    // MARK: writes

    /// Creates an account; `fields` holds plaintext secrets, which are encrypted here.
    public func create(_ kind: AccountKind, fields input: [String: String]) async throws -> AccountRecord {
        let now = ISOTime.string(clock.now)
        var fields: [String: String] = [
            "id": UUID().uuidString.lowercased(), "platform": kind.platform, "isActive": "true", "schedulable": "true",
            "status": "active", "errorMessage": "", "accountType": "shared", "priority": "50",
            "createdAt": now, "updatedAt": now, "lastUsedAt": "",
        ]
        fields.merge(try encrypting(input, kind: kind)) { _, new in new }
        let record = AccountRecord(kind: kind, fields: fields)
        var commands = [kind.storage.writeCommand(kind.redisKey(record.id), fields)]
        commands += sharedSetCommands(record)
        if let index = kind.indexSet { commands.append(RedisCommand("SADD", RedisArgument(index), RedisArgument(record.id))) }
        _ = try await redis.transaction(commands)
        await stored(record)
        return record
    }

    /// Applies admin changes (plaintext secrets are encrypted; an absent secret keeps the stored one).
    public func update(_ kind: AccountKind, _ id: String, changes input: [String: String]) async throws -> AccountRecord {
        guard var record = try await fetch(kind, id) else { throw Failure.notFound }
        var changes = try encrypting(input, kind: kind, existing: record)
        changes["updatedAt"] = ISOTime.string(clock.now)
        record.fields.merge(changes) { _, new in new }
        var commands = [kind.storage.writeCommand(kind.redisKey(id), changes)]
        commands += sharedSetCommands(record)
        _ = try await redis.transaction(commands)
        await stored(record)
        return record
    }

    public func delete(_ kind: AccountKind, _ id: String) async throws {
        guard try await fetch(kind, id) != nil else { throw Failure.notFound }
        var commands = [RedisCommand("DEL", RedisArgument(kind.redisKey(id)))]
        for set in [kind.sharedSet, kind.indexSet].compactMap({ $0 }) { commands.append(RedisCommand("SREM", RedisArgument(set), RedisArgument(id))) }
        // A deleted account leaves every group it was in (as Node's delete does).
        let groups = try await redis.send("SMEMBERS", RedisArgument(RedisKeys.accountGroups)).array?.compactMap(\.string) ?? []
        commands += groups.map { RedisCommand("SREM", RedisArgument(RedisKeys.accountGroupMembers($0)), RedisArgument(id)) }
        _ = try await redis.transaction(commands)
        directory.withLockedValue { _ = $0[kind]?.records.removeValue(forKey: id) }
        await publish(kind, id)
    }

    /// Writes health or bookkeeping fields (no secrets) and tells the other instances.
    public func mark(_ account: AccountRecord, _ changes: [String: String]) async {
        guard !changes.isEmpty else { return }
        var record = account
        record.fields.merge(changes) { _, new in new }
        do {
            try await redis.send(account.kind.storage.writeCommand(account.kind.redisKey(account.id), changes))
            await stored(record)
        } catch {
            logger.warning("could not record account state", metadata: ["account": "\(account.id)", "error": "\(error)"])
        }
    }

    /// Updates the directory without a write (the caller already wrote, e.g. in a usage pipeline).
    func remember(_ record: AccountRecord) {
        directory.withLockedValue { state in
            if state[record.kind] != nil { state[record.kind]!.records[record.id] = record }
        }
    }

    // MARK: invalidation

    /// The `crs:invalidate` message that makes every instance reload one account.
    static func invalidation(_ kind: AccountKind, _ id: String) -> String { "account:\(kind.name):\(id)" }

    /// Handles `crs:invalidate` messages of the form `account:<kind>:<id>`; a reconnect drops the whole directory.
    public func handle(_ event: RedisSubscriber.Event) async {
        switch event {
        case .reconnected:
            directory.withLockedValue { $0 = [:] }
        case .message(let message):
            let parts = message.text.split(separator: ":", maxSplits: 2).map(String.init)
            guard parts.count == 3, parts[0] == "account", let kind = AccountKind.all.first(where: { $0.name == parts[1] }) else { return }
            _ = try? await fetch(kind, parts[2])
        }
    }

    private func stored(_ record: AccountRecord) async {
        remember(record)
        await publish(record.kind, record.id)
    }

    private func publish(_ kind: AccountKind, _ id: String) async {
        _ = try? await redis.send("PUBLISH", RedisArgument(RedisKeys.invalidationChannel), RedisArgument(Self.invalidation(kind, id)))
    }

    private func sharedSetCommands(_ record: AccountRecord) -> [RedisCommand] {
        guard let set = record.kind.sharedSet else { return [] }
        let shared = record.accountType == "shared"
        return [RedisCommand(shared ? "SADD" : "SREM", RedisArgument(set), RedisArgument(record.id))]
    }

    private func encrypting(_ input: [String: String], kind: AccountKind, existing: AccountRecord? = nil) throws -> [String: String] {
        var output = input
        for field in kind.secretFields {
            guard let plain = input[field] else { continue }
            output[field] = try cipher.encrypt(plain, salt: kind.salt)
        }
        // A key list arrives as a JSON list of plaintext keys: each becomes an entry with its own encryption, added to
        // the stored ones (`<field>:replace` set: instead of them).
        if let field = kind.keyListField, let text = input[field] {
            let keys = JSON.stringArray(text)
            let replace = input[field + ":replace"] == "true"
            let kept = replace ? [] : AccountKeyList.parse(existing?.fields[field])
            let entries = try AccountKeyList.entries(adding: keys, to: kept, now: clock.now) { try cipher.encrypt($0, salt: kind.salt) }
            output[field] = entries.isEmpty ? "" : JSON.string(entries)
            output.removeValue(forKey: field + ":replace")
        }
        return output
    }

    /// One usable key of a key-list account (not marked `error`), decrypted: the session's own (`AccountKeyList.pick`),
    /// or any without a session.
    public func listedKey(_ account: AccountRecord, session: String? = nil) -> String? {
        guard let field = account.kind.keyListField else { return nil }
        return AccountKeyList.pick(AccountKeyList.usable(account.fields[field]) { try cipher.decrypt($0, salt: account.kind.salt) }, session: session)?.key
    }

    /// Sets the listed key `key` aside (the upstream refused it) and returns the record as it now is, or nil when the
    /// key is not in the list.
    func setListedKeyAside(_ account: AccountRecord, key: String, reason: String) async -> AccountRecord? {
        guard let field = account.kind.keyListField,
              let entries = AccountKeyList.settingAside(account.fields[field], key: key, reason: reason, decrypt: { try cipher.decrypt($0, salt: account.kind.salt) })
        else { return nil }
        let text = JSON.string(entries)
        await mark(account, [field: text])
        var record = account
        record.fields[field] = text
        return record
    }
}
