import Foundation

/// How an account kind's record sits in Redis. Most kinds are hashes (`HGETALL`/`HSET`); Node keeps Bedrock
/// accounts as one JSON string, which is read into the same flat `[String: String]` fields (nested values as
/// JSON text) and written back by a Lua merge, so a field update is atomic as `HSET` is.
public enum AccountStorage: Sendable, Hashable {
    case hash
    case json

    func readCommand(_ key: String) -> RedisCommand {
        self == .hash ? RedisCommand("HGETALL", RedisArgument(key)) : RedisCommand("GET", RedisArgument(key))
    }

    func fields(from reply: RedisReply) -> [String: String] {
        switch self {
        case .hash: return reply.stringDictionary
        case .json: return reply.string.map(AccountJSON.fields(from:)) ?? [:]
        }
    }

    func writeCommand(_ key: String, _ changes: [String: String]) -> RedisCommand {
        switch self {
        case .hash: return RedisCommand("HSET", arguments: [RedisArgument(key)] + APIKeyStore.flatten(changes))
        case .json: return RedisCommand("EVAL", RedisArgument(AccountJSON.mergeScript), RedisArgument(1), RedisArgument(key),
                                        RedisArgument(JSON.string(AccountJSON.values(changes))))
        }
    }
}

/// Node's JSON account layout ↔ flat fields.
enum AccountJSON {
    static let booleanFields: Set<String> = ["isActive", "schedulable", "rateLimitAutoStopped"]
    static let numberFields: Set<String> = ["priority", "maxConcurrentTasks"]
    /// Secrets Node stores as `{encrypted: <hex>, iv: <hex>}` rather than `iv:ciphertext`.
    static let envelopeFields: Set<String> = ["awsCredentials"]

    /// Sets the given top-level fields (JSON-typed) on the stored object, creating it when absent.
    static let mergeScript = """
        local raw = redis.call('GET', KEYS[1])
        local object = {}
        if raw then object = cjson.decode(raw) end
        for name, value in pairs(cjson.decode(ARGV[1])) do object[name] = value end
        redis.call('SET', KEYS[1], cjson.encode(object))
        return 1
        """

    static func fields(from text: String) -> [String: String] {
        guard let object = JSON.object(Data(text.utf8)) else { return [:] }
        var fields: [String: String] = [:]
        for (name, value) in object {
            if envelopeFields.contains(name), let envelope = value as? [String: Any],
               let ciphertext = envelope["encrypted"] as? String, let iv = envelope["iv"] as? String {
                fields[name] = "\(iv):\(ciphertext)"
                continue
            }
            switch value {
            case let text as String: fields[name] = text
            case let number as NSNumber: fields[name] = JSON.isBoolean(number) ? (number.boolValue ? "true" : "false") : number.stringValue
            case is NSNull: fields[name] = ""
            default: fields[name] = JSON.string(value)
            }
        }
        return fields
    }

    static func values(_ changes: [String: String]) -> [String: Any] {
        var values: [String: Any] = [:]
        for (name, text) in changes {
            if envelopeFields.contains(name) {
                let parts = text.split(separator: ":", maxSplits: 1).map(String.init)
                values[name] = parts.count == 2 ? ["encrypted": parts[1], "iv": parts[0]] : NSNull()
            } else if booleanFields.contains(name), let flag = JSON.bool(text) {
                values[name] = flag
            } else if numberFields.contains(name), let number = Int(text) {
                values[name] = number
            } else {
                values[name] = text
            }
        }
        return values
    }
}
