import FakeUpstreams
import Foundation
import Yams

/// A scenario as written in YAML (format: docs/scenarios.md). Loading checks the structure, so a malformed file
/// fails with its path, line and what is wrong before anything starts.
public struct ScenarioFile: @unchecked Sendable {
    public let path: String
    public let name: String
    public let relays: Int
    public let config: [String: String]
    public let fakeCredentials: FakeCredentials
    /// Real-provider rules the fakes do not enforce in this scenario (`fake: {relax: [claude-code-identity]}`).
    public let fakeRelaxed: Set<String>
    public let steps: [ScenarioStep]
    /// Environment variables the scenario needs (real-upstream scenarios: credentials); without them it is skipped.
    public let requires: [String]

    /// The required variables that are not set.
    public func missingRequirements(in environment: [String: String] = ProcessInfo.processInfo.environment) -> [String] {
        requires.filter { (environment[$0] ?? "").isEmpty }
    }

    public static let stepKinds: [String: Set<String>] = [
        "login": ["relay", "as"],
        "admin": ["body", "expect", "capture", "relay", "token", "headers"],
        "request": ["body", "headers", "expect", "capture", "relay", "repeat", "parallel", "raw_body", "spread", "statuses", "by_status", "background"],
        "load": ["body", "headers", "requests", "concurrency", "spread", "abandon", "statuses", "relay"],
        "fake": ["behaviors", "reset", "clear", "pricing", "cassette", "speed", "oauth"],
        "expect_fake": ["count", "requests", "last", "none_contain", "max_in_flight", "capture", "path_prefix", "eventually"],
        "redis": ["eventually"],
        "seed": [],
        "sleep_ms": [],
        "advance_clock": [],
        "restart_relay": [],
        "redis_server": [],
        "await": ["expect"],
    ]

    static let nestedOptionKinds: Set<String> = ["login", "fake", "expect_fake"]

    /// What an `expect:` block may check, and what a `redis:` step may name: a misspelt check (`stauts:`) would
    /// otherwise check nothing and pass.
    public static let expectKeys: Set<String> = ["status", "headers", "json", "body_contains", "body_not_contains", "events", "events_contain"]
    public static let redisKeys: Set<String> = ["hash", "fields", "exists", "absent", "get", "ttl", "scard", "zcard", "llen", "xlen", "value", "keys", "count"]

    public static func load(path: String) throws -> ScenarioFile {
        let text: String
        do {
            text = try String(contentsOfFile: path, encoding: .utf8)
        } catch {
            throw ScenarioLoadError(path: path, line: 0, message: "cannot read file: \(error.localizedDescription)")
        }
        return try parse(text, path: path)
    }

    /// YAML reads `2024-10-21` as a timestamp; a scenario means the text (an api-version, a date field), so
    /// timestamps become their ISO text again — date-only when they have no time of day.
    static func plain(_ value: Any?) -> Any? {
        switch value {
        case let date as Date:
            let formatter = ISO8601DateFormatter()
            formatter.formatOptions = Int(date.timeIntervalSince1970) % 86400 == 0 ? [.withFullDate] : [.withInternetDateTime]
            return formatter.string(from: date)
        case let object as [String: Any]:
            return object.compactMapValues { plain($0) ?? NSNull() }
        case let array as [Any]:
            return array.map { plain($0) ?? NSNull() }
        default:
            return value
        }
    }

    public static func parse(_ text: String, path: String) throws -> ScenarioFile {
        let root: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else { throw ScenarioLoadError(path: path, line: 1, message: "empty file") }
            root = composed
        } catch let error as YamlError {
            throw ScenarioLoadError(path: path, line: Self.line(of: error), message: "YAML syntax: \(error)")
        }
        guard let mapping = root.mapping else { throw ScenarioLoadError(path: path, line: line(root), message: "the file must be a mapping with name and steps") }
        for (key, value) in mapping {
            guard let name = key.string, ["name", "description", "relays", "config", "fake", "steps", "issue", "tags", "requires"].contains(name) else {
                throw ScenarioLoadError(path: path, line: line(key), message: "unknown top-level key '\(key.string ?? "?")'")
            }
            _ = value
        }
        guard let name = mapping["name"]?.string, !name.isEmpty else {
            throw ScenarioLoadError(path: path, line: line(root), message: "missing 'name'")
        }
        let relays = mapping["relays"]?.int ?? 1
        guard (1...8).contains(relays) else { throw ScenarioLoadError(path: path, line: line(mapping["relays"]!), message: "relays must be 1…8") }
        var config: [String: String] = [:]
        if let node = mapping["config"] {
            guard let pairs = node.mapping else { throw ScenarioLoadError(path: path, line: line(node), message: "config must map CRS_* names to values") }
            for (key, value) in pairs {
                guard let name = key.string, name.hasPrefix("CRS_"), let text = value.string else {
                    throw ScenarioLoadError(path: path, line: line(key), message: "config entries are CRS_* variables with scalar values")
                }
                config[name] = text
            }
        }
        var requires: [String] = []
        if let node = mapping["requires"] {
            guard let names = node.sequence?.compactMap(\.string), names.count == node.sequence?.count else {
                throw ScenarioLoadError(path: path, line: line(node), message: "requires is a list of environment variable names")
            }
            requires = names
        }
        var credentials = FakeCredentials()
        var relaxed = Set<String>()
        if let fake = mapping["fake"] {
            try requireScalarKeys(fake, path: path)
            let any = plain(fake.any) as? [String: Any] ?? [:]
            if let creds = any["credentials"] {
                let known = FakeRegistry.credentialNames
                guard let object = creds as? [String: Any] else {
                    throw ScenarioLoadError(path: path, line: line(fake), message: "fake credentials map names (\(known.sorted().joined(separator: ", "))) to lists")
                }
                if let unknown = object.keys.sorted().first(where: { !known.contains($0) }) {
                    throw ScenarioLoadError(path: path, line: line(fake), message: "fake credentials: no fake reads '\(unknown)' (known: \(known.sorted().joined(separator: ", ")))")
                }
                do {
                    credentials = try FakeCredentials(json: object)
                } catch {
                    throw ScenarioLoadError(path: path, line: line(fake), message: "\(error)")
                }
            }
            if let relax = any["relax"] {
                let known = FakeRegistry.relaxableRules.sorted().joined(separator: ", ")
                guard let names = relax as? [Any] else {
                    throw ScenarioLoadError(path: path, line: line(fake), message: "fake relax is a list of rule names (\(known))")
                }
                for name in names {
                    guard let rule = name as? String, FakeRegistry.relaxableRules.contains(rule) else {
                        throw ScenarioLoadError(path: path, line: line(fake), message: "fake relax: unknown rule '\(name)' (known: \(known))")
                    }
                    relaxed.insert(rule)
                }
            }
        }
        guard let stepsNode = mapping["steps"], let sequence = stepsNode.sequence, !sequence.isEmpty else {
            throw ScenarioLoadError(path: path, line: line(root), message: "missing 'steps' (a non-empty list)")
        }
        var steps: [ScenarioStep] = []
        for node in sequence {
            guard let pairs = node.mapping, let first = pairs.first, let kind = first.key.string else {
                throw ScenarioLoadError(path: path, line: line(node), message: "a step is a mapping whose first key is its kind")
            }
            guard let allowed = stepKinds[kind] else {
                throw ScenarioLoadError(path: path, line: line(node), message: "unknown step '\(kind)' (known: \(stepKinds.keys.sorted().joined(separator: ", ")))")
            }
            for (key, _) in pairs.dropFirst() {
                guard let option = key.string, allowed.contains(option) else {
                    throw ScenarioLoadError(path: path, line: line(key), message: "step '\(kind)' has no option '\(key.string ?? "?")' (allowed: \(allowed.sorted().joined(separator: ", ")))")
                }
            }
            // `- expect_fake: {count: 1}` and `- expect_fake:` + sibling options mean the same.
            if nestedOptionKinds.contains(kind), let nested = first.value.mapping {
                for (key, _) in nested {
                    guard let option = key.string, allowed.contains(option) else {
                        throw ScenarioLoadError(path: path, line: line(key), message: "step '\(kind)' has no option '\(key.string ?? "?")' (allowed: \(allowed.sorted().joined(separator: ", ")))")
                    }
                }
            }
            try requireScalarKeys(node, path: path)
            try requireKnownKeys(pairs["expect"], Self.expectKeys, block: "expect", path: path)
            if kind == "redis" { try requireKnownKeys(first.value, Self.redisKeys, block: "redis", path: path) }
            var spec = plain(node.any) as? [String: Any] ?? [:]
            if nestedOptionKinds.contains(kind), let nested = spec[kind] as? [String: Any] {
                spec.merge(nested) { current, _ in current }
            }
            if kind == "admin" || kind == "request" || kind == "load" {
                guard let target = spec[kind] as? String, target.split(separator: " ").count == 2 else {
                    throw ScenarioLoadError(path: path, line: line(node), message: "\(kind) needs 'METHOD /path'")
                }
            }
            steps.append(ScenarioStep(line: line(node), kind: kind, spec: spec))
        }
        return ScenarioFile(path: path, name: name, relays: relays, config: config, fakeCredentials: credentials, fakeRelaxed: relaxed, steps: steps, requires: requires)
    }

    private static func line(_ node: Node) -> Int { node.mark?.line ?? 0 }  // Yams marks are 1-based

    private static func line(of error: YamlError) -> Int {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _): return mark.line
        default: return 0
        }
    }

    /// A block whose keys must come from `known` (nil: the block is absent).
    static func requireKnownKeys(_ node: Node?, _ known: Set<String>, block: String, path: String) throws {
        guard let node else { return }
        guard let mapping = node.mapping else {
            throw ScenarioLoadError(path: path, line: line(node), message: "'\(block)' must be a mapping")
        }
        for (key, _) in mapping {
            guard let name = key.string, known.contains(name) else {
                throw ScenarioLoadError(path: path, line: line(key), message: "'\(block)' has no check '\(key.string ?? "?")' (known: \(known.sorted().joined(separator: ", ")))")
            }
        }
    }

    /// Yams turns a mapping into a dictionary by force-unwrapping each key as a string, so a key that is a
    /// sequence or a mapping (`? [a, b]: c`, `{[x]: 1}`) crashed the loader (found by fuzzing): refuse it first.
    static func requireScalarKeys(_ node: Node, path: String) throws {
        if let mapping = node.mapping {
            for (key, value) in mapping {
                guard key.scalar != nil else {
                    throw ScenarioLoadError(path: path, line: line(key), message: "mapping keys must be plain strings")
                }
                try requireScalarKeys(value, path: path)
            }
        } else if let sequence = node.sequence {
            for element in sequence { try requireScalarKeys(element, path: path) }
        }
    }

    /// Every `*.yaml` / `*.yml` under `directory`, sorted.
    public static func discover(in directory: String) -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: directory) else { return [] }
        return enumerator.compactMap { $0 as? String }
            .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }
            .map { directory + "/" + $0 }
            .sorted()
    }
}

public struct ScenarioStep: @unchecked Sendable {
    public let line: Int
    public let kind: String
    public let spec: [String: Any]
}

public struct ScenarioLoadError: Error, CustomStringConvertible {
    public let path: String
    public let line: Int
    public let message: String
    public var description: String { "\(path):\(line): \(message)" }
}
