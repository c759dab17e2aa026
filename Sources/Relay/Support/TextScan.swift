/// Hand-written matchers for the patterns the request path tests on every call. On Linux, Foundation's
/// `range(of:options: .regularExpression)` compiles an ICU regular expression on each call; five of them per
/// relayed request were ~6 % of the relay's CPU (perf, `crs bench relay`). Digits are ASCII digits here (ICU's
/// `\d` also accepts other scripts' digits, which no client sends).
enum TextScan {
    /// `^claude-cli/(\d+\.\d+\.\d+)` → the version; `caseInsensitive` applies to the `claude-cli/` prefix.
    static func claudeCLIVersion(_ text: String, caseInsensitive: Bool = false) -> String? {
        let bytes = Array(text.utf8)
        let prefix = Array("claude-cli/".utf8)
        guard bytes.count > prefix.count else { return nil }
        for index in 0..<prefix.count {
            let byte = caseInsensitive ? lowercased(bytes[index]) : bytes[index]
            guard byte == prefix[index] else { return nil }
        }
        guard let end = dottedVersionEnd(bytes, from: prefix.count) else { return nil }
        return String(decoding: bytes[prefix.count..<end], as: UTF8.self)
    }

    /// `^user_[a-fA-F0-9]{64}_account_[\w-]*_session_[\w-]+$`: Claude Code's classic `metadata.user_id`.
    static func isClaudeCodeUserID(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        let head = Array("user_".utf8), account = Array("_account_".utf8), session = Array("_session_".utf8)
        guard bytes.count >= head.count + 64 + account.count + session.count + 1, bytes.starts(with: head) else { return false }
        guard bytes[head.count..<head.count + 64].allSatisfy(isHex) else { return false }
        let restStart = head.count + 64 + account.count
        guard bytes[head.count + 64..<restStart].elementsEqual(account) else { return false }
        // `[\w-]*_session_[\w-]+$`: the rest is word characters and dashes (`_` is one), and some `_session_` in
        // it is followed by at least one more of them.
        guard String(decoding: bytes[restStart...], as: UTF8.self).unicodeScalars.allSatisfy(isWordOrDash) else { return false }
        var index = restStart
        while index + session.count < bytes.count {
            if bytes[index..<index + session.count].elementsEqual(session) { return true }
            index += 1
        }
        return false
    }

    /// The 36 characters after the first `session_` followed by 36 of `[a-fA-F0-9-]`.
    static func sessionUUID(in text: String) -> String? {
        let bytes = Array(text.utf8)
        let marker = Array("session_".utf8)
        var index = 0
        while index + marker.count + 36 <= bytes.count {
            if bytes[index..<index + marker.count].elementsEqual(marker) {
                let start = index + marker.count
                let candidate = bytes[start..<start + 36]
                if candidate.allSatisfy({ isHex($0) || $0 == UInt8(ascii: "-") }) { return String(decoding: candidate, as: UTF8.self) }
            }
            index += 1
        }
        return nil
    }

    /// `^<prefix>v?[\d.]+` when `optionalV`, else `^<prefix>[\d.]+` (prefix matched exactly).
    static func hasVersion(after prefix: String, in text: String, optionalV: Bool = false) -> Bool {
        let bytes = Array(text.utf8), head = Array(prefix.utf8)
        guard bytes.starts(with: head) else { return false }
        var cursor = head.count
        if optionalV, cursor < bytes.count, bytes[cursor] == UInt8(ascii: "v") { cursor += 1 }
        return cursor < bytes.count && (isDigit(bytes[cursor]) || bytes[cursor] == UInt8(ascii: "."))
    }

    /// `\d+\.\d+\.\d+` anywhere after an occurrence of `marker`.
    static func hasDottedVersion(after marker: String, in text: String) -> Bool {
        let bytes = Array(text.utf8), head = Array(marker.utf8)
        guard !head.isEmpty, bytes.count > head.count else { return false }
        var index = 0
        while index + head.count <= bytes.count {
            if bytes[index..<index + head.count].elementsEqual(head), dottedVersionEnd(bytes, from: index + head.count) != nil { return true }
            index += 1
        }
        return false
    }

    /// `\d+\.\d+\.\d+` starting at `start`: where it ends, or nil.
    private static func dottedVersionEnd(_ bytes: [UInt8], from start: Int) -> Int? {
        var cursor = start
        for part in 0..<3 {
            if part > 0 {
                guard cursor < bytes.count, bytes[cursor] == UInt8(ascii: ".") else { return nil }
                cursor += 1
            }
            let digits = cursor
            while cursor < bytes.count, isDigit(bytes[cursor]) { cursor += 1 }
            guard cursor > digits else { return nil }
        }
        return cursor
    }

    /// `text.trimmingCharacters(in: .whitespaces)` without Foundation's CharacterSet, which cost ~10 µs a call on
    /// the request path; a value with nothing to trim is returned as is. Foundation's set is tab, the Unicode space
    /// separators and U+200B ZERO WIDTH SPACE (checked over every scalar; `HotPathTextTests`).
    static func trimmed(_ text: String) -> String {
        let scalars = text.unicodeScalars
        func isSpace(_ scalar: Unicode.Scalar) -> Bool {
            scalar == " " || scalar == "\t" || (!scalar.isASCII && (scalar == "\u{200B}" || scalar.properties.generalCategory == .spaceSeparator))
        }
        guard let first = scalars.firstIndex(where: { !isSpace($0) }) else { return "" }
        let last = scalars.lastIndex(where: { !isSpace($0) })!
        if first == scalars.startIndex && scalars.index(after: last) == scalars.endIndex { return text }
        return String(scalars[first...last])
    }

    /// Whether `text` starts with `prefix` (ASCII), ignoring ASCII case.
    static func hasPrefixIgnoringCase(_ text: String, _ prefix: String) -> Bool {
        var bytes = text.utf8.makeIterator()
        for expected in prefix.utf8 {
            guard let byte = bytes.next(), lowercased(byte) == lowercased(expected) else { return false }
        }
        return true
    }

    /// Whether `text` contains `part`, byte for byte. (Foundation's `contains`, which the plain call resolves to once
    /// Foundation is imported, goes through `range(of:options:)`; the standard library's `firstRange(of:)` is generic
    /// and unspecialised here — 2.4 % of the relay's CPU in a profile. A scan over the two UTF-8 buffers is neither.)
    static func contains(_ text: String, _ part: String) -> Bool {
        var text = text
        var part = part
        return text.withUTF8 { haystack in part.withUTF8 { contains(UnsafeRawBufferPointer(haystack), UnsafeRawBufferPointer($0)) } }
    }

    /// Whether `needle` occurs in `haystack`, byte for byte: the one substring scan of the request path and the
    /// stream meters (their cheap test for a marker before parsing an event's JSON).
    static func contains(_ haystack: UnsafeRawBufferPointer, _ needle: UnsafeRawBufferPointer) -> Bool {
        guard !needle.isEmpty else { return true }
        guard needle.count <= haystack.count else { return false }
        let first = needle[0]
        var start = 0
        while start <= haystack.count - needle.count {
            if haystack[start] == first {
                var matched = 1
                while matched < needle.count, haystack[start + matched] == needle[matched] { matched += 1 }
                if matched == needle.count { return true }
            }
            start += 1
        }
        return false
    }

    static func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    static func isHex(_ byte: UInt8) -> Bool {
        isDigit(byte) || (byte >= UInt8(ascii: "a") && byte <= UInt8(ascii: "f")) || (byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "F"))
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte + 32 : byte
    }

    /// ICU's `\w` (letters, marks, decimal digits, connector punctuation such as `_`) or `-`.
    private static func isWordOrDash(_ scalar: Unicode.Scalar) -> Bool {
        if scalar.isASCII {
            let byte = UInt8(scalar.value)
            return isDigit(byte) || (byte | 0x20 >= UInt8(ascii: "a") && byte | 0x20 <= UInt8(ascii: "z")) || byte == UInt8(ascii: "_") || byte == UInt8(ascii: "-")
        }
        let properties = scalar.properties
        switch properties.generalCategory {
        case .decimalNumber, .connectorPunctuation, .nonspacingMark, .spacingMark, .enclosingMark: return true
        default: return properties.isAlphabetic || properties.isJoinControl
        }
    }
}
