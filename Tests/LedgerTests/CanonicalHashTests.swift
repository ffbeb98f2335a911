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

/// Reading exchange lines straight from their bytes (`verify --remote`): every canonical
/// line is read and hashed as the encoder does; anything not canonical is left to the
/// general parser.
struct CanonicalEntryScanTests {
    static let lines = (Array(SyntheticLedger(count: 300, seed: 11)) + [CanonicalEntryTests.awkwardASCIIKeys]).map(\.exchangeLine)

    @Test func everyCanonicalLineIsReadAndHashed() throws {
        for (entry, line) in zip(Array(SyntheticLedger(count: 300, seed: 11)) + [CanonicalEntryTests.awkwardASCIIKeys], Self.lines) {
            let scan = try #require(CanonicalEntryScan(Array(line.utf8)[...]), "\(line.prefix(80))")
            #expect(scan.seq == entry.seq && scan.hash == entry.hash && scan.prevHash == entry.prevHash)
            #expect(scan.computedHash == entry.hash)
        }
    }

    @Test func anAlteredLineNoLongerHashes() throws {
        let line = Self.lines[5].replacingOccurrences(of: "\"author\":\"", with: "\"author\":\"x")
        let scan = try #require(CanonicalEntryScan(Array(line.utf8)[...]))
        #expect(scan.computedHash != scan.hash)
    }

    @Test func whatIsNotCanonicalIsLeftToTheParser() {
        let line = CanonicalEntryTests.awkwardASCIIKeys.exchangeLine
        let variants = [
            line.replacingOccurrences(of: "\",\"", with: "\", \""),                  // white space
            line.replacingOccurrences(of: "\\n", with: "\\u000a"),                   // a long escape with a short form
            line.replacingOccurrences(of: "\\u0001", with: "\\u0001".uppercased()),  // upper-case hex
            line.replacingOccurrences(of: "-5", with: "-5.0"),                       // a fraction
            line.replacingOccurrences(of: "-5", with: "-05"),                        // a leading zero
            line.replacingOccurrences(of: "\"a\":[", with: "\"zz\":["),              // keys out of order
            line.replacingOccurrences(of: "é", with: "\\u00e9"),                     // an escape canonical form does not use
            line.replacingOccurrences(of: "{\"author\"", with: "{\"x\":1,\"author\""), // an extra member
            String(line.dropLast()),                                                 // cut short
            line + " ",
        ]
        for variant in variants {
            #expect(variant != line)
            #expect(CanonicalEntryScan(Array(variant.utf8)[...]) == nil, "\(variant)")
        }
        #expect(CanonicalEntryScan(Array(line.utf8)[...]) != nil)
        #expect(CanonicalEntryScan(Array(CanonicalEntryTests.awkward.exchangeLine.utf8)[...]) == nil, "a non-ASCII key")
        var invalidUTF8 = Array(line.utf8)
        invalidUTF8[invalidUTF8.firstIndex(of: UInt8(ascii: "Z"))!] = 0xFF
        #expect(CanonicalEntryScan(invalidUTF8[...]) == nil)
    }

    @Test func pagesSplitIntoTheirItems() throws {
        let internalItem = #"{"hash":"\#(String(repeating: "a", count: 64))","seq":3,"visibility":"internal"}"#
        let page = #"{"entries":["# + Self.lines[0] + "," + internalItem + "," + Self.lines[1] + #"],"next_after":null}"# + "\n"
        let items = try #require(CanonicalEntryScan.pageItems(Array(page.utf8)))
        #expect(items.map { String(decoding: $0, as: UTF8.self) } == [Self.lines[0], internalItem, Self.lines[1]])
        #expect(CanonicalEntryScan.internalItem(items[1])?.seq == 3)
        #expect(CanonicalEntryScan.internalItem(items[0]) == nil)
        #expect(CanonicalEntryScan.pageItems(Array(#"{"entries":[],"next_after":null}"#.utf8))?.isEmpty == true)
        #expect(CanonicalEntryScan.pageItems(Array(#"{"entries": [],"next_after":null}"#.utf8)) == nil)
        #expect(CanonicalEntryScan.pageItems(Array((#"{"entries":["# + Self.lines[0] + #"],"next_after":5}"#).utf8))?.count == 1)
    }
}

extension CanonicalEntryTests {
    /// `awkward` with ASCII keys only (a non-ASCII key sorts by UTF-16 units, which the
    /// byte reader leaves to the parser).
    static let awkwardASCIIKeys = Entry(
        draft: EntryDraft(type: .followupLogged, subject: "a-subject", effective: EffectiveTime("2023-07-01")!,
                          author: "Zoë \"quoted\" \\ back", payload: .object([
                              "note": .string("line\nbreak\ttab \u{01} ctrl é 日本 😀"), "kind": .string("note"),
                              "z": .int(-5), "a": .array([.bool(true), .null]),
                          ])),
        seq: 7, recordedAt: "2026-11-22T08:30:07.000Z", prevHash: ChainHash.genesis)
}
