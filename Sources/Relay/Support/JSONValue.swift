import Foundation

/// Small helpers for `JSONSerialization` objects, used where the relay must keep a client's JSON as it is
/// (bodies are forwarded untouched) and only look at a few fields.
public enum JSON {
    public static func object(_ data: Data) -> [String: Any]? {
        JSONParser.parse(data) as? [String: Any]
    }

    public static func data(_ object: Any) -> Data {
        if let data = JSONWriter.data(object) { return data }
        return (try? JSONSerialization.data(withJSONObject: object, options: [.withoutEscapingSlashes, .sortedKeys])) ?? Data("{}".utf8)
    }

    public static func string(_ object: Any) -> String { String(decoding: data(object), as: UTF8.self) }

    /// Parses a JSON array of strings stored as a Redis field (`["a","b"]`); anything else → [].
    public static func stringArray(_ text: String?) -> [String] {
        guard let text, let array = JSONParser.parse(Data(text.utf8)) as? [Any] else { return [] }
        return array.compactMap { $0 as? String }
    }

    /// JSON `true`/`false` (NSNumber bridging would otherwise make 1 a Bool and true a number).
    public static func bool(_ value: Any?) -> Bool? {
        guard let number = value as? NSNumber, isBoolean(number) else { return nil }
        return number.boolValue
    }

    /// A JSON number that is not a boolean.
    public static func number(_ value: Any?) -> Double? {
        guard let number = value as? NSNumber, !isBoolean(number) else { return nil }
        let double = number.doubleValue
        return double.isFinite ? double : nil
    }

    /// A whole JSON number, or a string holding one (forms often send "8080").
    public static func int(_ value: Any?) -> Int? {
        if let number = number(value) { return Int(exactly: number) }
        if let text = value as? String { return Int(text.trimmingCharacters(in: .whitespaces)) }
        return nil
    }

    public static func isBoolean(_ number: NSNumber) -> Bool {
        String(cString: number.objCType) == "c"
    }
}
