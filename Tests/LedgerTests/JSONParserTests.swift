import Foundation
import Testing
@testable import Ledger

@Suite("JSON parser")
struct JSONParserTests {
    @Test func parsesEveryKindOfValue() throws {
        let value = try JSONValue.parse(#" {"a": [1, -2, 0, 9223372036854775807, -9223372036854775808], "b": {"c": null, "d": true, "e": false}, "s": "x\"\\\/\b\f\n\r\t\u00e9\ud83d\ude00"} "#)
        #expect(value == .object([
            "a": .array([.int(1), .int(-2), .int(0), .int(.max), .int(.min)]),
            "b": .object(["c": .null, "d": .bool(true), "e": .bool(false)]),
            "s": .string("x\"\\/\u{08}\u{0C}\n\r\té😀"),
        ]))
    }

    @Test(arguments: [
        ("1.5", "only whole numbers"), ("1e3", "only whole numbers"), ("9223372036854775808", "too large"),
        ("01", "may not start with 0"), (#"{"a":1,"a":2}"#, "appears twice"), ("[1,]", "unexpected character"),
        (#"{"a":1} x"#, "after the JSON value"), ("\"tab\there\"", "control characters"), (#""\ud800""#, "unpaired surrogate"),
        (#""\q""#, "unknown escape"), ("", "unexpected end"), ("[", "unexpected end"), ("nul", "unexpected"),
        (String(repeating: "[", count: 65) + String(repeating: "]", count: 65), "nested more than 64"),
    ])
    func refusesWhatTheLedgerCannotStoreExactly(_ text: String, _ problem: String) {
        #expect { try JSONValue.parse(text) } throws: { error in
            (error as? JSONValueError)?.message.contains(problem) == true
        }
    }

    @Test func refusesInvalidUTF8() {
        #expect(throws: JSONValueError.self) { try JSONValue.parse(Data([0x22, 0xFF, 0x22])) }
    }

    @Test func agreesWithFoundationOnValidInput() throws {
        let text = #"{"title":"Justicia para las víctimas","sources":["https://www.cndh.org.mx/"],"target_seq":42,"ok":true}"#
        let ours = try JSONValue.parse(text)
        let foundation = try JSONDecoder().decode(JSONValue.self, from: Data(text.utf8))
        #expect(ours == foundation)
    }
}
