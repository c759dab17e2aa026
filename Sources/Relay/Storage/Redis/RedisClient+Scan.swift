extension RedisClient {
    /// All keys matching `pattern`, via SCAN (never KEYS, which blocks the server).
    public func scan(match pattern: String, count: Int = 1000) async throws -> [String] {
        var cursor = "0"
        var keys: [String] = []
        repeat {
            let reply = try await send("SCAN", RedisArgument(cursor), "MATCH", RedisArgument(pattern), "COUNT", RedisArgument(count))
            guard case .array(let parts) = reply, parts.count == 2, let next = parts[0].string, let batch = parts[1].array else {
                throw RedisError.unexpectedReply("SCAN returned \(reply)")
            }
            keys.append(contentsOf: batch.compactMap(\.string))
            cursor = next
        } while cursor != "0"
        return Array(Set(keys))
    }
}
