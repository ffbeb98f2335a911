import Foundation
import LedgerTestSupport
import Testing
@testable import Ledger

import LedgerSynthetic

/// The golden vectors (`GoldenVectors`) give their hashes, and the canonical encoding holds.
@Suite("Canonical encoding and golden hashes")
struct CanonicalHashTests {
    @Test func goldenVectorsGiveTheirHashes() {
        #expect(GoldenVectors.entries.map(\.hash) == GoldenVectors.hashes)
        #expect(GoldenVectors.entries[1].prevHash == GoldenVectors.hashes[0])
    }

    @Test func canonicalBytesOfTheFirstGoldenEntry() {
        #expect(GoldenVectors.entries[0].canonicalText == #"{"author":"policy-team","effective":"2023-01-09","id":"00000000-0000-4000-8000-000000000001","payload":{"country":"MX","kind":"institution","name":"Comisión Nacional de los Derechos Humanos"},"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","recorded_at":"2023-01-09T12:00:00.000Z","salt":"00112233445566778899aabbccddeeff","schema":1,"seq":1,"subject":"cndh","type":"actor.registered","visibility":"public"}"#)
    }

    @Test func stringEscapesFollowRFC8785() {
        let value = JSONValue.string("quote \" backslash \\ newline \n tab \t bell \u{07} formfeed \u{0C} del \u{7F} é 🙂")
        #expect(value.canonicalText == #""quote \" backslash \\ newline \n tab \t bell \u0007 formfeed \f del "# + "\u{7F} é 🙂\"")
    }

    @Test func objectKeysSortByUTF16CodeUnits() {
        // U+FB01 sorts after U+1F600's surrogates in UTF-16 but before it by code point.
        let value = JSONValue.object(["b": .int(2), "a": .int(1), "\u{FB01}": .int(3), "😀": .int(4), "B": .null])
        #expect(value.canonicalText == "{\"B\":null,\"a\":1,\"b\":2,\"😀\":4,\"\u{FB01}\":3}")
    }

    @Test func parsingAndReencodingIsStable() throws {
        let text = #"{ "z": [1, -2, true, false, null], "a": {"y": "ü", "x": ""} }"#
        let value = try JSONValue.parse(text)
        #expect(value.canonicalText == #"{"a":{"x":"","y":"ü"},"z":[1,-2,true,false,null]}"#)
        #expect(try JSONValue.parse(value.canonicalText) == value)
    }

    @Test func floatingPointIsRefused() {
        #expect(throws: JSONValueError.self) { try JSONValue.parse(#"{"amount": 1.5}"#) }
    }

    @Test func changingAnyFieldChangesTheHash() {
        let original = GoldenVectors.entries[1]
        var changed = original
        changed.payload = .object(["title": .string("Justice")])
        #expect(changed.computedHash != original.hash)
        changed = original
        changed.visibility = .public
        #expect(changed.computedHash != original.hash)
        changed = original
        changed.salt = "00000000000000000000000000000000"
        #expect(changed.computedHash != original.hash)
        #expect(original.computedHash == original.hash)
    }

    @Test func exchangeFormatRoundTrips() throws {
        for entry in GoldenVectors.entries {
            let line = entry.exchangeJSON.canonicalText
            #expect(try Entry(exchangeJSON: JSONValue.parse(line)) == entry)
        }
    }

    @Test func exchangeFormatNamesTheBadField() throws {
        var json = GoldenVectors.entries[0].exchangeJSON
        guard case .object(var members) = json else { return }
        members["effective"] = .string("2023-02-30")
        json = .object(members)
        #expect(throws: LedgerError(field: "effective", "'2023-02-30' is not a real date (YYYY-MM-DD or YYYY-MM-DDTHH:MM:SSZ)")) {
            try Entry(exchangeJSON: json)
        }
        members["effective"] = .string("2023-01-09")
        members["colour"] = .string("red")
        #expect(throws: LedgerError(field: "colour", "is not a field of a ledger entry")) {
            try Entry(exchangeJSON: .object(members))
        }
    }
}

@Suite("Canonical entry bytes")
struct CanonicalEntryTests {
    /// The direct writer and the general encoder of the same object agree byte for byte,
    /// escapes and non-ASCII included.
    @Test func theDirectWriterMatchesTheGeneralEncoder() throws {
        for entry in Array(SyntheticLedger(count: 300, seed: 11)) + [Self.awkward] {
            guard case .object(let general) = try JSONValue.parse(entry.exchangeLine) else { Issue.record("not an object"); return }
            #expect(JSONValue.object(general).canonicalText == entry.exchangeLine)
            var withoutHash = general
            withoutHash["hash"] = nil
            #expect(JSONValue.object(withoutHash).canonicalText == entry.canonicalText)
        }
    }

    static let awkward = Entry(
        draft: EntryDraft(type: .followupLogged, subject: "a-subject", effective: EffectiveTime("2023-07-01")!,
                          author: "Zoë \"quoted\" \\ back", payload: .object([
                              "note": .string("line\nbreak\ttab \u{01} ctrl é 日本 😀"), "kind": .string("note"),
                              "é": .string("non-ASCII key"), "z": .int(-5), "a": .array([.bool(true), .null]),
                          ])),
        seq: 7, recordedAt: "2026-11-22T08:30:07.000Z", prevHash: ChainHash.genesis)
}
