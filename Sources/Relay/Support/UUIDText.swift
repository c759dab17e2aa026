import Foundation

extension UUID {
    /// The lowercase text form (`uuidString.lowercased()`) written straight from the 16 bytes: one string, no
    /// uppercase copy. Request ids, lease members and usage-event ids are made this way several times per request.
    var lowercasedString: String {
        withUnsafeBytes(of: uuid) { bytes in
            String(unsafeUninitializedCapacity: 36) { text in
                var at = 0
                for (index, byte) in bytes.enumerated() {
                    if index == 4 || index == 6 || index == 8 || index == 10 {
                        text[at] = UInt8(ascii: "-")
                        at += 1
                    }
                    text[at] = Self.hexDigits[Int(byte >> 4)]
                    text[at + 1] = Self.hexDigits[Int(byte & 0x0F)]
                    at += 2
                }
                return at
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)
}
