import Foundation
import Relay

/// Expectations on values: a scalar means "equal" (numbers numerically); a mapping with one of
/// `contains`, `not_contains`, `regex`, `range: [min, max]`, `exists: bool`, `not`, `length`, `one_of`
/// states something else.
public enum ScenarioMatcher {
    static let operators: Set<String> = ["contains", "not_contains", "regex", "range", "exists", "not", "length", "one_of", "equals"]

    /// nil when `actual` satisfies `expected`; otherwise what is wrong.
    public static func mismatch(_ actual: Any?, _ expected: Any) -> String? {
        if let spec = expected as? [String: Any], spec.count >= 1, spec.keys.allSatisfy(operators.contains) {
            for (op, value) in spec {
                if let problem = check(op, value, actual) { return problem }
            }
            return nil
        }
        return equal(actual, expected) ? nil : "expected \(render(expected)), got \(render(actual))"
    }

    private static func check(_ op: String, _ value: Any, _ actual: Any?) -> String? {
        switch op {
        case "equals":
            return equal(actual, value) ? nil : "expected \(render(value)), got \(render(actual))"
        case "exists":
            let wanted = (value as? Bool) ?? true
            let present = actual != nil && !(actual is NSNull)
            return present == wanted ? nil : (wanted ? "expected a value, got nothing" : "expected nothing, got \(render(actual))")
        case "contains":
            if let array = actual as? [Any] { return array.contains { equal($0, value) } ? nil : "expected \(render(actual)) to contain \(render(value))" }
            return text(actual).contains(text(value)) ? nil : "expected \(render(actual)) to contain \(render(value))"
        case "not_contains":
            if let array = actual as? [Any] { return array.contains { equal($0, value) } ? "expected \(render(actual)) not to contain \(render(value))" : nil }
            return text(actual).contains(text(value)) ? "expected \(render(actual)) not to contain \(render(value))" : nil
        case "regex":
            return text(actual).range(of: text(value), options: .regularExpression) != nil ? nil : "expected \(render(actual)) to match /\(text(value))/"
        case "range":
            guard let bounds = value as? [Any], bounds.count == 2, let low = number(bounds[0]), let high = number(bounds[1]) else { return "range needs [min, max]" }
            // Redis answers numbers as strings: a numeric string counts.
            guard let n = number(actual) ?? (actual as? String).flatMap(Double.init) else { return "expected a number in [\(low), \(high)], got \(render(actual))" }
            return (low...high).contains(n) ? nil : "expected a number in [\(low), \(high)], got \(render(actual))"
        case "not":
            return equal(actual, value) ? "expected anything but \(render(value))" : nil
        case "length":
            let count = (actual as? [Any])?.count ?? (actual as? [String: Any])?.count ?? (actual as? String)?.count
            return count.map { equal($0, value) } == true ? nil : "expected length \(render(value)), got \(count.map(String.init) ?? "none")"
        case "one_of":
            return (value as? [Any])?.contains { equal(actual, $0) } == true ? nil : "expected one of \(render(value)), got \(render(actual))"
        default:
            return "unknown matcher \(op)"
        }
    }

    public static func equal(_ actual: Any?, _ expected: Any?) -> Bool {
        switch (actual, expected) {
        case (nil, nil), (is NSNull, nil), (nil, is NSNull), (is NSNull, is NSNull): return true
        case (nil, _), (_, nil): return false
        default: break
        }
        if let a = actual as? NSNumber, let e = expected as? NSNumber, JSON.isBoolean(a) != JSON.isBoolean(e) {
            return false
        }
        if let a = bool(actual), let e = bool(expected) { return a == e }
        if let a = number(actual), let e = number(expected), !(actual is String && expected is String) { return a == e }
        if let a = actual as? String, let e = expected as? String { return a == e }
        if let a = actual as? String, let e = number(expected) { return Double(a) == e }
        if let a = actual as? [Any], let e = expected as? [Any] { return a.count == e.count && zip(a, e).allSatisfy { equal($0, $1) } }
        if let a = actual as? [String: Any], let e = expected as? [String: Any] {
            return a.count == e.count && e.allSatisfy { key, value in a[key].map { equal($0, value) } ?? false }
        }
        return render(actual) == render(expected)
    }

    static func bool(_ value: Any?) -> Bool? {
        if let number = value as? NSNumber, JSON.isBoolean(number) { return number.boolValue }
        return value as? Bool
    }

    static func number(_ value: Any?) -> Double? {
        if let number = value as? NSNumber, !JSON.isBoolean(number) { return number.doubleValue }
        if let int = value as? Int { return Double(int) }
        if let double = value as? Double { return double }
        return nil
    }

    static func text(_ value: Any?) -> String {
        if let string = value as? String { return string }
        return render(value)
    }

    public static func render(_ value: Any?) -> String {
        guard let value, !(value is NSNull) else { return "null" }
        if let string = value as? String { return "\"\(string)\"" }
        if JSONSerialization.isValidJSONObject(value), let data = try? JSONSerialization.data(withJSONObject: value, options: [.sortedKeys, .withoutEscapingSlashes]) {
            return String(decoding: data, as: UTF8.self)
        }
        return "\(value)"
    }
}

/// `data.items.0.name`-style lookups into decoded JSON; `$` is the root.
public enum JSONPath {
    public static func lookup(_ root: Any?, _ path: String) -> Any? {
        if path == "$" || path.isEmpty { return root }
        var current = root
        for part in path.split(separator: ".").map(String.init) {
            if let object = current as? [String: Any] {
                current = object[part]
            } else if let array = current as? [Any], let index = Int(part) {
                current = index >= 0 && index < array.count ? array[index] : nil
            } else if let array = current as? [Any], part == "length" {
                current = array.count
            } else {
                return nil
            }
        }
        return current
    }
}
