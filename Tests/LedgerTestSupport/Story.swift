import Foundation
import Ledger

/// Short builders for realistic entries, so tests read like the story they tell.
public enum Story {
    public static let day = CalendarDay("2023-12-31")!

    public static func draft(_ type: EntryType, _ subject: String, on date: String, _ visibility: Visibility = .public,
                      id: UUID = UUID(), _ payload: [String: JSONValue]) -> EntryDraft {
        EntryDraft(id: id, type: type, subject: subject, effective: EffectiveTime(date)!, author: "tester",
                   visibility: visibility, payload: .object(payload))
    }

    public static func list(_ items: String...) -> JSONValue { .array(items.map { .string($0) }) }

    public static func actor(_ id: String, _ name: String, kind: String = "institution", _ visibility: Visibility = .public) -> EntryDraft {
        draft(.actorRegistered, id, on: "2023-01-09", visibility, ["name": .string(name), "kind": .string(kind)])
    }

    public static func demand(_ id: String, _ title: String, on date: String = "2023-02-24", _ visibility: Visibility = .public) -> EntryDraft {
        draft(.demandRecorded, id, on: date, visibility, ["title": .string(title), "by": list("pmpj"), "targets": list("gov-mexico")])
    }

    public static func commitment(_ id: String, demands: [String], actor: String = "cndh", on date: String = "2023-07-10",
                           due: String? = nil, _ visibility: Visibility = .public) -> EntryDraft {
        var payload: [String: JSONValue] = [
            "demands": .array(demands.map { .string($0) }), "actor": .string(actor), "kind": .string("recommendation"),
            "summary": .string("CNDH recommendation in favour of the victims of the Ciudad Juárez fire"),
            "sources": list("https://www.cndh.org.mx/"),
        ]
        if let due { payload["due"] = .string(due) }
        return draft(.commitmentRecorded, id, on: date, visibility, payload)
    }

    public static func status(_ commitment: String, _ status: String, basis: String = "verified", on date: String,
                       _ visibility: Visibility = .public) -> EntryDraft {
        draft(.statusChanged, commitment, on: date, visibility, [
            "status": .string(status), "basis": .string(basis),
            "rationale": .string("Checked against the ministry's published minutes"), "sources": list("https://www.gob.mx/segob"),
        ])
    }

    public static func followup(_ subject: String, on date: String, note: String = "Meeting held with the interior ministry",
                         _ visibility: Visibility = .public) -> EntryDraft {
        draft(.followupLogged, subject, on: date, visibility, ["note": .string(note), "kind": .string("meeting")])
    }

    public static func correction(of seq: Int64, subject: String, on date: String = "2023-08-01", _ fields: [String: JSONValue],
                           _ visibility: Visibility = .public) -> EntryDraft {
        draft(.entryCorrected, subject, on: date, visibility,
              ["target_seq": .int(seq), "fields": .object(fields), "reason": .string("Misread the source")])
    }

    public static func retraction(of seq: Int64, subject: String, on date: String = "2023-08-01", _ visibility: Visibility = .public) -> EntryDraft {
        draft(.entryRetracted, subject, on: date, visibility, ["target_seq": .int(seq), "reason": .string("Logged against the wrong commitment")])
    }

    /// The coalition, two governments' bodies and two demands: the base most tests build on.
    public static var base: [EntryDraft] {
        [
            actor("pmpj", "People's Movement for Peace and Justice", kind: "coalition"),
            actor("cndh", "Comisión Nacional de los Derechos Humanos"),
            actor("gov-mexico", "Federal Government of Mexico", kind: "government"),
            demand("justice-juarez-fire", "Justice for the victims of the Ciudad Juárez fire", on: "2023-06-30"),
            demand("stop-arms-flow", "Stop the flow of weapons to Mexico"),
        ]
    }

    /// Folds drafts into records through the validator, failing the test on a rejected one.
    public static func records(_ drafts: [EntryDraft], audience: Visibility = .internal) throws -> LedgerRecords {
        var validator = EntryValidator(records: LedgerRecords(), today: day)
        for draft in drafts { try validator.accept(draft) }
        if audience == .internal { return validator.records }
        var filtered = LedgerRecords(audience: audience)
        var head = ChainHead.empty
        for draft in drafts {
            let entry = Entry(draft: draft, seq: head.seq + 1, recordedAt: "2023-12-31T00:00:00.000Z", prevHash: head.hash)
            filtered.apply(entry)
            head = ChainHead(seq: entry.seq, hash: entry.hash)
        }
        return filtered
    }
}
