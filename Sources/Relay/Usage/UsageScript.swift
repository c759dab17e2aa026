import Foundation

/// The usage write as one server-side script: the relay sends the request's facts (ids, time buckets, token
/// counts, cost, the request-log line — about 35 short arguments) and Redis derives the ~120 counter updates of the
/// Node layout (behaviour.md §4.1) itself. Before, the relay built every command and sent them all as script
/// arguments (~600 arguments, ~15 KB per request): the relay's largest own cost per request after the network.
///
/// Applied at most once: the request's marker (`KEYS[1]`, kept `ARGV[1]` seconds) is set first and the rest runs
/// only if it was new, so a replay after a lost reply does not count twice. Trailing commands (the request's
/// lease releases) ride along after the fixed arguments as `n, command, args…` groups.
/// `UsageScriptTests` applies this script and the command-by-command reference write to two Redis servers and
/// compares every key, value and TTL.
enum UsageScript {
    /// Positions of the fixed arguments (1-based, as Lua sees them).
    enum Argument: Int, CaseIterable {
        case markerSeconds = 1, key, account, model, rawModel
        case date, month, hour, week, minute
        case tokens, input, output, cacheCreate, cacheRead, allTokens, ephemeral5m, ephemeral1h
        case longContext, costTotal, costInput, costOutput, costCacheCreate, costCacheRead, opusCounted
        case record, timestamp, accountRedisKey, accountIsJSON, rateWindowMs, billingLength, eventID, accountType
    }

    static let fixedCount = Argument.allCases.count

    static let script = RedisScript("""
        if not redis.call('SET', KEYS[1], '1', 'NX', 'EX', ARGV[1]) then return 0 end
        local key, account, model, rawModel = ARGV[2], ARGV[3], ARGV[4], ARGV[5]
        local date, month, hour, week, minute = ARGV[6], ARGV[7], ARGV[8], ARGV[9], ARGV[10]
        local tokens, input, output, cacheCreate, cacheRead = ARGV[11], ARGV[12], ARGV[13], ARGV[14], ARGV[15]
        local allTokens, e5, e1 = ARGV[16], ARGV[17], ARGV[18]
        local long, cost = ARGV[19] == '1', ARGV[20]
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
        incr('usage:' .. key, total)
        incr('usage:daily:' .. key .. ':' .. date, join(base, ephemeral, longFields), 32 * DAY)
        incr('usage:monthly:' .. key .. ':' .. month, join(base, ephemeral, longFields), 365 * DAY)
        incr('usage:hourly:' .. key .. ':' .. hour, base, 7 * DAY)

        -- Per model (global) and per key + model
        incr('usage:model:daily:' .. model .. ':' .. date, perModel, 32 * DAY)
        incr('usage:model:monthly:' .. model .. ':' .. month, perModel, 365 * DAY)
        incr('usage:model:hourly:' .. model .. ':' .. hour, perModel, 7 * DAY)
        incr('usage:' .. key .. ':model:daily:' .. model .. ':' .. date, join(perModel, ephemeral), 32 * DAY)
        incr('usage:' .. key .. ':model:monthly:' .. model .. ':' .. month, join(perModel, ephemeral), 365 * DAY)
        incr('usage:' .. key .. ':model:hourly:' .. model .. ':' .. hour, perModel, 7 * DAY)

        -- Per account
        incr('account_usage:' .. account, {'totalTokens', tokens, 'totalInputTokens', input, 'totalOutputTokens', output,
          'totalCacheCreateTokens', cacheCreate, 'totalCacheReadTokens', cacheRead, 'totalAllTokens', allTokens, 'totalRequests', '1'})
        incr('account_usage:daily:' .. account .. ':' .. date, base, 32 * DAY)
        incr('account_usage:monthly:' .. account .. ':' .. month, base, 365 * DAY)
        local hourlyModel = {}
        for i = 1, #perModel, 2 do
          hourlyModel[#hourlyModel + 1] = 'model:' .. model .. ':' .. perModel[i]
          hourlyModel[#hourlyModel + 1] = perModel[i + 1]
        end
        incr('account_usage:hourly:' .. account .. ':' .. hour, join(base, hourlyModel), 7 * DAY)
        incr('account_usage:model:daily:' .. account .. ':' .. model .. ':' .. date, perModel, 32 * DAY)
        incr('account_usage:model:monthly:' .. account .. ':' .. model .. ':' .. month, perModel, 365 * DAY)
        incr('account_usage:model:hourly:' .. account .. ':' .. model .. ':' .. hour, perModel, 7 * DAY)

        -- Cost counters (only when the model is priced: an unknown cost is not $0)
        if cost ~= '' then
          local counters = {{'usage:cost:daily:' .. key .. ':' .. date, 30 * DAY}, {'usage:cost:monthly:' .. key .. ':' .. month, 90 * DAY},
            {'usage:cost:hourly:' .. key .. ':' .. hour, 7 * DAY}, {'usage:cost:total:' .. key, 0}}
          for _, counter in ipairs(counters) do
            redis.call('INCRBYFLOAT', counter[1], cost)
            if counter[2] > 0 then redis.call('EXPIRE', counter[1], counter[2]) end
          end
          if ARGV[25] == '1' then
            redis.call('INCRBYFLOAT', 'usage:opus:weekly:' .. key .. ':' .. week, cost)
            redis.call('EXPIRE', 'usage:opus:weekly:' .. key .. ':' .. week, 14 * DAY)
            redis.call('INCRBYFLOAT', 'usage:opus:total:' .. key, cost)
          end
        end

        -- Request log (newest first, 200 kept)
        redis.call('LPUSH', 'usage:records:' .. key, ARGV[26])
        redis.call('LTRIM', 'usage:records:' .. key, 0, 199)
        redis.call('EXPIRE', 'usage:records:' .. key, 90 * DAY)

        -- Realtime metrics (RPM/TPM)
        incr('system:metrics:minute:' .. minute, {'requests', '1', 'totalTokens', allTokens, 'inputTokens', input,
          'outputTokens', output, 'cacheCreateTokens', cacheCreate, 'cacheReadTokens', cacheRead}, 600)

        -- Last use of key and account (the scheduler's least-recently-used order)
        local stamp = ARGV[27]
        redis.call('HSET', 'apikey:' .. key, 'lastUsedAt', stamp)
        if ARGV[29] == '1' then
          local raw = redis.call('GET', ARGV[28])
          if raw then
            local object = cjson.decode(raw)
            object['lastUsedAt'] = stamp
            redis.call('SET', ARGV[28], cjson.encode(object))
          end
        else
          redis.call('HSET', ARGV[28], 'lastUsedAt', stamp)
        end
        if cost == '' then redis.call('SADD', 'crs:pricing:unpriced_models', rawModel) end

        -- The key's rate window: the crossing request passes, the next one is refused
        if ARGV[30] ~= '0' then
          redis.call('INCRBY', 'rate_limit:tokens:' .. key, allTokens)
          redis.call('PEXPIRE', 'rate_limit:tokens:' .. key, ARGV[30], 'NX')
          if cost ~= '' then
            redis.call('INCRBYFLOAT', 'rate_limit:cost:' .. key, cost)
            redis.call('PEXPIRE', 'rate_limit:cost:' .. key, ARGV[30], 'NX')
          end
        end

        -- Billing event for downstream consumers, capped
        if ARGV[31] ~= '0' then
          local event = {'eventId', ARGV[32], 'timestamp', stamp, 'keyId', key, 'accountId', account, 'accountType', ARGV[33],
            'model', rawModel, 'inputTokens', input, 'outputTokens', output, 'cacheCreateTokens', cacheCreate,
            'cacheReadTokens', cacheRead, 'ephemeral5mTokens', e5, 'ephemeral1hTokens', e1, 'totalTokens', allTokens}
          if cost ~= '' then
            event = join(event, {'cost', cost, 'inputCost', ARGV[21], 'outputCost', ARGV[22], 'cacheCreateCost', ARGV[23],
              'cacheReadCost', ARGV[24]})
          else
            event = join(event, {'costUnknown', 'true'})
          end
          redis.call('XADD', 'billing:events', 'MAXLEN', '~', ARGV[31], '*', unpack(event))
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
        let opusCounted = ["claude", "claude-console", "ccr"].contains(entry.accountKind.usageType) && model.contains("claude-opus")
        let record = UsageRecordLine.json(at: stamp, model: entry.model, accountID: entry.accountID, accountType: entry.accountKind.usageType,
                                          usage: u, longContext: longContext, cost: cost)
        let money: (Double?) -> RedisArgument = { $0.map { RedisArgument(DecimalText.fixed10($0)) } ?? "" }
        var arguments: [RedisArgument] = [
            RedisArgument(UsageWrite.markerSeconds), RedisArgument(entry.keyID), RedisArgument(entry.accountID), RedisArgument(model),
            RedisArgument(entry.model),
            RedisArgument(buckets.date), RedisArgument(buckets.month), RedisArgument(buckets.hour), RedisArgument(buckets.week),
            RedisArgument(String(buckets.unixMinute)),
            RedisArgument(u.tokens), RedisArgument(u.input), RedisArgument(u.output), RedisArgument(u.cacheCreate), RedisArgument(u.cacheRead),
            RedisArgument(u.allTokens), RedisArgument(u.cacheCreate5m), RedisArgument(u.cacheCreate1h),
            longContext ? "1" : "0", money(cost?.total), money(cost?.input), money(cost?.output), money(cost?.cacheCreate),
            money(cost?.cacheRead), opusCounted ? "1" : "0",
            RedisArgument(record), RedisArgument(stamp), RedisArgument(entry.accountKind.redisKey(entry.accountID)),
            entry.accountKind.storage == .json ? "1" : "0",
            RedisArgument(entry.rateWindowMinutes > 0 ? entry.rateWindowMinutes * 60_000 : 0),
            RedisArgument(settings.billingEvents ? settings.billingStreamLength : 0), RedisArgument(UUID().uuidString.lowercased()),
            RedisArgument(entry.accountKind.usageType),
        ]
        for command in entry.trailing {
            arguments.append(RedisArgument(command.arguments.count))
            arguments += command.arguments
        }
        return arguments
    }
}
