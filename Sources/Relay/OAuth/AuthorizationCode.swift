import Foundation

/// What an admin pastes after consenting (behaviour.md §8.1 `parseCallbackUrl`): the whole callback URL (its
/// `code` parameter is used, and its `state` must match the session's), or the bare code — Claude's page shows
/// `code#state`, so anything after `#` or `&` is dropped.
public enum AuthorizationCode {
    public struct Invalid: Error, CustomStringConvertible {
        public let description: String
    }

    public static func parse(_ input: String, expectedState: String?) throws -> String {
        let text = input.trimmingCharacters(in: .whitespacesAndNewlines)
        guard !text.isEmpty else { throw Invalid(description: "the authorization code is empty") }
        if text.lowercased().hasPrefix("http://") || text.lowercased().hasPrefix("https://") {
            guard let components = URLComponents(string: text) else { throw Invalid(description: "the callback URL cannot be parsed") }
            let items = (components.queryItems ?? []) + fragmentItems(components.fragment)
            guard let code = items.first(where: { $0.name == "code" })?.value, !code.isEmpty else {
                throw Invalid(description: "the callback URL has no code parameter")
            }
            if let expectedState, let state = items.first(where: { $0.name == "state" })?.value, state != expectedState {
                throw Invalid(description: "the callback URL belongs to another authorization (state does not match)")
            }
            return code
        }
        let code = String(text.prefix { $0 != "#" && $0 != "&" })
        guard code.count >= 10, code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw Invalid(description: "the authorization code must be at least 10 characters of letters, digits, '_' or '-'")
        }
        return code
    }

    private static func fragmentItems(_ fragment: String?) -> [URLQueryItem] {
        guard let fragment, !fragment.isEmpty else { return [] }
        return FormEncoding.decode(fragment).map { URLQueryItem(name: $0.key, value: $0.value) }
    }
}
