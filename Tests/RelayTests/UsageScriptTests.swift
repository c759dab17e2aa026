import Foundation
@testable import Relay
import Testing

/// The usage write moved into a server-side script (`UsageScript`) that derives the ~120 counter updates from
/// ~35 arguments. Its reference is the command-by-command write it replaced (kept below, run through a generic
/// script): both are applied to their own Redis for the same requests, and every key, value and TTL must match —
/// except each billing event's random id and stream entry id.
@Suite("Usage write script")
struct UsageScriptTests {
    @Test func theScriptWritesExactlyWhatTheCommandByCommandWriteDid() async throws {
        let prices = PriceBook()
        let at = Date(timeIntervalSince1970: 1_764_000_000)  // 2025-11-24, a Monday (ISO week edges in TimeBuckets)
        var official = UsageRecorder.Entry(keyID: "key-1", accountID: "acc-official", accountKind: .claudeOfficial,
                                           model: "claude-sonnet-4-5-20250929", usage: TokenUsage(input: 1200, output: 345, cacheCreate5m: 100, cacheCreate1h: 50, cacheRead: 900), at: at)
        official.rateWindowMinutes = 60
        official.trailing = [RedisCommand("ZREM", "concurrency:key-1", "lease-1"), RedisCommand("ZREM", "concurrency:account:acc-official", "lease-1")]
        let longContext = UsageRecorder.Entry(keyID: "key-1", accountID: "acc-official", accountKind: .claudeOfficial,
                                              model: "claude-sonnet-4-20250514", usage: TokenUsage(input: 250_000, output: 10), at: at.addingTimeInterval(3600))
        let opus = UsageRecorder.Entry(keyID: "key-2", accountID: "acc-console", accountKind: .claudeConsole,
                                       model: "claude-opus-4-1-20250805", usage: TokenUsage(input: 10, output: 0), at: at.addingTimeInterval(86_400 * 7))
        let bedrockUnpriced = UsageRecorder.Entry(keyID: "key-3", accountID: "acc-bedrock", accountKind: .bedrock,
                                                  model: "mystery-model-x", usage: TokenUsage(input: 7, output: 3), at: at)
        let entries = [official, longContext, opus, bedrockUnpriced]
        #expect(CostCalculator.cost(of: longContext.usage, model: longContext.model, table: prices.table)?.isLongContext == true)
        #expect(CostCalculator.cost(of: bedrockUnpriced.usage, model: bedrockUnpriced.model, table: prices.table) == nil)

        for billing in [true, false] {
            var settings = UsageRecorder.Settings()
            settings.billingEvents = billing
            try await withRedis { _, reference in
                try await withRedis { _, script in
                    for redis in [reference, script] {
                        // A Bedrock account is a JSON string (Node's layout); the others are hashes.
                        _ = try await redis.send("SET", "bedrock_account:acc-bedrock", #"{"id":"acc-bedrock","name":"b"}"#)
                        _ = try await redis.send("HSET", "apikey:key-1", "name", "one")
                    }
                    for entry in entries {
                        let cost = CostCalculator.cost(of: entry.usage, model: entry.model, table: prices.table)
                        let commands = ReferenceUsageWrite.commands(for: entry, cost: cost, settings: settings)
                        #expect(try await ReferenceUsageWrite.apply(commands, on: reference))
                        let write = UsageWrite(id: UUID().uuidString, arguments: UsageScript.arguments(for: entry, cost: cost, settings: settings), queuedAt: .now)
                        #expect(try await write.apply(on: script))
                        #expect(try await !write.apply(on: script), "a replayed write must not count twice")
                    }
                    let expected = try await Self.snapshot(reference)
                    let actual = try await Self.snapshot(script)
                    #expect(expected.count > 60, "the reference wrote \(expected.count) keys")
                    #expect(Set(actual.keys) == Set(expected.keys))
                    for (key, value) in expected {
                        guard let got = actual[key] else { continue }
                        // Expiry instants a minute apart at most: each request is written to both servers one right
                        // after the other (under a sanitizer on a busy machine, seconds apart), and every TTL the
                        // write sets differs from the others by 10 minutes or more.
                        if got.contents != value.contents || abs(got.expiry - value.expiry) > 60 || (got.expiry < 0) != (value.expiry < 0) {
                            Issue.record("\(key): expected \(value), got \(got)")
                        }
                    }
                }
            }
        }
    }

    /// Every key (the script's markers left out) as type and contents, and when it expires (Unix seconds, -1 = never):
    /// an instant, not a TTL, so the time the snapshot itself takes does not count.
    static func snapshot(_ redis: RedisClient) async throws -> [String: (contents: String, expiry: Int)] {
        var result: [String: (contents: String, expiry: Int)] = [:]
        for key in try await redis.scan(match: "*") where !key.hasPrefix("crs:usage:applied:") {
            let type = try await redis.send("TYPE", RedisArgument(key)).string ?? "?"
            let value: String
            switch type {
            case "hash":
                let flat = try await redis.send("HGETALL", RedisArgument(key)).array?.compactMap(\.string) ?? []
                value = stride(from: 0, to: flat.count, by: 2).map { "\(flat[$0])=\(flat[$0 + 1])" }.sorted().joined(separator: ",")
            case "string":
                value = try await redis.send("GET", RedisArgument(key)).string ?? ""
            case "list":
                value = (try await redis.send("LRANGE", RedisArgument(key), 0, -1).array?.compactMap(\.string) ?? []).joined(separator: "|")
            case "set":
                value = (try await redis.send("SMEMBERS", RedisArgument(key)).array?.compactMap(\.string) ?? []).sorted().joined(separator: ",")
            case "stream":
                let entries = try await redis.send("XRANGE", RedisArgument(key), "-", "+").array ?? []
                value = entries.map { entry -> String in
                    let fields = entry.array?.last?.array?.compactMap(\.string) ?? []
                    return stride(from: 0, to: fields.count, by: 2).map { fields[$0] == "eventId" ? "eventId=*" : "\(fields[$0])=\(fields[$0 + 1])" }
                        .joined(separator: ",")
                }.joined(separator: "|")
            default:
                value = "(\(type))"
            }
            let expiry = try await redis.send("EXPIRETIME", RedisArgument(key)).int ?? -1
            result[key] = ("\(type) \(value)", expiry < 0 ? -1 : Int(expiry))
        }
        return result
    }
}

/// The usage write as it was before `UsageScript`: the relay built every command and a generic script ran them
/// (`JSONFIELD key field value` set one field of a JSON-string record).
enum ReferenceUsageWrite {
    static let day = 86400

    static let script = RedisScript("""
        local i = 1
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

    static func apply(_ commands: [RedisCommand], on redis: RedisClient) async throws -> Bool {
        var arguments: [RedisArgument] = []
        for command in commands {
            arguments.append(RedisArgument(command.arguments.count))
            arguments += command.arguments
        }
        return try await redis.evaluate(script, arguments: arguments).int == 1
    }

    static func commands(for entry: UsageRecorder.Entry, cost: CostBreakdown?, settings: UsageRecorder.Settings) -> [RedisCommand] {
        let u = entry.usage
        let buckets = TimeBuckets(entry.at, offsetHours: settings.timezoneOffsetHours)
        let model = PriceTable.normalize(entry.model)
        let key = entry.keyID
        let account = entry.accountID
        var commands: [RedisCommand] = []

        func increment(_ redisKey: String, _ fields: [(String, Int)], ttl: Int? = nil) {
            for (field, amount) in fields where amount != 0 || field == "requests" || field == "totalRequests" {
                commands.append(RedisCommand("HINCRBY", RedisArgument(redisKey), RedisArgument(field), RedisArgument(amount)))
            }
            if let ttl { commands.append(RedisCommand("EXPIRE", RedisArgument(redisKey), RedisArgument(ttl))) }
        }

        let base: [(String, Int)] = [
            ("tokens", u.tokens), ("inputTokens", u.input), ("outputTokens", u.output), ("cacheCreateTokens", u.cacheCreate),
            ("cacheReadTokens", u.cacheRead), ("allTokens", u.allTokens), ("requests", 1),
        ]
        let ephemeral: [(String, Int)] = [("ephemeral5mTokens", u.cacheCreate5m), ("ephemeral1hTokens", u.cacheCreate1h)]
        let modelFields: [(String, Int)] = [
            ("inputTokens", u.input), ("outputTokens", u.output), ("cacheCreateTokens", u.cacheCreate),
            ("cacheReadTokens", u.cacheRead), ("allTokens", u.allTokens), ("requests", 1),
        ]
        let longContext = cost?.isLongContext == true
        let longFields: [(String, Int)] = longContext
            ? [("longContextInputTokens", u.input), ("longContextOutputTokens", u.output), ("longContextRequests", 1)] : []

        // Per key
        increment(RedisKeys.usageTotal(key), [
            ("totalTokens", u.tokens), ("totalInputTokens", u.input), ("totalOutputTokens", u.output),
            ("totalCacheCreateTokens", u.cacheCreate), ("totalCacheReadTokens", u.cacheRead), ("totalAllTokens", u.allTokens),
            ("totalEphemeral5mTokens", u.cacheCreate5m), ("totalEphemeral1hTokens", u.cacheCreate1h), ("totalRequests", 1),
        ] + (longContext ? [("totalLongContextInputTokens", u.input), ("totalLongContextOutputTokens", u.output), ("totalLongContextRequests", 1)] : []))
        increment(RedisKeys.usageDaily(key, buckets.date), base + ephemeral + longFields, ttl: 32 * day)
        increment(RedisKeys.usageMonthly(key, buckets.month), base + ephemeral + longFields, ttl: 365 * day)
        increment(RedisKeys.usageHourly(key, buckets.hour), base, ttl: 7 * day)

        // Per model (global) and per key + model
        increment(RedisKeys.usageModel("daily", model, buckets.date), modelFields, ttl: 32 * day)
        increment(RedisKeys.usageModel("monthly", model, buckets.month), modelFields, ttl: 365 * day)
        increment(RedisKeys.usageModel("hourly", model, buckets.hour), modelFields, ttl: 7 * day)
        increment(RedisKeys.usageKeyModel(key, "daily", model, buckets.date), modelFields + ephemeral, ttl: 32 * day)
        increment(RedisKeys.usageKeyModel(key, "monthly", model, buckets.month), modelFields + ephemeral, ttl: 365 * day)
        increment(RedisKeys.usageKeyModel(key, "hourly", model, buckets.hour), modelFields, ttl: 7 * day)

        // Per account
        increment(RedisKeys.accountUsageTotal(account), [
            ("totalTokens", u.tokens), ("totalInputTokens", u.input), ("totalOutputTokens", u.output),
            ("totalCacheCreateTokens", u.cacheCreate), ("totalCacheReadTokens", u.cacheRead), ("totalAllTokens", u.allTokens),
            ("totalRequests", 1),
        ])
        increment(RedisKeys.accountUsage("daily", account, buckets.date), base, ttl: 32 * day)
        increment(RedisKeys.accountUsage("monthly", account, buckets.month), base, ttl: 365 * day)
        increment(RedisKeys.accountUsage("hourly", account, buckets.hour), base + modelFields.map { ("model:\(model):\($0.0)", $0.1) }, ttl: 7 * day)
        increment(RedisKeys.accountUsageModel("daily", account, model, buckets.date), modelFields, ttl: 32 * day)
        increment(RedisKeys.accountUsageModel("monthly", account, model, buckets.month), modelFields, ttl: 365 * day)
        increment(RedisKeys.accountUsageModel("hourly", account, model, buckets.hour), modelFields, ttl: 7 * day)

        // Cost counters (only when the model is priced: an unknown cost is not $0)
        if let cost {
            let total = RedisArgument(DecimalText.fixed10(cost.total))
            for (redisKey, ttl) in [(RedisKeys.costDaily(key, buckets.date), 30 * day), (RedisKeys.costMonthly(key, buckets.month), 90 * day),
                                    (RedisKeys.costHourly(key, buckets.hour), 7 * day), (RedisKeys.costTotal(key), 0)] {
                commands.append(RedisCommand("INCRBYFLOAT", RedisArgument(redisKey), total))
                if ttl > 0 { commands.append(RedisCommand("EXPIRE", RedisArgument(redisKey), RedisArgument(ttl))) }
            }
            let opusCounted = ["claude", "claude-console", "ccr"].contains(entry.accountKind.usageType) && model.contains("claude-opus")
            if opusCounted {
                commands.append(RedisCommand("INCRBYFLOAT", RedisArgument(RedisKeys.opusWeekly(key, buckets.week)), total))
                commands.append(RedisCommand("EXPIRE", RedisArgument(RedisKeys.opusWeekly(key, buckets.week)), RedisArgument(14 * day)))
                commands.append(RedisCommand("INCRBYFLOAT", RedisArgument(RedisKeys.opusTotal(key)), total))
            }
        }

        // Request log (newest first, 200 kept)
        let record = UsageRecordLine.json(at: ISOTime.string(entry.at), model: entry.model, accountID: account, accountType: entry.accountKind.usageType,
                                          usage: u, longContext: longContext, cost: cost)
        commands.append(RedisCommand("LPUSH", RedisArgument(RedisKeys.usageRecords(key)), RedisArgument(record)))
        commands.append(RedisCommand("LTRIM", RedisArgument(RedisKeys.usageRecords(key)), 0, 199))
        commands.append(RedisCommand("EXPIRE", RedisArgument(RedisKeys.usageRecords(key)), RedisArgument(90 * day)))

        // Realtime metrics (RPM/TPM)
        increment(RedisKeys.systemMetricsMinute(buckets.unixMinute), [
            ("requests", 1), ("totalTokens", u.allTokens), ("inputTokens", u.input), ("outputTokens", u.output),
            ("cacheCreateTokens", u.cacheCreate), ("cacheReadTokens", u.cacheRead),
        ], ttl: 600)

        // Last use of key and account (the scheduler's least-recently-used order)
        let stamp = RedisArgument(ISOTime.string(entry.at))
        commands.append(RedisCommand("HSET", RedisArgument(RedisKeys.apiKey(key)), "lastUsedAt", stamp))
        if entry.accountKind.storage == .json {
            commands.append(RedisCommand("JSONFIELD", RedisArgument(entry.accountKind.redisKey(account)), "lastUsedAt", stamp))
        } else {
            commands.append(RedisCommand("HSET", RedisArgument(entry.accountKind.redisKey(account)), "lastUsedAt", stamp))
        }
        if cost == nil { commands.append(RedisCommand("SADD", RedisArgument(RedisKeys.unpricedModels), RedisArgument(entry.model))) }

        // The key's rate window (docs/reference/data-layout.md): the crossing request passes, the next one is refused. A key
        // whose window ended meanwhile gets a bounded TTL (the next admission starts a fresh window anyway).
        if entry.rateWindowMinutes > 0 {
            let windowMs = RedisArgument(entry.rateWindowMinutes * 60_000)
            commands.append(RedisCommand("INCRBY", RedisArgument(RedisKeys.rateWindowTokens(key)), RedisArgument(u.allTokens)))
            commands.append(RedisCommand("PEXPIRE", RedisArgument(RedisKeys.rateWindowTokens(key)), windowMs, "NX"))
            if let cost {
                commands.append(RedisCommand("INCRBYFLOAT", RedisArgument(RedisKeys.rateWindowCost(key)), RedisArgument(DecimalText.fixed10(cost.total))))
                commands.append(RedisCommand("PEXPIRE", RedisArgument(RedisKeys.rateWindowCost(key)), windowMs, "NX"))
            }
        }

        // Billing event for downstream consumers (Node's billingEventPublisher), capped.
        if settings.billingEvents {
            var event: [(String, String)] = [
                ("eventId", UUID().uuidString.lowercased()), ("timestamp", ISOTime.string(entry.at)), ("keyId", key),
                ("accountId", account), ("accountType", entry.accountKind.usageType), ("model", entry.model),
                ("inputTokens", String(u.input)), ("outputTokens", String(u.output)), ("cacheCreateTokens", String(u.cacheCreate)),
                ("cacheReadTokens", String(u.cacheRead)), ("ephemeral5mTokens", String(u.cacheCreate5m)),
                ("ephemeral1hTokens", String(u.cacheCreate1h)), ("totalTokens", String(u.allTokens)),
            ]
            if let cost {
                event += [("cost", DecimalText.fixed10(cost.total)), ("inputCost", DecimalText.fixed10(cost.input)),
                          ("outputCost", DecimalText.fixed10(cost.output)), ("cacheCreateCost", DecimalText.fixed10(cost.cacheCreate)),
                          ("cacheReadCost", DecimalText.fixed10(cost.cacheRead))]
            } else {
                event.append(("costUnknown", "true"))
            }
            commands.append(RedisCommand("XADD", arguments: [RedisArgument(RedisKeys.billingEvents), "MAXLEN", "~",
                                                              RedisArgument(settings.billingStreamLength), "*"]
                                            + event.flatMap { [RedisArgument($0.0), RedisArgument($0.1)] }))
        }
        return commands + entry.trailing
    }
}
