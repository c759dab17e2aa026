import Foundation

/// The usage write as one server-side script: the relay sends the request's facts (ids, time buckets, token
/// counts, cost, the request-log line — about 35 short arguments) and Redis derives the ~120 counter updates of the
/// Node layout (docs/reference/data-layout.md) itself. Before, the relay built every command and sent them all as script
/// arguments (~600 arguments, ~15 KB per request): the relay's largest own cost per request after the network.
///
/// Applied at most once: the request's marker (`KEYS[1]`, kept `ARGV[1]` seconds) is set first and the rest runs
/// only if it was new, so a replay after a lost reply does not count twice. Trailing commands (the request's
/// lease releases) ride along after the fixed arguments as `n, command, args…` groups.
/// `UsageScriptTests` applies this script and the command-by-command reference write to two Redis servers and
/// compares every key, value and TTL.
enum UsageScript {
    /// The fixed arguments in order (1-based positions, as Lua sees them). The script declares a local of the same
    /// name for each, and `arguments(for:)` fills them through an exhaustive switch, so the two cannot drift apart.
    enum Argument: Int, CaseIterable {
        case markerSeconds = 1, key, account, model, rawModel
        case date, month, hour, week, minute
        case tokens, input, output, cacheCreate, cacheRead, allTokens, ephemeral5m, ephemeral1h
        case longContext, costTotal, costInput, costOutput, costCacheCreate, costCacheRead, opusCounted
        case record, timestamp, accountRedisKey, accountIsJSON, rateWindowMs, billingLength, eventID, accountType
        case quotaLimit, quotaWindowEnd, quotaInvalidation
    }

    static let fixedCount = Argument.allCases.count

    /// Key names come from `RedisKeys`: `k(RedisKeys.usageDaily(v("key"), v("date")))` is `'usage:daily:' .. key .. ':' .. date`.
    private static func k(_ key: String) -> String { RedisKeys.lua(key) }
    private static func v(_ expression: String) -> String { RedisKeys.luaVar(expression) }

    /// `local <name> = ARGV[<position>]` for every fixed argument: the script reads them by the enum's names.
    private static let locals = Argument.allCases.map { "local \($0) = ARGV[\($0.rawValue)]" }.joined(separator: "\n")

    static let script = RedisScript("""
        \(locals)
        if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', markerSeconds) then return 0 end
        local e5, e1 = ephemeral5m, ephemeral1h
        local long, cost = longContext == '1', costTotal
        local DAY = 86400

        local function join(...)
          local out = {}
          for _, list in ipairs({...}) do for _, v in ipairs(list) do out[#out + 1] = v end end
          return out
        end
        local function incr(rkey, fields, ttl)
          for i = 1, #fields, 2 do
            local field, amount = fields[i], fields[i + 1]
            if amount ~= '0' or field == 'requests' or field == 'totalRequests' then
              redis.call('HINCRBY', rkey, field, amount)
            end
          end
          if ttl then redis.call('EXPIRE', rkey, ttl) end
        end

        local base = {'tokens', tokens, 'inputTokens', input, 'outputTokens', output, 'cacheCreateTokens', cacheCreate,
          'cacheReadTokens', cacheRead, 'allTokens', allTokens, 'requests', '1'}
        local ephemeral = {'ephemeral5mTokens', e5, 'ephemeral1hTokens', e1}
        local perModel = {'inputTokens', input, 'outputTokens', output, 'cacheCreateTokens', cacheCreate,
          'cacheReadTokens', cacheRead, 'allTokens', allTokens, 'requests', '1'}
        local longFields = {}
        if long then longFields = {'longContextInputTokens', input, 'longContextOutputTokens', output, 'longContextRequests', '1'} end

        -- Per key
        local total = {'totalTokens', tokens, 'totalInputTokens', input, 'totalOutputTokens', output,
          'totalCacheCreateTokens', cacheCreate, 'totalCacheReadTokens', cacheRead, 'totalAllTokens', allTokens,
          'totalEphemeral5mTokens', e5, 'totalEphemeral1hTokens', e1, 'totalRequests', '1'}
        if long then
          total = join(total, {'totalLongContextInputTokens', input, 'totalLongContextOutputTokens', output, 'totalLongContextRequests', '1'})
        end
        incr(\(k(RedisKeys.usageTotal(v("key")))), total)
        incr(\(k(RedisKeys.usageDaily(v("key"), v("date")))), join(base, ephemeral, longFields), 32 * DAY)
        incr(\(k(RedisKeys.usageMonthly(v("key"), v("month")))), join(base, ephemeral, longFields), 365 * DAY)
        incr(\(k(RedisKeys.usageHourly(v("key"), v("hour")))), base, 7 * DAY)

        -- Per model (global) and per key + model
        incr(\(k(RedisKeys.usageModel("daily", v("model"), v("date")))), perModel, 32 * DAY)
        incr(\(k(RedisKeys.usageModel("monthly", v("model"), v("month")))), perModel, 365 * DAY)
        incr(\(k(RedisKeys.usageModel("hourly", v("model"), v("hour")))), perModel, 7 * DAY)
        incr(\(k(RedisKeys.usageKeyModel(v("key"), "daily", v("model"), v("date")))), join(perModel, ephemeral), 32 * DAY)
        incr(\(k(RedisKeys.usageKeyModel(v("key"), "monthly", v("model"), v("month")))), join(perModel, ephemeral), 365 * DAY)
        incr(\(k(RedisKeys.usageKeyModel(v("key"), "hourly", v("model"), v("hour")))), perModel, 7 * DAY)

        -- Per account
        incr(\(k(RedisKeys.accountUsageTotal(v("account")))), {'totalTokens', tokens, 'totalInputTokens', input, 'totalOutputTokens', output,
          'totalCacheCreateTokens', cacheCreate, 'totalCacheReadTokens', cacheRead, 'totalAllTokens', allTokens, 'totalRequests', '1'})
        incr(\(k(RedisKeys.accountUsage("daily", v("account"), v("date")))), base, 32 * DAY)
        incr(\(k(RedisKeys.accountUsage("monthly", v("account"), v("month")))), base, 365 * DAY)
        local hourlyModel = {}
        for i = 1, #perModel, 2 do
          hourlyModel[#hourlyModel + 1] = 'model:' .. model .. ':' .. perModel[i]
          hourlyModel[#hourlyModel + 1] = perModel[i + 1]
        end
        incr(\(k(RedisKeys.accountUsage("hourly", v("account"), v("hour")))), join(base, hourlyModel), 7 * DAY)
        incr(\(k(RedisKeys.accountUsageModel("daily", v("account"), v("model"), v("date")))), perModel, 32 * DAY)
        incr(\(k(RedisKeys.accountUsageModel("monthly", v("account"), v("model"), v("month")))), perModel, 365 * DAY)
        incr(\(k(RedisKeys.accountUsageModel("hourly", v("account"), v("model"), v("hour")))), perModel, 7 * DAY)

        -- Cost counters (only when the model is priced: an unknown cost is not $0)
        if cost ~= '' then
          local counters = {{\(k(RedisKeys.costDaily(v("key"), v("date")))), 30 * DAY}, {\(k(RedisKeys.costMonthly(v("key"), v("month")))), 90 * DAY},
            {\(k(RedisKeys.costHourly(v("key"), v("hour")))), 7 * DAY}, {\(k(RedisKeys.costTotal(v("key")))), 0}}
          for _, counter in ipairs(counters) do
            redis.call('INCRBYFLOAT', counter[1], cost)
            if counter[2] > 0 then redis.call('EXPIRE', counter[1], counter[2]) end
          end
          if opusCounted == '1' then
            redis.call('INCRBYFLOAT', \(k(RedisKeys.opusWeekly(v("key"), v("week")))), cost)
            redis.call('EXPIRE', \(k(RedisKeys.opusWeekly(v("key"), v("week")))), 14 * DAY)
            redis.call('INCRBYFLOAT', \(k(RedisKeys.opusTotal(v("key")))), cost)
          end
        end

        -- Request log (newest first, 200 kept)
        redis.call('LPUSH', \(k(RedisKeys.usageRecords(v("key")))), record)
        redis.call('LTRIM', \(k(RedisKeys.usageRecords(v("key")))), 0, 199)
        redis.call('EXPIRE', \(k(RedisKeys.usageRecords(v("key")))), 90 * DAY)

        -- Realtime metrics (RPM/TPM)
        incr(\(k(RedisKeys.systemMetricsMinute(v("minute")))), {'requests', '1', 'totalTokens', allTokens, 'inputTokens', input,
          'outputTokens', output, 'cacheCreateTokens', cacheCreate, 'cacheReadTokens', cacheRead}, 600)

        -- Last use of key and account (the scheduler's least-recently-used order)
        local stamp = timestamp
        redis.call('HSET', \(k(RedisKeys.apiKey(v("key")))), 'lastUsedAt', stamp)
        if accountIsJSON == '1' then
          local raw = redis.call('GET', accountRedisKey)
          if raw then
            local object = cjson.decode(raw)
            object['lastUsedAt'] = stamp
            redis.call('SET', accountRedisKey, cjson.encode(object))
          end
        else
          redis.call('HSET', accountRedisKey, 'lastUsedAt', stamp)
        end
        if cost == '' then redis.call('SADD', \(k(RedisKeys.unpricedModels)), rawModel) end

        -- The account's daily quota (AccountQuota): the spend in the current window, and the stop at the limit
        if quotaLimit ~= '' and accountIsJSON ~= '1' and cost ~= '' then
          if redis.call('HGET', accountRedisKey, 'quotaWindowEndAt') ~= quotaWindowEnd then
            redis.call('HSET', accountRedisKey, 'dailyUsage', '0', 'quotaWindowEndAt', quotaWindowEnd)
          end
          local spent = tonumber(redis.call('HINCRBYFLOAT', accountRedisKey, 'dailyUsage', cost))
          local limit = tonumber(quotaLimit)
          if spent >= limit and redis.call('HGET', accountRedisKey, 'quotaResetAt') ~= quotaWindowEnd then
            redis.call('HSET', accountRedisKey, 'quotaStoppedAt', stamp, 'quotaResetAt', quotaWindowEnd,
              'errorMessage', string.format('Daily quota exceeded: $%.2f / $%.2f', spent, limit))
            -- every instance's account directory reloads the record, so the account leaves the pool at once
            redis.call('PUBLISH', \(k(RedisKeys.invalidationChannel)), quotaInvalidation)
          end
        end

        -- The key's rate window: the crossing request passes, the next one is refused
        if rateWindowMs ~= '0' then
          redis.call('INCRBY', \(k(RedisKeys.rateWindowTokens(v("key")))), allTokens)
          redis.call('PEXPIRE', \(k(RedisKeys.rateWindowTokens(v("key")))), rateWindowMs, 'NX')
          if cost ~= '' then
            redis.call('INCRBYFLOAT', \(k(RedisKeys.rateWindowCost(v("key")))), cost)
            redis.call('PEXPIRE', \(k(RedisKeys.rateWindowCost(v("key")))), rateWindowMs, 'NX')
          end
        end

        -- Billing event for downstream consumers, capped
        if billingLength ~= '0' then
          local event = {'eventId', eventID, 'timestamp', stamp, 'keyId', key, 'accountId', account, 'accountType', accountType,
            'model', rawModel, 'inputTokens', input, 'outputTokens', output, 'cacheCreateTokens', cacheCreate,
            'cacheReadTokens', cacheRead, 'ephemeral5mTokens', e5, 'ephemeral1hTokens', e1, 'totalTokens', allTokens}
          if cost ~= '' then
            event = join(event, {'cost', cost, 'inputCost', costInput, 'outputCost', costOutput, 'cacheCreateCost', costCacheCreate,
              'cacheReadCost', costCacheRead})
          else
            event = join(event, {'costUnknown', 'true'})
          end
          redis.call('XADD', \(k(RedisKeys.billingEvents)), 'MAXLEN', '~', billingLength, '*', unpack(event))
        end

        -- Commands that ride along (lease releases)
        local i = \(fixedCount + 1)
        while i <= #ARGV do
          local n = tonumber(ARGV[i])
          local command = {}
          for j = 1, n do command[j] = ARGV[i + j] end
          redis.call(unpack(command))
          i = i + n + 1
        end
        return 1
        """)

    /// The script's arguments for one request (after the marker's TTL, which `UsageWrite` puts first).
    static func arguments(for entry: UsageRecorder.Entry, cost: CostBreakdown?, settings: UsageRecorder.Settings) -> [RedisArgument] {
        let u = entry.usage
        let buckets = TimeBuckets(entry.at, offsetHours: settings.timezoneOffsetHours)
        let model = PriceTable.normalize(entry.model)
        let stamp = ISOTime.string(entry.at)
        let longContext = cost?.isLongContext == true
        let opusCounted = ["claude", "claude-console", "ccr"].contains(entry.accountKind.usageType) && TextScan.contains(model, "claude-opus")
        let record = UsageRecordLine.json(at: stamp, model: entry.model, accountID: entry.accountID, accountType: entry.accountKind.usageType,
                                          usage: u, longContext: longContext, cost: cost)
        let money: (Double?) -> RedisArgument = { $0.map { RedisArgument(DecimalText.fixed10($0)) } ?? "" }
        func value(_ argument: Argument) -> RedisArgument {
            switch argument {
            case .markerSeconds: return RedisArgument(UsageWrite.markerSeconds)
            case .key: return RedisArgument(entry.keyID)
            case .account: return RedisArgument(entry.accountID)
            case .model: return RedisArgument(model)
            case .rawModel: return RedisArgument(entry.model)
            case .date: return RedisArgument(buckets.date)
            case .month: return RedisArgument(buckets.month)
            case .hour: return RedisArgument(buckets.hour)
            case .week: return RedisArgument(buckets.week)
            case .minute: return RedisArgument(buckets.unixMinute)
            case .tokens: return RedisArgument(u.tokens)
            case .input: return RedisArgument(u.input)
            case .output: return RedisArgument(u.output)
            case .cacheCreate: return RedisArgument(u.cacheCreate)
            case .cacheRead: return RedisArgument(u.cacheRead)
            case .allTokens: return RedisArgument(u.allTokens)
            case .ephemeral5m: return RedisArgument(u.cacheCreate5m)
            case .ephemeral1h: return RedisArgument(u.cacheCreate1h)
            case .longContext: return longContext ? "1" : "0"
            case .costTotal: return money(cost?.total)
            case .costInput: return money(cost?.input)
            case .costOutput: return money(cost?.output)
            case .costCacheCreate: return money(cost?.cacheCreate)
            case .costCacheRead: return money(cost?.cacheRead)
            case .opusCounted: return opusCounted ? "1" : "0"
            case .record: return RedisArgument(record)
            case .timestamp: return RedisArgument(stamp)
            case .accountRedisKey: return RedisArgument(entry.accountKind.redisKey(entry.accountID))
            case .accountIsJSON: return entry.accountKind.storage == .json ? "1" : "0"
            case .rateWindowMs: return RedisArgument(entry.rateWindowMinutes > 0 ? entry.rateWindowMinutes * 60_000 : 0)
            case .billingLength: return RedisArgument(settings.billingEvents ? settings.billingStreamLength : 0)
            case .eventID: return RedisArgument(UUID().lowercasedString)
            case .accountType: return RedisArgument(entry.accountKind.usageType)
            case .quotaLimit: return entry.accountQuota.map { RedisArgument(DecimalText.fixed10($0.limit)) } ?? ""
            case .quotaWindowEnd:
                return entry.accountQuota.map { RedisArgument(ISOTime.string($0.windowEnd(at: entry.at, offsetHours: settings.timezoneOffsetHours))) } ?? ""
            case .quotaInvalidation: return entry.accountQuota == nil ? "" : RedisArgument(AccountStore.invalidation(entry.accountKind, entry.accountID))
            }
        }
        var arguments: [RedisArgument] = []
        arguments.reserveCapacity(fixedCount + entry.trailing.reduce(0) { $0 + 1 + $1.arguments.count })
        for argument in Argument.allCases { arguments.append(value(argument)) }
        for command in entry.trailing {
            arguments.append(RedisArgument(command.arguments.count))
            arguments += command.arguments
        }
        return arguments
    }
}
