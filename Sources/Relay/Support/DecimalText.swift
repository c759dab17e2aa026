import Foundation

/// Number formatting for the request path without Foundation's `String(format:)`, which on Linux goes through
/// CFString's format parser (~3 % of the relay's CPU for the date buckets and cost counters of each request).
enum DecimalText {
    /// `value` as printf's `%.10f` writes it: the cost counters and billing events (Node writes cost the same way).
    static func fixed10(_ value: Double) -> String {
        withUnsafeTemporaryAllocation(of: CChar.self, capacity: 48) { buffer -> String in
            let written = withVaList([value]) { vsnprintf(buffer.baseAddress!, 48, "%.10f", $0) }
            guard written > 0, written < 48 else { return String(format: "%.10f", value) }  // huge values
            return String(decoding: UnsafeRawBufferPointer(start: buffer.baseAddress!, count: Int(written)).bindMemory(to: UInt8.self), as: UTF8.self)
        }
    }

    /// A non-negative integer with leading zeros to `width` digits (`%0Nd`).
    static func padded(_ value: Int, _ width: Int) -> String {
        let digits = String(value)
        return digits.utf8.count >= width ? digits : String(repeating: "0", count: width - digits.utf8.count) + digits
    }
}
