/// The admission check of a relayed request as one Lua script (one round trip, atomic across every relay
/// instance on the Redis): resolve the key, start an activation-mode key, check expiry, platform permission,
/// model blacklist and client whitelist, the cost limits, the rate window and the concurrency cap, then — only
/// if everything passes — count the request in its window, take a concurrency lease and read the sticky mapping.
///
/// Permanent refusals come first (401, 403), then those only a reset lifts (402), then transient ones (429), so a
/// refused request never consumes quota. Keys follow the Node layout (docs/reference/data-layout.md). The script names its
/// keys itself, so it suits a single Redis (or Sentinel-managed master), not Redis Cluster.
///
/// ARGV: 1 key hash, 2 now (ms), 3 now (ISO), 4 local date, 5 ISO week, 6 model, 7 normalised model, 8 platform,
/// 9 matched client ids (comma-separated), 10 "1" when exempt from quotas (count_tokens), 11 lease member,
/// 12 lease ms, 13 lease-set TTL ms, 14 sticky mapping key or "".
///
/// Reply: {"ok", flat key fields, sticky mapping or "", leased "1"/"0", rate window minutes ("0": none)}, or
/// {"refuse", code, numbers as strings…} (for the rate window: current, limit, milliseconds until it resets).
enum AdmissionScript {
    static let script = RedisScript(source)

    /// Key names come from `RedisKeys` (`RedisKeys+Lua.swift`).
    private static func k(_ key: String) -> String { RedisKeys.lua(key) }
    private static func v(_ expression: String) -> String { RedisKeys.luaVar(expression) }

    static let source = """
    local function num(v) return tonumber(v or '') or 0 end

    local function days_from_civil(y, m, d)
      if m <= 2 then y = y - 1 end
      local era = math.floor(y / 400)
      local yoe = y - era * 400
      local mp = (m + 9) % 12
      local doy = math.floor((153 * mp + 2) / 5) + d - 1
      local doe = yoe * 365 + math.floor(yoe / 4) - math.floor(yoe / 100) + doy
      return era * 146097 + doe - 719468
    end

    local function civil_from_days(z)
      z = z + 719468
      local era = math.floor(z / 146097)
      local doe = z - era * 146097
      local yoe = math.floor((doe - math.floor(doe / 1460) + math.floor(doe / 36524) - math.floor(doe / 146096)) / 365)
      local doy = doe - (365 * yoe + math.floor(yoe / 4) - math.floor(yoe / 100))
      local mp = math.floor((5 * doy + 2) / 153)
      local d = doy - math.floor((153 * mp + 2) / 5) + 1
      local m = mp < 10 and mp + 3 or mp - 9
      local y = yoe + era * 400
      if m <= 2 then y = y + 1 end
      return y, m, d
    end

    -- ISO-8601 (Z or ±HH:MM, optional fraction) or epoch ms/s → epoch ms; nil when unreadable.
    local function to_ms(s)
      if not s or s == '' then return nil end
      local n = tonumber(s)
      if n then if n > 1e11 then return n else return n * 1000 end end
      local y, mo, d, h, mi, se = string.match(s, '^(%d%d%d%d)%-(%d%d)%-(%d%d)[T ](%d%d):(%d%d):(%d%d)')
      if not y then return nil end
      local ms = 0
      local frac = string.match(s, '^%.(%d+)', 20)
      if frac then ms = math.floor(tonumber('0.' .. frac) * 1000 + 0.5) end
      local offset = 0
      local sign, oh, om = string.match(s, '([%+%-])(%d%d):?(%d%d)$')
      if sign then
        offset = (tonumber(oh) * 60 + tonumber(om)) * 60000
        if sign == '+' then offset = -offset end
      end
      local days = days_from_civil(tonumber(y), tonumber(mo), tonumber(d))
      return (days * 86400 + tonumber(h) * 3600 + tonumber(mi) * 60 + tonumber(se)) * 1000 + ms + offset
    end

    local function iso(ms)
      local s = math.floor(ms / 1000)
      local days = math.floor(s / 86400)
      local rem = s - days * 86400
      local y, m, d = civil_from_days(days)
      return string.format('%04d-%02d-%02dT%02d:%02d:%02d.%03dZ', y, m, d,
        math.floor(rem / 3600), math.floor((rem % 3600) / 60), rem % 60, ms - s * 1000)
    end

    local function decode_list(text)
      if not text or text == '' then return {} end
      local ok, list = pcall(cjson.decode, text)
      if ok and type(list) == 'table' then return list end
      return {}
    end

    -- PriceTable.normalize in Lua, for the admin's blacklist entries (client input is normalised in Swift).
    local function normalise_model(m)
      if type(m) ~= 'string' then return '' end
      m = string.lower(m)
      m = string.match(m, '[^/]*$')
      local vendor = string.find(m, 'anthropic.', 1, true)
      if vendor then m = string.sub(m, vendor + 10) end
      m = (string.gsub(m, '%[1m%]', ''))
      m = (string.gsub(m, ':latest', ''))
      local at = string.find(m, '@', 1, true)
      if at then m = string.sub(m, 1, at - 1) end
      m = (string.gsub(m, '%-v%d+:%d+$', ''))
      m = (string.gsub(m, '%-v%d+$', ''))
      m = (string.gsub(m, '%-%d%d%d%d%d%d%d%d$', ''))
      m = (string.gsub(m, '%-latest$', ''))
      return m
    end

    local now = tonumber(ARGV[2])
    local exempt = ARGV[10] == '1'

    local id = redis.call('HGET', \(k(RedisKeys.apiKeyHashMap)), ARGV[1])
    if not id then return {'refuse', 'invalid'} end
    local key = \(k(RedisKeys.apiKey(v("id"))))
    local raw = redis.call('HGETALL', key)
    local f = {}
    for i = 1, #raw, 2 do f[raw[i]] = raw[i + 1] end
    -- A record that does not name itself as the index does is not trusted (a hand-made or damaged record).
    if raw[1] == nil or f.isDeleted == 'true' or f.id ~= id then return {'refuse', 'invalid'} end
    if f.isActive == 'false' then return {'refuse', 'disabled'} end

    -- Activation mode: the first use starts the key's lifetime.
    if f.expirationMode == 'activation' and f.isActivated ~= 'true' then
      local amount = tonumber(f.activationDays or '') or 30
      if amount < 1 then amount = 1 end
      local unit = 86400000
      if f.activationUnit == 'hours' then unit = 3600000 end
      f.isActivated = 'true'
      f.activatedAt = ARGV[3]
      f.expiresAt = iso(now + amount * unit)
      redis.call('HSET', key, 'isActivated', 'true', 'activatedAt', f.activatedAt, 'expiresAt', f.expiresAt)
    end
    local expires = to_ms(f.expiresAt)
    if expires and now > expires then return {'refuse', 'expired', f.expiresAt} end

    -- Platform permission: 'all', one platform, or a JSON array of platforms.
    local perm = f.permissions or 'all'
    local permitted = perm == '' or perm == 'all' or perm == ARGV[8]
    if not permitted and string.sub(perm, 1, 1) == '[' then
      for _, p in ipairs(decode_list(perm)) do
        if p == 'all' or p == ARGV[8] then permitted = true end
      end
    end
    if not permitted then return {'refuse', 'permission'} end

    -- Model blacklist: an entry blocks the model in any spelling the normaliser folds together (case, a dated id
    -- or its alias, a Bedrock id or ARN, a [1m] tag) — the request's model arrives normalised as ARGV[7].
    if f.enableModelRestriction == 'true' then
      for _, m in ipairs(decode_list(f.restrictedModels)) do
        if m == ARGV[6] or normalise_model(m) == ARGV[7] then return {'refuse', 'model'} end
      end
    end

    -- Client whitelist: the request must look like one of the allowed clients.
    if f.enableClientRestriction == 'true' then
      local allowed = decode_list(f.allowedClients)
      if #allowed > 0 then
        local matched = {}
        for c in string.gmatch(ARGV[9], '[^,]+') do matched[c] = true end
        local ok = false
        for _, c in ipairs(allowed) do if matched[c] then ok = true end end
        if not ok then return {'refuse', 'client', f.allowedClients} end
      end
    end

    local windowed = false
    local concurrencyLimit = num(f.concurrencyLimit)
    local leaseKey = \(k(RedisKeys.keyConcurrency(v("id"))))
    if not exempt then
      -- Cost limits: accumulated cost at or over the limit refuses (the crossing request passed).
      local dailyLimit = num(f.dailyCostLimit)
      if dailyLimit > 0 then
        local cost = num(redis.call('GET', \(k(RedisKeys.costDaily(v("id"), v("ARGV[4]"))))))
        if cost >= dailyLimit then return {'refuse', 'daily_cost', tostring(cost), tostring(dailyLimit)} end
      end
      local totalLimit = num(f.totalCostLimit)
      if totalLimit > 0 then
        local cost = num(redis.call('GET', \(k(RedisKeys.costTotal(v("id"))))))
        if cost >= totalLimit then return {'refuse', 'total_cost', tostring(cost), tostring(totalLimit)} end
      end
      local opusLimit = num(f.weeklyOpusCostLimit)
      if opusLimit > 0 and string.find(string.lower(ARGV[6]), 'claude-opus', 1, true) then
        local cost = num(redis.call('GET', \(k(RedisKeys.opusWeekly(v("id"), v("ARGV[5]"))))))
        if cost >= opusLimit then return {'refuse', 'opus_cost', tostring(cost), tostring(opusLimit)} end
      end

      -- Fixed rate window of rateLimitWindow minutes: requests, tokens (legacy tokenLimit) and cost.
      local windowMinutes = num(f.rateLimitWindow)
      local requestLimit = num(f.rateLimitRequests)
      local tokenLimit = num(f.tokenLimit)
      local costLimit = num(f.rateLimitCost)
      if windowMinutes > 0 and (requestLimit > 0 or tokenLimit > 0 or costLimit > 0) then
        windowed = true
        local windowMs = math.floor(windowMinutes * 60000)
        local startKey = \(k(RedisKeys.rateWindowStart(v("id"))))
        local start = tonumber(redis.call('GET', startKey) or '')
        if not start or now - start >= windowMs then
          start = now
          redis.call('SET', startKey, ARGV[2], 'PX', windowMs)
          redis.call('SET', \(k(RedisKeys.rateWindowRequests(v("id")))), '0', 'PX', windowMs)
          redis.call('SET', \(k(RedisKeys.rateWindowTokens(v("id")))), '0', 'PX', windowMs)
          redis.call('SET', \(k(RedisKeys.rateWindowCost(v("id")))), '0', 'PX', windowMs)
        end
        -- Milliseconds left in the window, never more than the window (this request's clock may lag the one that
        -- opened it by a few ms).
        local resetIn = string.format('%d', math.min(windowMs, math.max(0, start + windowMs - now)))
        local requests = num(redis.call('GET', \(k(RedisKeys.rateWindowRequests(v("id"))))))
        if requestLimit > 0 and requests >= requestLimit then
          return {'refuse', 'window_requests', tostring(requests), tostring(requestLimit), resetIn}
        end
        local tokens = num(redis.call('GET', \(k(RedisKeys.rateWindowTokens(v("id"))))))
        if tokenLimit > 0 and tokens >= tokenLimit then
          return {'refuse', 'window_tokens', tostring(tokens), tostring(tokenLimit), resetIn}
        end
        local cost = num(redis.call('GET', \(k(RedisKeys.rateWindowCost(v("id"))))))
        if costLimit > 0 and cost >= costLimit then
          return {'refuse', 'window_cost', tostring(cost), tostring(costLimit), resetIn}
        end
      end

      -- Concurrency: expired leases (a crashed instance's) drop out first.
      if concurrencyLimit > 0 then
        redis.call('ZREMRANGEBYSCORE', leaseKey, '-inf', ARGV[2])
        local count = redis.call('ZCARD', leaseKey)
        if count >= concurrencyLimit then
          return {'refuse', 'concurrency', tostring(count), tostring(concurrencyLimit)}
        end
      end
    end

    -- Admitted: count it and take the lease.
    if windowed then redis.call('INCR', \(k(RedisKeys.rateWindowRequests(v("id"))))) end
    local leased = '0'
    if not exempt and concurrencyLimit > 0 then
      redis.call('ZADD', leaseKey, now + tonumber(ARGV[12]), ARGV[11])
      redis.call('PEXPIRE', leaseKey, ARGV[13])
      leased = '1'
    end
    local sticky = ''
    if ARGV[14] ~= '' then sticky = redis.call('GET', ARGV[14]) or '' end
    local flat = {}
    for k, v in pairs(f) do
      flat[#flat + 1] = k
      flat[#flat + 1] = v
    end
    local window = '0'
    if windowed then window = string.format('%d', math.ceil(num(f.rateLimitWindow))) end
    return {'ok', flat, sticky, leased, window}
    """
}
