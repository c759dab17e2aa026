import Foundation
@testable import Relay
import Testing

/// The relay's JSON parser against Foundation's: the same documents accepted, the same ones refused, and what it
/// builds writes back to the same text (types included: booleans stay booleans, whole numbers stay whole). One
/// deliberate difference: a key repeated in an object is refused.
@Suite("JSON parser")
struct JSONParserTests {
    static let accepted = [
        #"{"model":"claude-sonnet-4-5","max_tokens":16,"stream":true,"temperature":0.7,"metadata":{"user_id":"u"},"messages":[{"role":"user","content":"hi"}]}"#,
        #"  { "a" : [ 1 , -2 , 3.5 , -0.25e-3 , 1E+2 , 0 , -0 ] , "b" : { } , "c" : [ ] , "d" : null , "e" : false }  "#,
        #"{"esc":"quote\" back\\ slash\/ \b\f\n\r\t \u00e9 \u4e2d \ud83d\ude00 end","raw":"中文🙂"}"#,
        #"{"big":12345678901234567890,"huge":1.5e300}"#,
        #"[1,"two",{"three":[3]}]"#, #""just a string""#, "42", "true", "null",
    ]
    static let refused = [
        "", " ", "{", "}", "[1,]", "{\"a\":1,}", "{'a':1}", "{\"a\" 1}", "[01]", "[1.]", "[.5]", "[1e]", "[-]", "[+1]",
        "{\"a\":tru}", "{\"a\":nul}", "\"unterminated", "\"tab\there\"", "\"bad \\x escape\"", "\"\\u12\"", "\"\\ud83d alone\"",
        "\"\\ude00 low\"", "[1] [2]", "{\"a\":1}x", "[1e400]", "NaN", "[Infinity]",
        // Unlike Foundation (last one wins): a relay must not read another request than its upstream does.
        "{\"dup\":1,\"dup\":2}",
    ]

    @Test func acceptsWhatFoundationAcceptsAndBuildsTheSameValues() throws {
        for text in Self.accepted {
            let ours = try #require(JSONParser.parse(Data(text.utf8)), "refused: \(text)")
            let theirs = try #require(try? JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]), "Foundation refused: \(text)")
            #expect(JSON.string(ours) == JSON.string(theirs), "\(text)")
        }
        let body = try #require(JSON.object(Data(Self.accepted[0].utf8)))
        #expect(JSON.bool(body["stream"]) == true && JSON.int(body["max_tokens"]) == 16 && JSON.number(body["temperature"]) == 0.7)
        #expect(JSON.bool(body["max_tokens"]) == nil && JSON.number(body["stream"]) == nil)  // 1 is no boolean, true no number
        #expect((body["messages"] as? [[String: Any]])?.first?["content"] as? String == "hi")
        // Large negative integers stay exact (Foundation's parser on Linux turns them into doubles).
        #expect(JSON.string(JSONParser.parse(Data("[-9223372036854775807]".utf8))!) == "[-9223372036854775807]")
    }

    @Test func refusesWhatIsNotJSON() {
        for text in Self.refused {
            #expect(JSONParser.parse(Data(text.utf8)) == nil, "accepted: \(text)")
        }
        #expect(JSONParser.parse(Data([0x22, 0xFF, 0xFE, 0x22])) == nil)  // invalid UTF-8 inside a string
        #expect(JSONParser.parse(Data([0x22, 0x5C, 0x6E, 0xC3, 0x22])) == nil)  // truncated sequence after an escape
    }

    @Test func deepNestingIsRefusedNotACrash() {
        let deep = String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000)
        #expect(JSONParser.parse(Data(deep.utf8)) == nil)
        let fine = String(repeating: "[", count: 500) + String(repeating: "]", count: 500)
        #expect(JSONParser.parse(Data(fine.utf8)) != nil)
    }
}
