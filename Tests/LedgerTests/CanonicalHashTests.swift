import Foundation
import Testing
@testable import Ledger
import LedgerStores
import LedgerSynthetic

/// Fixed inputs and the hashes they must give, computed independently (Python's json with
/// sorted keys and hashlib). Every store must reproduce these bytes and hashes exactly.
@Suite("Canonical encoding and golden hashes")
struct CanonicalHashTests {
    static let goldenEntries: [Entry] = {
        var entries: [Entry] = []
        var prev = ChainHash.genesis
        let inputs: [(Int64, String, EntryType, String, String, String, Visibility, JSONValue, String)] = [
            (1, "00000000-0000-4000-8000-000000000001", .actorRegistered, "cndh", "2023-01-09", "2023-01-09T12:00:00.000Z", .public,
             .object(["name": .string("Comisión Nacional de los Derechos Humanos"), "kind": .string("institution"), "country": .string("MX")]),
             "00112233445566778899aabbccddeeff"),
            (2, "00000000-0000-4000-8000-000000000002", .demandRecorded, "justice-juarez-fire", "2023-06-30T17:00:00Z", "2023-06-30T18:30:15.250Z", .internal,
             .object(["title": .string("Justice for the victims of the \"Ciudad Juárez\" fire"),
                      "summary": .string("Line one\nLine two\ttabbed \\ backslash"), "by": .array([.string("cndh")]),
                      "sources": .array([.string("https://example.org/a?b=1&c=2")])]),
             "ffeeddccbbaa99887766554433221100"),
            (3, "00000000-0000-4000-8000-000000000003", .entryCorrected, "justice-juarez-fire", "2023-07-01", "2023-07-01T00:00:00.000Z", .internal,
             .object(["target_seq": .int(2), "fields": .object(["title_es": .string("Justicia para las víctimas"), "summary": .null]),
                      "reason": .string("Añadir título en español 🙂")]),
             "0123456789abcdef0123456789abcdef"),
        ]
        for (seq, id, type, subject, effective, recordedAt, visibility, payload, salt) in inputs {
            let draft = EntryDraft(id: UUID(uuidString: id)!, type: type, subject: subject, effective: EffectiveTime(effective)!,
                                   author: "policy-team", visibility: visibility, payload: payload, salt: salt)
            let entry = Entry(draft: draft, seq: seq, recordedAt: recordedAt, prevHash: prev)
            entries.append(entry)
            prev = entry.hash
        }
        return entries
    }()

    static let goldenHashes = [
        "8b028403d307b40ef5ae87601da0d1e9543379b2dd8de8684e3cb5b884fd1099",
        "6cab0c01797b15536c74055df6fe48b36fa3b65ce81e2c8555425678f95b7c0f",
        "59b4092760054a22919c70015e6740bf754a85b88eef4a9fb3cd3bc16a84fde3",
    ]

    @Test func goldenVectorsGiveTheirHashes() {
        #expect(Self.goldenEntries.map(\.hash) == Self.goldenHashes)
        #expect(Self.goldenEntries[1].prevHash == Self.goldenHashes[0])
    }

    @Test func canonicalBytesOfTheFirstGoldenEntry() {
        #expect(Self.goldenEntries[0].canonicalText == #"{"author":"policy-team","effective":"2023-01-09","id":"00000000-0000-4000-8000-000000000001","payload":{"country":"MX","kind":"institution","name":"Comisión Nacional de los Derechos Humanos"},"prev_hash":"0000000000000000000000000000000000000000000000000000000000000000","recorded_at":"2023-01-09T12:00:00.000Z","salt":"00112233445566778899aabbccddeeff","schema":1,"seq":1,"subject":"cndh","type":"actor.registered","visibility":"public"}"#)
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
        let original = Self.goldenEntries[1]
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
        for entry in Self.goldenEntries {
            let line = entry.exchangeJSON.canonicalText
            #expect(try Entry(exchangeJSON: JSONValue.parse(line)) == entry)
        }
    }

    @Test func exchangeFormatNamesTheBadField() throws {
        var json = Self.goldenEntries[0].exchangeJSON
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
