import Foundation

/// What an admin pastes after consenting (docs/oauth.md): the whole callback URL (its
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
            // A callback URL always carries the state it was started with: one without it, or with another, is not
            // this authorization's (a pasted link from someone else's flow).
            if let expectedState, items.first(where: { $0.name == "state" })?.value != expectedState {
                throw Invalid(description: "the callback URL belongs to another authorization (state does not match, or is missing)")
            }
            return code
        }
        let code = String(text.prefix { $0 != "#" && $0 != "&" })
        // `code#state` (what Claude's callback page shows) or `code&state=…`: a state given must be this one.
        if let expectedState, let given = Self.pastedState(text.dropFirst(code.count)), given != expectedState {
            throw Invalid(description: "the pasted code belongs to another authorization (state does not match)")
        }
        guard code.count >= 10, code.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_" || $0 == "-") }) else {
            throw Invalid(description: "the authorization code must be at least 10 characters of letters, digits, '_' or '-'")
        }
        return code
    }

    /// The state after a pasted code: `#<state>`, or `&state=<state>` among `&`-separated pairs.
    static func pastedState(_ rest: Substring) -> String? {
        guard let first = rest.first else { return nil }
        let tail = rest.dropFirst()
        if first == "#" {
            let state = tail.prefix { $0 != "&" }
            return state.isEmpty ? nil : String(state)
        }
        return FormEncoding.decode(String(tail)).first { $0.key == "state" }?.value
    }

    private static func fragmentItems(_ fragment: String?) -> [URLQueryItem] {
        guard let fragment, !fragment.isEmpty else { return [] }
        return FormEncoding.decode(fragment).map { URLQueryItem(name: $0.key, value: $0.value) }
    }
}
