import Foundation

/// Number formatting for the request path without Foundation's `String(format:)`, which on Linux goes through
/// CFString's format parser (~3 % of the relay's CPU for the date buckets and cost counters of each request).
enum DecimalText {
    /// `value` as printf's `%.10f` writes it: the cost counters and billing events (Node writes cost the same way).
    /// Exact, like glibc: the double's binary value times 10¹⁰, rounded half to even, in 128-bit integers — no
    /// `vsnprintf` (whose `CVarArg` list is a heap object and a dynamic cast per call: five per usage write).
    static func fixed10(_ value: Double) -> String {
        let magnitude = value.magnitude
        guard magnitude.isFinite, magnitude < 1e15 else { return printf10(value) }  // NaN, ±inf, huge: printf's own text
        let significand = UInt128(magnitude.significandBitPattern | (magnitude.isNormal ? 1 << 52 : 0))
        let exponent = magnitude.isNormal ? Int(magnitude.exponentBitPattern) - 1075 : -1074  // magnitude = significand · 2^exponent
        let scaled = significand * 10_000_000_000  // < 2⁵³ · 2³⁴
        var units: UInt128
        if exponent >= 0 {
            units = scaled << exponent  // magnitude < 10¹⁵, so this stays below 10²⁵
        } else if -exponent >= 127 {
            units = 0  // below half a unit of the tenth decimal
        } else {
            let shift = -exponent
            units = scaled >> shift
            let remainder = scaled - (units << shift)
            let half = UInt128(1) << (shift - 1)
            if remainder > half || (remainder == half && units & 1 == 1) { units += 1 }
        }
        var digits = Array(String(units).utf8)
        if digits.count < 11 { digits.insert(contentsOf: repeatElement(UInt8(ascii: "0"), count: 11 - digits.count), at: 0) }
        digits.insert(UInt8(ascii: "."), at: digits.count - 10)
        if value.sign == .minus { digits.insert(UInt8(ascii: "-"), at: 0) }
        return String(decoding: digits, as: UTF8.self)
    }

    /// `%.10f` by the C library (values `fixed10` does not take on itself).
    static func printf10(_ value: Double) -> String {
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
