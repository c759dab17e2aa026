import Crypto
import Foundation

/// Accounts that hold several API keys in one field (Node's Droid accounts): a JSON list of entries `{id, hash,
/// encryptedKey, createdAt, lastUsedAt, usageCount, status, errorMessage}`, each key encrypted on its own, so Node and
/// this relay read each other's records. Requests use one of the entries not marked `error`, picked at random.
enum AccountKeyList {
    struct Entry {
        let id: String
        let key: String
        let status: String
    }

    /// New entries for plaintext `keys` (trimmed, empty and repeated ones left out), appended to `existing` entries
    /// unless they hold the same key (by its SHA-256).
    static func entries(adding keys: [String], to existing: [[String: Any]], now: Date, encrypt: (String) throws -> String) rethrows -> [[String: Any]] {
        var entries = existing
        var hashes = Set(existing.compactMap { $0["hash"] as? String })
        for raw in keys {
            let key = raw.trimmingCharacters(in: .whitespacesAndNewlines)
            guard !key.isEmpty else { continue }
            let hash = Hex.encode(SHA256.hash(data: Array(key.utf8)))
            guard hashes.insert(hash).inserted else { continue }
            entries.append(["id": UUID().lowercasedString, "hash": hash, "encryptedKey": try encrypt(key), "createdAt": ISOTime.string(now),
                            "lastUsedAt": "", "usageCount": "0", "status": "active", "errorMessage": ""])
        }
        return entries
    }

    static func parse(_ text: String?) -> [[String: Any]] {
        guard let text, let data = text.data(using: .utf8), let list = try? JSONSerialization.jsonObject(with: data) as? [Any] else { return [] }
        return list.compactMap { $0 as? [String: Any] }
    }

    /// The entries as the admin API shows them: no key, no hash.
    static func masked(_ text: String?) -> [[String: Any]] {
        parse(text).map { entry in
            ["id": entry["id"] ?? "", "createdAt": entry["createdAt"] ?? "", "lastUsedAt": entry["lastUsedAt"] ?? "",
             "usageCount": entry["usageCount"] ?? "0", "status": entry["status"] ?? "active", "errorMessage": entry["errorMessage"] ?? ""]
        }
    }

    /// The usable keys, decrypted (entries that do not decrypt are left out).
    static func usable(_ text: String?, decrypt: (String) throws -> String) -> [Entry] {
        parse(text).compactMap { entry in
            guard (entry["status"] as? String ?? "active") != "error", let sealed = entry["encryptedKey"] as? String,
                  let key = try? decrypt(sealed), !key.isEmpty else { return nil }
            return Entry(id: entry["id"] as? String ?? "", key: key, status: entry["status"] as? String ?? "active")
        }
    }

    /// The entries with the one whose key is `key` set aside as Node marks it (`status: error`, `errorMessage`).
    static func settingAside(_ text: String?, key: String, reason: String, decrypt: (String) throws -> String) -> [[String: Any]]? {
        var found = false
        let entries = parse(text).map { entry -> [String: Any] in
            guard !found, let sealed = entry["encryptedKey"] as? String, (try? decrypt(sealed)) == key else { return entry }
            found = true
            return entry.merging(["status": "error", "errorMessage": reason]) { _, new in new }
        }
        return found ? entries : nil
    }

    /// The key a conversation uses: the same one for the same session while it stays usable (rendezvous hashing, so
    /// only the sessions of a key that is set aside move, and every instance picks alike); without a session, any.
    static func pick(_ usable: [Entry], session: String?) -> Entry? {
        guard let session else { return usable.randomElement() }
        return usable.max { weight(session, $0.id) < weight(session, $1.id) }
    }

    private static func weight(_ session: String, _ id: String) -> UInt64 {
        SHA256.hash(data: Data((session + "|" + id).utf8)).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
    }
}
