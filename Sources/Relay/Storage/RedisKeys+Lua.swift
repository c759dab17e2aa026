/// The Redis scripts name their keys through `RedisKeys` too: a key function called with Lua variables in place of
/// its parts (`luaVar("key")`) gives a text that `lua` turns into the Lua expression building that key
/// (`'usage:daily:' .. key .. ':' .. date`). So a script cannot spell a key differently from the Swift side.
extension RedisKeys {
    private static let marker: Character = "\u{1}"

    /// A Lua expression (a local, `ARGV[4]`) standing for one part of a key.
    static func luaVar(_ expression: String) -> String { "\(marker)\(expression)\(marker)" }

    /// The Lua expression for `key`, built with `luaVar` parts.
    static func lua(_ key: String) -> String {
        var parts: [String] = []
        for (index, piece) in key.split(separator: marker, omittingEmptySubsequences: false).enumerated() where !piece.isEmpty {
            if index % 2 == 1 {
                parts.append(String(piece))
            } else {
                parts.append("'" + piece.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "'", with: "\\'") + "'")
            }
        }
        return parts.isEmpty ? "''" : parts.joined(separator: " .. ")
    }
}
