import Foundation

/// One request's usage write, applied atomically and at most once: a Lua script sets the request's marker
/// (`crs:usage:applied:{id}`, kept for `markerSeconds`) and runs the commands only if the marker was new. So a
/// write whose reply was lost (Redis died mid-reply) can be replayed without counting twice.
/// `JSONFIELD key field value` is the script's own command: it sets one field of a JSON-string record (Node's
/// Bedrock accounts), if the record exists.
struct UsageWrite: Sendable {
    let id: String
    let commands: [RedisCommand]
    let queuedAt: ContinuousClock.Instant

    static let markerSeconds = 3600

    static let script = RedisScript("""
        if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
        local i = 2
        while i <= #ARGV do
          local n = tonumber(ARGV[i])
          local command = {}
          for j = 1, n do command[j] = ARGV[i + j] end
          if command[1] == 'JSONFIELD' then
            local raw = redis.call('GET', command[2])
            if raw then
              local object = cjson.decode(raw)
              object[command[3]] = command[4]
              redis.call('SET', command[2], cjson.encode(object))
            end
          else
            redis.call(unpack(command))
          end
          i = i + n + 1
        end
        return 1
        """)

    /// Applies the write; true when this call applied it, false when an earlier attempt already had.
    func apply(on redis: RedisClient) async throws -> Bool {
        var arguments: [RedisArgument] = [RedisArgument(Self.markerSeconds)]
        arguments.reserveCapacity(commands.count * 6)
        for command in commands {
            arguments.append(RedisArgument(command.arguments.count))
            arguments += command.arguments
        }
        let reply = try await redis.evaluate(Self.script, keys: [RedisArgument(RedisKeys.usageApplied(id))], arguments: arguments)
        return reply.int == 1
    }
}
