import Foundation
@testable import Relay
import Testing

/// `RedisKeys` is the only place key names are spelled: no string literal (Swift `"…"`, Lua `'…'` inside the
/// scripts) outside `Sources/Relay/Storage/` starts with a key family the relay uses. A new key goes into
/// `RedisKeys` (and its family into `RedisKeys.families`), where the Node layout it must match is documented.
@Suite("Redis key names")
struct RedisKeyLiteralTests {
    static let sources = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Sources/Relay")

    @Test func noKeyLiteralsOutsideStorage() throws {
        let families = RedisKeys.families
        let literal = try NSRegularExpression(pattern: #""((?:[^"\\\n]|\\.)*)"|'([^'\n]*)'"#)
        var found: [String] = []
        let files = FileManager.default.enumerator(atPath: Self.sources.path)?.compactMap { $0 as? String } ?? []
        for file in files where file.hasSuffix(".swift") && !file.hasPrefix("Storage/") {
            let text = try String(contentsOf: Self.sources.appendingPathComponent(file), encoding: .utf8)
            for (number, part) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
                let line = String(part)
                let trimmed = line.trimmingCharacters(in: .whitespaces)
                if trimmed.hasPrefix("//") || trimmed.hasPrefix("--") { continue }  // comments may name keys
                let range = NSRange(line.startIndex..., in: line)
                for match in literal.matches(in: line, range: range) {
                    let group = match.range(at: 1).location != NSNotFound ? match.range(at: 1) : match.range(at: 2)
                    guard let inner = Range(group, in: line) else { continue }
                    let value = String(line[inner])
                    if families.contains(where: { value.hasPrefix($0) && value.count > $0.count - 1 }), value.contains(":") || value.hasPrefix("shared_") {
                        found.append("\(file):\(number + 1): \(value)")
                    }
                }
            }
        }
        #expect(found.isEmpty, Comment(rawValue: "Redis key literals outside Storage/:\n" + found.joined(separator: "\n")))
    }

    @Test func scriptsBuildKeysFromTheSameFunctions() {
        let v = RedisKeys.luaVar
        #expect(RedisKeys.lua(RedisKeys.usageDaily(v("key"), v("date"))) == "'usage:daily:' .. key .. ':' .. date")
        #expect(RedisKeys.lua(RedisKeys.usageKeyModel(v("key"), "hourly", v("model"), v("hour"))) == "'usage:' .. key .. ':model:hourly:' .. model .. ':' .. hour")
        #expect(RedisKeys.lua(RedisKeys.costDaily(v("id"), v("ARGV[4]"))) == "'usage:cost:daily:' .. id .. ':' .. ARGV[4]")
        #expect(RedisKeys.lua(RedisKeys.apiKeyHashMap) == "'apikey:hash_map'")
        #expect(RedisKeys.lua(RedisKeys.usageTotal(v("key"))) == "'usage:' .. key")
        #expect(RedisKeys.lua("it's") == #"'it\'s'"#)
        // The scripts carry the expressions, not literals of their own.
        #expect(UsageScript.script.source.contains("redis.call('LPUSH', 'usage:records:' .. key, record)"))
        #expect(AdmissionScript.source.contains("redis.call('HGET', 'apikey:hash_map', ARGV[1])"))
    }
}
