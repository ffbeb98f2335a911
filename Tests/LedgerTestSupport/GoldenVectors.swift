import Foundation
import Ledger

/// Fixed inputs and the hashes they must give, computed independently (Python's json with
/// sorted keys and hashlib). Every store must reproduce these bytes and hashes exactly.
public enum GoldenVectors {
    public static let entries: [Entry] = {
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

    public static let hashes = [
        "8b028403d307b40ef5ae87601da0d1e9543379b2dd8de8684e3cb5b884fd1099",
        "6cab0c01797b15536c74055df6fe48b36fa3b65ce81e2c8555425678f95b7c0f",
        "59b4092760054a22919c70015e6740bf754a85b88eef4a9fb3cd3bc16a84fde3",
    ]
}
