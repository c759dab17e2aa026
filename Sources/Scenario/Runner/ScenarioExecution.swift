import Cassettes
import FakeUpstreams
import Foundation
import Relay

/// The state of one scenario while it runs: its environment, captured variables and the last response.
struct ScenarioExecution {
    let harness: RelayHarness
    var variables: [String: String] = [:]
    var lastExchange: HTTPExchange?
    /// Requests started with `background: NAME`, collected by `await: NAME`.
    var background: [String: (spec: [String: Any], task: Task<HTTPExchange, Error>)] = [:]
    /// Values that must not appear in a report (credentials from the environment).
    let secrets: [String]

    init(harness: RelayHarness, secrets: [String] = []) {
        self.harness = harness
        self.secrets = secrets.filter { $0.count >= 4 }
        variables["fake"] = harness.fakes.baseURL
        variables["proxy_port"] = String(harness.fakes.proxy?.port ?? 0)
        variables["redis_url"] = harness.redisServer.url
        for (index, relay) in harness.relays.enumerated() { variables["relay\(index)"] = relay.baseURL }
        variables["relay"] = harness.relay.baseURL
        variables["admin_username"] = RelayHarness.adminUsername
        variables["admin_password"] = RelayHarness.adminPassword
    }

    func title(_ step: ScenarioStep) -> String {
        if let target = step.spec[step.kind] as? String { return "\(step.kind) \(substitute(target))" }
        return step.kind
    }

    mutating func perform(_ step: ScenarioStep) async -> [String] {
        // `${today}`: the relays' local date (CRS_TIMEZONE_OFFSET_HOURS), as usage keys name it.
        let relay = harness.relay.services
        variables["today"] = TimeBuckets(relay.clock.now, offsetHours: relay.configuration.timezoneOffsetHours).date
        variables["now_ms"] = String(relay.clock.nowMilliseconds)
        let spec = substitute(step.spec) as? [String: Any] ?? [:]
        do {
            switch step.kind {
            case "login": return try await login(spec)
            case "admin", "request": return try await http(step.kind, spec)
            case "load": return try await load(spec)
            case "await": return try await awaitBackground(spec)
            case "fake": return fake(spec)
            case "expect_fake":
                // `eventually: true`: what the fake must have received may still be on its way (up to 10 s).
                let deadline = ContinuousClock.now + .seconds((spec["eventually"] as? Bool) == true ? 10 : 0)
                while true {
                    let problems = expectFake(spec)
                    if problems.isEmpty || ContinuousClock.now >= deadline { return problems }
                    try await Task.sleep(nanoseconds: 100_000_000)
                }
            case "redis": return try await redisCheck(spec)
            case "seed": return try await seed(spec)
            case "sleep_ms":
                try await Task.sleep(nanoseconds: UInt64(max(0, (spec["sleep_ms"] as? Int) ?? 0)) * 1_000_000)
                return []
            case "redis_server":
                switch spec["redis_server"] as? String {
                case "stop"?: await harness.redisServer.halt()
                case "crash"?: await harness.redisServer.crash()
                case "start"?: try await harness.redisServer.launch()
                default: return ["redis_server: stop, crash or start"]
                }
                return []
            case "restart_relay":
                let index = (spec["restart_relay"] as? Int) ?? 0
                guard harness.relays.indices.contains(index) else { return ["restart_relay: no relay \(index)"] }
                let offset = harness.relays[index].services.clock.currentOffset
                try await harness.restart(index)
                harness.relays[index].services.clock.advance(by: offset)  // the simulated time goes on
                variables["relay\(index)"] = harness.relays[index].baseURL
                if index == 0 { variables["relay"] = harness.relay.baseURL }
                return []
            case "advance_clock":
                let seconds = ScenarioMatcher.number(spec["advance_clock"]) ?? 0
                for relay in harness.relays { relay.services.clock.advance(by: seconds) }
                return []
            default:
                return ["unknown step \(step.kind)"]
            }
        } catch {
            return ["step failed: \(error)"]
        }
    }

    // MARK: steps

    private mutating func login(_ spec: [String: Any]) async throws -> [String] {
        let relay = relayURL(spec)
        let body = try JSONSerialization.data(withJSONObject: ["username": RelayHarness.adminUsername, "password": RelayHarness.adminPassword])
        let exchange = try await HTTPExchange.send(method: "POST", url: relay + "/web/auth/login", body: body)
        lastExchange = exchange
        guard exchange.status == 200, let token = (exchange.json as? [String: Any])?["token"] as? String, !token.isEmpty else {
            return ["login failed: \(exchange.status) \(exchange.body.prefix(300))"]
        }
        variables[(spec["as"] as? String) ?? "admin_token"] = token
        return []
    }

    private mutating func http(_ kind: String, _ spec: [String: Any]) async throws -> [String] {
        let parts = (spec[kind] as? String ?? "GET /").split(separator: " ", maxSplits: 1).map(String.init)
        var headers = (spec["headers"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
        if kind == "admin" {
            switch spec["token"] as? String {
            case "none"?: break
            case let token?: headers["Authorization"] = "Bearer \(token)"
            case nil: if let token = variables["admin_token"] { headers["Authorization"] = "Bearer \(token)" }
            }
        }
        let body: Data?
        if let raw = spec["raw_body"] as? String {
            body = Data(raw.utf8)
        } else if let object = spec["body"] {
            body = try JSONSerialization.data(withJSONObject: object, options: [.fragmentsAllowed])
        } else {
            body = nil
        }
        if let name = spec["background"] as? String {
            let url = Self.url(relayURL(spec), parts[1])
            let method = parts[0]
            let sendHeaders = headers
            background[name] = (spec, Task { try await HTTPExchange.send(method: method, url: url, headers: sendHeaders, body: body, timeout: .seconds(120)) })
            return []
        }
        // `spread: true` sends request i to relay i mod N (a load balancer in front of N instances).
        let bases = (spec["spread"] as? Bool) == true ? harness.relays.map(\.baseURL) : [relayURL(spec)]
        let count = max(1, (spec["parallel"] as? Int) ?? (spec["repeat"] as? Int) ?? 1)
        var exchanges: [HTTPExchange] = []
        if let parallel = spec["parallel"] as? Int, parallel > 1 {
            let method = parts[0]
            let sendHeaders = headers
            exchanges = try await withThrowingTaskGroup(of: HTTPExchange.self) { group in
                for index in 0..<parallel {
                    let url = Self.url(bases[index % bases.count], parts[1])
                    group.addTask { try await HTTPExchange.send(method: method, url: url, headers: sendHeaders, body: body) }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
        } else {
            for index in 0..<count {
                exchanges.append(try await HTTPExchange.send(method: parts[0], url: Self.url(bases[index % bases.count], parts[1]), headers: headers, body: body))
            }
        }
        var problems: [String] = []
        let byStatus = Self.stringKeyed(spec["by_status"]) ?? [:]
        for (index, exchange) in exchanges.enumerated() {
            lastExchange = exchange
            var found = expectations(spec["expect"] as? [String: Any] ?? [:], exchange)
            if let specific = Self.stringKeyed(byStatus[String(exchange.status)]) { found += expectations(specific, exchange) }
            if !found.isEmpty {
                problems += found.map { exchanges.count > 1 ? "response \(index + 1) of \(exchanges.count) (\(exchange.status)): \($0)" : $0 }
                break
            }
        }
        problems += tally(exchanges.map(\.status), spec["statuses"])
        if problems.isEmpty, let captures = spec["capture"] as? [String: Any], let exchange = exchanges.last {
            for (name, path) in captures {
                guard let value = JSONPath.lookup(exchange.json, "\(path)") else {
                    problems.append("capture \(name): nothing at \(path)")
                    continue
                }
                variables[name] = (value as? String) ?? ScenarioMatcher.render(value)
            }
        }
        return problems
    }

    /// `await: NAME` — waits for a `background` request and checks it against its own `expect` (and this step's).
    private mutating func awaitBackground(_ spec: [String: Any]) async throws -> [String] {
        guard let name = spec["await"] as? String, let started = background.removeValue(forKey: name) else {
            return ["await: no background request named \(spec["await"] ?? "")"]
        }
        let exchange = try await started.task.value
        lastExchange = exchange
        var expect = started.spec["expect"] as? [String: Any] ?? [:]
        expect.merge(spec["expect"] as? [String: Any] ?? [:]) { _, new in new }
        return expectations(expect, exchange)
    }

    private func expectations(_ expect: [String: Any], _ exchange: HTTPExchange) -> [String] {
        var problems: [String] = []
        if let status = expect["status"], let problem = ScenarioMatcher.mismatch(exchange.status, status) { problems.append("status: \(problem)") }
        for (name, matcher) in expect["headers"] as? [String: Any] ?? [:] {
            if let problem = ScenarioMatcher.mismatch(exchange.header(name), matcher) { problems.append("header \(name): \(problem)") }
        }
        for (path, matcher) in expect["json"] as? [String: Any] ?? [:] {
            if let problem = ScenarioMatcher.mismatch(JSONPath.lookup(exchange.json, path), matcher) { problems.append("json \(path): \(problem)") }
        }
        for needle in (expect["body_contains"] as? [Any] ?? []).map({ "\($0)" }) where !exchange.body.contains(needle) {
            problems.append("body does not contain \"\(needle)\"")
        }
        for needle in (expect["body_not_contains"] as? [Any] ?? []).map({ "\($0)" }) where exchange.body.contains(needle) {
            problems.append("body contains \"\(needle)\"")
        }
        if let events = expect["events"] as? [Any], let problem = ScenarioMatcher.mismatch(exchange.eventNames, events) {
            problems.append("SSE events: \(problem)")
        }
        for event in (expect["events_contain"] as? [Any] ?? []).map({ "\($0)" }) where !exchange.eventNames.contains(event) {
            problems.append("SSE events \(exchange.eventNames) lack \(event)")
        }
        return problems
    }

    private func fake(_ spec: [String: Any]) -> [String] {
        let state = harness.fakes.state
        if (spec["reset"] as? Bool) == true { state.clearRecord() }
        if (spec["clear"] as? Bool) == true { state.clearBehaviors() }
        if let directory = spec["cassette"] as? String {
            do {
                state.cassettes.load(try Cassette.load(directory: directory), speed: ScenarioMatcher.number(spec["speed"]) ?? 0)
            } catch {
                return ["fake cassette \(directory) cannot be read: \(error.localizedDescription)"]
            }
            if spec["behaviors"] == nil && spec["pricing"] == nil { return [] }
        }
        if let oauth = spec["oauth"] {
            guard let object = oauth as? [String: Any] else { return ["fake oauth must be {expiresIn, refreshTokens, revoke}"] }
            FakeControlAPI.configureOAuth(state.oauth, object)
            if spec["behaviors"] == nil && spec["pricing"] == nil { return [] }
        }
        if let pricing = spec["pricing"] {
            guard JSONSerialization.isValidJSONObject(pricing), let data = try? JSONSerialization.data(withJSONObject: pricing) else {
                return ["fake pricing must be a JSON object (a LiteLLM-format price file)"]
            }
            state.pricingDocument = String(decoding: data, as: UTF8.self)
            if spec["behaviors"] == nil { return [] }
        }
        guard let behaviors = spec["behaviors"] ?? spec["fake"] as? [Any] else { return [] }
        do {
            let data = try JSONSerialization.data(withJSONObject: behaviors)
            state.enqueue(try JSONDecoder().decode([FakeBehavior].self, from: data))
            return []
        } catch {
            return ["fake behaviours do not decode: \(error)"]
        }
    }

    private mutating func expectFake(_ spec: [String: Any]) -> [String] {
        let state = harness.fakes.state
        // `path_prefix` narrows every check of the step to the requests under that path (e.g. one token endpoint).
        let received = state.requests.filter { $0.path.hasPrefix(spec["path_prefix"] as? String ?? "") }
        var problems: [String] = []
        if let count = spec["count"], let problem = ScenarioMatcher.mismatch(received.count, count) {
            problems.append("fake request count: \(problem)")
        }
        if let peak = spec["max_in_flight"], let problem = ScenarioMatcher.mismatch(state.stats.maxInFlight, peak) {
            problems.append("fake peak concurrency: \(problem)")
        }
        // `capture: {NAME: emitted.input}` reads the fake's stats (total, inFlight, maxInFlight, emitted.*).
        if let captures = spec["capture"] as? [String: Any] {
            var stats = (try? JSONSerialization.jsonObject(with: JSONEncoder().encode(state.stats))) as? [String: Any] ?? [:]
            stats["requests"] = received.map { ["path": $0.path, "credential": $0.credential ?? NSNull(), "status": $0.status, "method": $0.method] as [String: Any] }
            for (name, path) in captures {
                guard let value = JSONPath.lookup(stats, "\(path)") else {
                    problems.append("capture \(name): the fake's stats have nothing at \(path)")
                    continue
                }
                variables[name] = Self.text(value)
            }
        }
        let specs = spec["requests"] as? [[String: Any]] ?? []
        let window = (spec["last"] as? Bool) == true ? Array(received.suffix(specs.count)) : Array(received.prefix(specs.count))
        for (index, expected) in specs.enumerated() {
            guard index < window.count else {
                problems.append("fake request \(index + 1): not received (only \(received.count))")
                break
            }
            let request = window[index]
            for (field, matcher) in expected {
                let actual: Any?
                switch field {
                case "method": actual = request.method
                case "path": actual = request.path
                case "query": actual = request.query
                case "credential": actual = request.credential
                case "status": actual = request.status
                case "headers":
                    for (name, headerMatcher) in matcher as? [String: Any] ?? [:] {
                        if let problem = ScenarioMatcher.mismatch(request.header(name), headerMatcher) {
                            problems.append("fake request \(index + 1) header \(name): \(problem)")
                        }
                    }
                    continue
                case "body":
                    let json = request.jsonBody
                    for (path, bodyMatcher) in matcher as? [String: Any] ?? [:] {
                        if let problem = ScenarioMatcher.mismatch(JSONPath.lookup(json, path), bodyMatcher) {
                            problems.append("fake request \(index + 1) body \(path): \(problem)")
                        }
                    }
                    continue
                default:
                    problems.append("unknown fake request field \(field)")
                    continue
                }
                if let problem = ScenarioMatcher.mismatch(actual, matcher) { problems.append("fake request \(index + 1) \(field): \(problem)") }
            }
        }
        for needle in (spec["none_contain"] as? [Any] ?? []).map({ "\($0)" }) where !needle.isEmpty {
            for request in received where (request.headers.flatMap { $0 }.contains { $0.contains(needle) } || request.body.contains(needle)
                                          || request.path.contains(needle) || request.query.contains(needle)) {
                problems.append("fake request \(request.sequence) (\(request.path)) carries \"\(needle.prefix(12))…\", which must never reach an upstream")
            }
        }
        return problems
    }

    private func redisCheck(_ spec: [String: Any]) async throws -> [String] {
        let check = spec["redis"] as? [String: Any] ?? [:]
        let eventually = (spec["eventually"] as? Bool) ?? false
        let deadline = ContinuousClock.now + .seconds(eventually ? 5 : 0)
        while true {
            let problems = try await redisProblems(check)
            if problems.isEmpty || ContinuousClock.now >= deadline { return problems }
            try await Task.sleep(nanoseconds: 50_000_000)
        }
    }

    private func redisProblems(_ check: [String: Any]) async throws -> [String] {
        let redis = harness.redis
        if let key = check["hash"] as? String {
            let fields = try await redis.send("HGETALL", RedisArgument(key)).stringDictionary
            return (check["fields"] as? [String: Any] ?? [:]).compactMap { field, matcher in
                ScenarioMatcher.mismatch(fields[field], matcher).map { "redis \(key) \(field): \($0)" }
            }
        }
        if let key = check["exists"] as? String {
            return try await redis.send("EXISTS", RedisArgument(key)).int == 1 ? [] : ["redis key \(key) does not exist"]
        }
        if let key = check["absent"] as? String {
            return try await redis.send("EXISTS", RedisArgument(key)).int == 0 ? [] : ["redis key \(key) exists"]
        }
        for (command, name) in [("GET", "get"), ("TTL", "ttl"), ("SCARD", "scard"), ("ZCARD", "zcard"), ("LLEN", "llen"), ("XLEN", "xlen")] {
            if let key = check[name] as? String {
                let reply = try await redis.send(command, RedisArgument(key))
                let actual: Any? = reply.int.map { Int($0) as Any } ?? reply.string
                return ScenarioMatcher.mismatch(actual, check["value"] ?? ["exists": true]).map { ["redis \(command) \(key): \($0)"] } ?? []
            }
        }
        if let pattern = check["keys"] as? String {
            let keys = try await redis.scan(match: pattern)
            return ScenarioMatcher.mismatch(keys.count, check["count"] ?? ["range": [1, 1_000_000]]).map { ["redis keys \(pattern): \($0)"] } ?? []
        }
        return ["redis step needs one of hash, exists, absent, get, ttl, scard, zcard, llen, xlen, keys"]
    }

    private func seed(_ spec: [String: Any]) async throws -> [String] {
        let seed = spec["seed"] as? [String: Any] ?? [:]
        if let key = seed["hash"] as? String, let fields = seed["fields"] as? [String: Any] {
            let arguments = fields.sorted { $0.key < $1.key }.flatMap { [RedisArgument($0.key), RedisArgument(Self.text($0.value))] }
            try await harness.redis.send(RedisCommand("HSET", arguments: [RedisArgument(key)] + arguments))
            return []
        }
        if let key = seed["set"] as? String, let members = seed["members"] as? [Any] {
            try await harness.redis.send(RedisCommand("SADD", arguments: [RedisArgument(key)] + members.map { RedisArgument(Self.text($0)) }))
            return []
        }
        if let key = seed["string"] as? String {
            try await harness.redis.send("SET", RedisArgument(key), RedisArgument(Self.text(seed["value"] ?? "")))
            return []
        }
        if let key = seed["zset"] as? String, let member = seed["member"] as? String {
            // `expires_in_ms`: a lease-style score, relative to the relays' clock.
            let score = harness.relay.services.clock.nowMilliseconds + Int64(ScenarioMatcher.number(seed["expires_in_ms"]) ?? 0)
            try await harness.redis.send("ZADD", RedisArgument(key), RedisArgument(score), RedisArgument(member))
            return []
        }
        if let path = seed["file"] as? String {
            return try await seedFile(path)
        }
        return ["seed needs hash+fields, set+members, zset+member, string+value or file"]
    }

    /// `seed: {file: fixtures/…/dataset.json}` — `{"entries": {key: {type: hash|set|string|list, value}}}`, written as
    /// is (a deployment of another system, e.g. the Node original); `${fake}` in values names the fake server.
    private func seedFile(_ path: String) async throws -> [String] {
        // Relative paths are from the working directory (the package root for `swift test` and `crs scenario run`).
        guard let data = FileManager.default.contents(atPath: path),
              let entries = (try? JSONSerialization.jsonObject(with: data) as? [String: Any])?["entries"] as? [String: [String: Any]] else {
            return ["seed file \(path) is not a dataset ({\"entries\": {key: {type, value}}})"]
        }
        let fake = harness.fakes.baseURL
        func text(_ value: Any) -> String { Self.text(value).replacingOccurrences(of: "${fake}", with: fake) }
        var commands: [RedisCommand] = []
        for (key, entry) in entries.sorted(by: { $0.key < $1.key }) {
            switch (entry["type"] as? String, entry["value"]) {
            case ("hash"?, let fields as [String: Any]):
                commands.append(RedisCommand("HSET", arguments: [RedisArgument(key)] + fields.sorted { $0.key < $1.key }.flatMap { [RedisArgument($0.key), RedisArgument(text($0.value))] }))
            case ("set"?, let members as [Any]):
                commands.append(RedisCommand("SADD", arguments: [RedisArgument(key)] + members.map { RedisArgument(text($0)) }))
            case ("list"?, let items as [Any]):
                commands.append(RedisCommand("RPUSH", arguments: [RedisArgument(key)] + items.map { RedisArgument(text($0)) }))
            case ("string"?, let value?):
                commands.append(RedisCommand("SET", RedisArgument(key), RedisArgument(text(value))))
            default:
                return ["seed file \(path): entry \(key) has an unknown type"]
            }
        }
        _ = try await harness.redis.pipeline(commands)
        return []
    }

    // MARK: support

    /// `statuses: {"200": 5, "429": {range: [1, 9]}}` — how many responses had each status.
    func tally(_ statuses: [Int], _ expected: Any?) -> [String] {
        guard let expected = Self.stringKeyed(expected) else { return [] }
        var counts: [String: Int] = [:]
        for status in statuses { counts[String(status), default: 0] += 1 }
        var problems: [String] = []
        for (status, matcher) in expected.sorted(by: { $0.key < $1.key }) {
            if let problem = ScenarioMatcher.mismatch(counts[status] ?? 0, matcher) {
                problems.append("responses with status \(status): \(problem) (all: \(counts.sorted { $0.key < $1.key }.map { "\($0.key)×\($0.value)" }.joined(separator: ", ")))")
            }
        }
        return problems
    }

    /// YAML mappings with numeric keys (`200: 2`) arrive keyed by numbers: read them by their text.
    static func stringKeyed(_ value: Any?) -> [String: Any]? {
        if let plain = value as? [String: Any] { return plain }
        guard let mixed = value as? [AnyHashable: Any] else { return nil }
        return Dictionary(mixed.map { ("\($0.key.base)", $0.value) }, uniquingKeysWith: { first, _ in first })
    }

    func context(for step: ScenarioStep, logsSince position: Int) -> [String] {
        var lines: [String] = []
        if let exchange = lastExchange, step.kind == "admin" || step.kind == "request" || step.kind == "login" {
            lines.append("response: \(exchange.status) \(exchange.body.prefix(600))")
        }
        let received = harness.fakes.state.requests
        lines.append("fake received \(received.count) request(s)" + (received.isEmpty ? "" : ":"))
        for request in received.suffix(5) {
            lines.append("  #\(request.sequence) \(request.method) \(request.path) → \(request.status) (\(request.outcome)); credential \(Self.redact(request.credential))")
        }
        let logged = harness.logs.lines(since: position)
        if !logged.isEmpty {
            lines.append("relay log during this step and the one before (\(logged.count) line(s)\(logged.count > 15 ? ", last 15" : "")):")
            lines += logged.suffix(15).map { "  " + $0 }
        }
        return lines
    }

    /// A step's target: a path on the relay, or an absolute URL (e.g. an authorize URL the relay handed out).
    static func url(_ base: String, _ target: String) -> String {
        target.hasPrefix("http://") || target.hasPrefix("https://") ? target : base + target
    }

    private func relayURL(_ spec: [String: Any]) -> String {
        let index = (spec["relay"] as? Int) ?? 0
        return harness.relays[min(max(0, index), harness.relays.count - 1)].baseURL
    }

    func redacted(_ text: String) -> String {
        secrets.reduce(text) { $0.replacingOccurrences(of: $1, with: "[redacted]") }
    }

    /// `${name}` → captured value, `${env:NAME}` / `${env:NAME:-default}` → the environment, recursively through
    /// strings, arrays and mappings.
    func substitute(_ value: Any) -> Any {
        switch value {
        case let text as String:
            guard text.contains("${") else { return text }
            var result = text
            for (name, replacement) in variables { result = result.replacingOccurrences(of: "${\(name)}", with: replacement) }
            while let start = result.range(of: "${env:"), let end = result.range(of: "}", range: start.upperBound..<result.endIndex) {
                let spec = String(result[start.upperBound..<end.lowerBound])
                let parts = spec.components(separatedBy: ":-")
                let value = ProcessInfo.processInfo.environment[parts[0]].flatMap { $0.isEmpty ? nil : $0 } ?? (parts.count > 1 ? parts[1] : "")
                result.replaceSubrange(start.lowerBound..<end.upperBound, with: value)
            }
            return result
        case let array as [Any]: return array.map(substitute)
        case let object as [String: Any]:
            // Keys too: `"data.apiKeys.${KEY_ID}.requests": 3`.
            return Dictionary(object.map { (substitute($0.key) as? String ?? $0.key, substitute($0.value)) }, uniquingKeysWith: { first, _ in first })
        default: return value
        }
    }

    static func text(_ value: Any) -> String {
        if let string = value as? String { return string }
        if let bool = ScenarioMatcher.bool(value) { return bool ? "true" : "false" }
        if let number = ScenarioMatcher.number(value) { return number == number.rounded() ? String(Int64(number)) : String(number) }
        return ScenarioMatcher.render(value)
    }

    static func redact(_ secret: String?) -> String {
        guard let secret, !secret.isEmpty else { return "none" }
        return secret.count > 10 ? String(secret.prefix(6)) + "…" : "…"
    }
}
