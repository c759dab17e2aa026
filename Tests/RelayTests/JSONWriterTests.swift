import Foundation
import Relay
import Testing

/// `JSON.data` (the relay's own writer): byte-ordered keys, Foundation-compatible numbers and escapes, and values
/// parsed by `JSONSerialization` (NSNumber booleans and numbers) written back as they were.
@Suite("JSON writer")
struct JSONWriterTests {
    @Test func writesNativeValuesWithSortedKeys() {
        let object: [String: Any] = [
            "b": 1, "a": [true, false, NSNull()], "Z": "upper first", "d": 2.0, "e": 0.000684, "f": -5.4e-05,
            "nested": ["y": "x", "x": [Int64(9), "s"]], "empty": [String: Any](), "list": [Any](),
        ]
        #expect(JSON.string(object) == #"{"Z":"upper first","a":[true,false,null],"b":1,"d":2,"e":0.000684,"empty":{},"f":-5.4e-05,"list":[],"nested":{"x":[9,"s"],"y":"x"}}"#)
    }

    @Test func escapesLikeJSONSerializationWithoutEscapingSlashes() {
        let text = "quote\" back\\slash /path\nline\ttab\u{01}中文🙂"
        #expect(JSON.string(["t": text]) == #"{"t":"quote\" back\\slash /path\nline\ttab\u0001中文🙂"}"#)
        // And it parses back to the same string.
        #expect(JSON.object(JSON.data(["t": text]))?["t"] as? String == text)
    }

    @Test func roundTripsParsedNumbersAndBooleans() throws {
        let source = #"{"big":12345678901234,"bool":true,"false":false,"half":1.5,"one":1,"zero":0}"#
        let parsed = try #require(JSON.object(Data(source.utf8)))
        #expect(JSON.string(parsed) == source)
    }

    @Test func nonFiniteNumbersAreNotWrittenAsJSON() {
        // Not representable: falls back to Foundation, which refuses, giving the empty object.
        #expect(JSON.string(["x": Double.nan]) == "{}")
    }
}
