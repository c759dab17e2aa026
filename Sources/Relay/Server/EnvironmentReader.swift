import Foundation

/// Typed, validated reads of `CRS_*` variables. Every failure is a `ConfigurationError` naming the variable.
struct EnvironmentReader {
    let values: [String: String]

    func string(_ name: String) -> String? {
        guard let value = values[name]?.trimmingCharacters(in: .whitespaces), !value.isEmpty else { return nil }
        return value
    }

    func string(_ name: String, default fallback: String) -> String { string(name) ?? fallback }

    func int(_ name: String, default fallback: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = string(name) else { return fallback }
        guard let value = Int(text) else { throw ConfigurationError(name, "must be a whole number, got '\(text)'") }
        guard range.contains(value) else {
            throw ConfigurationError(name, "must be between \(range.lowerBound) and \(range.upperBound), got \(value)")
        }
        return value
    }

    func bool(_ name: String, default fallback: Bool) throws -> Bool {
        guard let text = string(name)?.lowercased() else { return fallback }
        switch text {
        case "1", "true", "yes", "on": return true
        case "0", "false", "no", "off": return false
        default: throw ConfigurationError(name, "must be true or false, got '\(text)'")
        }
    }

    func choice(_ name: String, default fallback: String, from allowed: [String]) throws -> String {
        guard let text = string(name)?.lowercased() else { return fallback }
        guard allowed.contains(text) else {
            throw ConfigurationError(name, "must be one of \(allowed.joined(separator: ", ")), got '\(text)'")
        }
        return text
    }

    /// A required secret: its value is never printed.
    func secret(_ name: String, minimumLength: Int, hint: String) throws -> String {
        guard let value = values[name], !value.isEmpty else { throw ConfigurationError(name, "is required (\(hint))") }
        guard value.utf8.count >= minimumLength else {
            throw ConfigurationError(name, "must be at least \(minimumLength) characters (got \(value.utf8.count))")
        }
        return value
    }
}

/// `.env` files: `NAME=value` lines, `#` comments, optional quotes. Real environment variables win.
public enum EnvironmentFile {
    public static func parse(_ text: String) -> [String: String] {
        var result: [String: String] = [:]
        for rawLine in text.split(whereSeparator: \.isNewline) {
            var line = rawLine.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") { continue }
            if line.hasPrefix("export ") { line.removeFirst(7) }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == value.last, first == "\"" || first == "'" {
                value = String(value.dropFirst().dropLast())
            }
            result[key] = value
        }
        return result
    }

    /// The process environment overlaid on the file's values (if the file exists).
    public static func merged(file path: String, environment: [String: String] = ProcessInfo.processInfo.environment) -> [String: String] {
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else { return environment }
        return parse(text).merging(environment) { _, real in real }
    }
}
