import Foundation
import LedgerTestSupport
import Testing
@testable import Ledger

/// Every rule the validator enforces, each with the field its error must name.
@Suite("Validation")
struct ValidationTests {
    /// Validates `draft` after `setup` and returns the error. Each draft is judged twice, against
    /// the full fold and against its counts (as an import judges), and both must agree.
    func rejection(_ draft: EntryDraft, after setup: [EntryDraft] = Story.base) throws -> LedgerError? {
        let records = try Story.records(setup)
        func verdict(_ records: LedgerRecords) -> LedgerError? {
            var validator = EntryValidator(records: records, today: Story.day)
            do {
                try validator.accept(draft)
                return nil
            } catch {
                return error
            }
        }
        let full = verdict(records), counted = verdict(records.counts)
        #expect(full?.field == counted?.field && full?.message == counted?.message, "the full fold and its counts judge \(draft.type) alike")
        return full
    }

    @Test func aValidStoryIsAccepted() throws {
        let records = try Story.records(Story.base + [
            Story.commitment("cndh-rec-juarez", demands: ["justice-juarez-fire"], due: "2023-09-30"),
            Story.status("cndh-rec-juarez", "in-progress", basis: "claimed", on: "2023-08-15"),
            Story.followup("cndh-rec-juarez", on: "2023-08-20"),
            Story.correction(of: 6, subject: "cndh-rec-juarez", ["due": .string("2023-10-31")]),
        ])
        #expect(records.head.seq == 9)
    }

    @Test func unknownReferencesNameTheField() throws {
        let error = try rejection(Story.commitment("rec", demands: ["justice-juarez-fire", "free-trade"]))
        #expect(error?.field == "demands[1]")
        #expect(error?.message.contains("no demand 'free-trade'") == true)
        #expect(try rejection(Story.commitment("rec", demands: ["justice-juarez-fire"], actor: "nobody"))?.field == "actor")
        #expect(try rejection(Story.followup("no-such-commitment", on: "2023-08-01"))?.field == "subject")
        #expect(try rejection(Story.status("justice-juarez-fire", "fulfilled", on: "2023-08-01"))?.field == "subject",
                "a status change applies to commitments only")
    }

    @Test func impossibleDatesAreRefused() throws {
        let error = try rejection(Story.commitment("rec", demands: ["justice-juarez-fire"], due: "2023-02-30"))
        #expect(error == LedgerError(field: "due", "'2023-02-30' is not a real date (YYYY-MM-DD)"))
        #expect(try rejection(Story.commitment("rec", demands: ["justice-juarez-fire"], on: "2023-07-10", due: "2023-07-01"))?.field == "due")
        #expect(try rejection(Story.followup("justice-juarez-fire", on: "2025-01-01"))?.field == "effective", "future dates are typos")
        #expect(try rejection(Story.followup("justice-juarez-fire", on: "2023-06-01"))?.field == "effective", "before the demand existed")
    }

    @Test func textThatDisplaysMisleadinglyOrBreaksLinesIsRefused() throws {
        for (title, words) in [("\u{202E}", "bidirectional override (U+202E)"), ("\u{200B}", "is empty: it has only invisible characters (such as U+200B)"),
                               ("Safe\u{2066}x", "bidirectional override (U+2066)"), ("one\u{2028}two", "line or paragraph separator (U+2028)"),
                               ("bad\u{FFFF}", "noncharacter (U+FFFF)"), ("tab\there", "control character (U+0009)")] {
            let error = try rejection(Story.demand("new-demand", title))
            #expect(error?.field == "title")
            #expect(error?.message.contains(words) == true, "\(String(describing: error))")
        }
        let note = try rejection(Story.followup("justice-juarez-fire", on: "2023-08-01", note: "first\u{2029}second"))
        #expect(note?.field == "note")
        // Ordinary line breaks, tabs, accents, emoji and joiners are text.
        #expect(try rejection(Story.followup("justice-juarez-fire", on: "2023-08-01", note: "Reunión\n\tcon la SEGOB 👩🏽‍⚖️")) == nil)
    }

    @Test func sourcesHoldOnlyWhatAURLMayHold() throws {
        for source in ["https://example.org/x?a=1&b=<2>", "https://example.org/a b", "https://example.org/%zz", "https://example.org/\"q\"",
                       "javascript:alert(1)", "data:text/html,x", "file:///etc/passwd", "https://example.org/\u{202E}"] {
            var draft = Story.followup("justice-juarez-fire", on: "2023-08-01")
            draft.payload = .object(["note": .string("x"), "sources": .array([.string(source)])])
            #expect(try rejection(draft)?.field == "sources[0]", "\(source)")
        }
        var accented = Story.followup("justice-juarez-fire", on: "2023-08-01")
        accented.payload = .object(["note": .string("x"), "sources": .array([.string("https://es.wikipedia.org/wiki/Ciudad_Juárez?x=%C3%B1#nota")])])
        #expect(try rejection(accented) == nil)
    }

    @Test func emptyRequiredTextIsRefused() throws {
        #expect(try rejection(Story.demand("new-demand", "   ")) == LedgerError(field: "title", "is empty"))
        var missing = Story.demand("new-demand", "x")
        missing.payload = .object(["by": Story.list("pmpj")])
        #expect(try rejection(missing) == LedgerError(field: "title", "is required"))
    }

    @Test func badStatusWordsAreRefused() throws {
        let base = Story.base + [Story.commitment("rec", demands: ["justice-juarez-fire"])]
        let error = try rejection(Story.status("rec", "done", on: "2023-08-01"), after: base)
        #expect(error?.field == "status")
        #expect(error?.message.contains("'done' is not one of: announced, in-progress") == true)
        #expect(try rejection(Story.status("rec", "fulfilled", basis: "rumoured", on: "2023-08-01"), after: base)?.field == "basis")
    }

    @Test func statusChangeOnARetractedCommitmentIsRefused() throws {
        let base = Story.base + [
            Story.commitment("rec", demands: ["justice-juarez-fire"]),
            Story.retraction(of: 6, subject: "rec"),
        ]
        let error = try rejection(Story.status("rec", "fulfilled", on: "2023-08-02"), after: base)
        #expect(error?.field == "subject")
        #expect(error?.message.contains("was retracted at seq 7") == true)
    }

    @Test func oversizedTextIsRefused() throws {
        let error = try rejection(Story.demand("long", String(repeating: "a", count: TextLimits.title + 1)))
        #expect(error == LedgerError(field: "title", "is \(TextLimits.title + 1) characters; the limit is \(TextLimits.title)"))
        let followup = Story.followup("justice-juarez-fire", on: "2023-08-01", note: String(repeating: "é", count: TextLimits.longText + 1))
        #expect(try rejection(followup)?.field == "note")
    }

    @Test func textMustNotCarryControlCharacters() throws {
        #expect(try rejection(Story.demand("esc", "Title \u{1B}[31mred"))?.message.contains("control character") == true)
        #expect(try rejection(Story.demand("newline", "Two\nlines"))?.message.contains("line break") == true)
        // Notes are multi-line.
        #expect(try rejection(Story.followup("justice-juarez-fire", on: "2023-08-01", note: "Line one\nLine two")) == nil)
    }

    @Test(arguments: ["javascript:alert(1)", "ftp://example.org/x", "not a url", "https://", "https://example.org/a b"])
    func sourcesMustBeWebLinks(_ url: String) throws {
        var draft = Story.commitment("rec", demands: ["justice-juarez-fire"])
        guard case .object(var payload) = draft.payload else { return }
        payload["sources"] = .array([.string("https://www.cndh.org.mx/"), .string(url)])
        draft.payload = .object(payload)
        #expect(try rejection(draft)?.field == "sources[1]")
    }

    @Test func commitmentsNeedADemandAndASource() throws {
        var draft = Story.commitment("rec", demands: [])
        #expect(try rejection(draft) == LedgerError(field: "demands", "needs at least one item"))
        draft = Story.commitment("rec", demands: ["justice-juarez-fire"])
        guard case .object(var payload) = draft.payload else { return }
        payload["sources"] = .array([])
        draft.payload = .object(payload)
        #expect(try rejection(draft) == LedgerError(field: "sources", "needs at least one item"))
    }

    @Test func idsAreSlugsAndNeverReused() throws {
        #expect(try rejection(Story.demand("Stop Arms", "Stop arms"))?.field == "subject")
        let error = try rejection(Story.demand("cndh", "A demand named like an actor"))
        #expect(error?.field == "subject")
        #expect(error?.message.contains("already names an actor") == true)
    }

    @Test func unknownPayloadFieldsAreRefused() throws {
        var draft = Story.demand("new-demand", "Title")
        guard case .object(var payload) = draft.payload else { return }
        payload["colour"] = .string("red")
        draft.payload = .object(payload)
        #expect(try rejection(draft)?.field == "colour")
    }

    @Test func publicEntriesCannotCiteInternalOnes() throws {
        let base = Story.base + [Story.demand("quiet-talks", "Back-channel talks", .internal)]
        #expect(try rejection(Story.commitment("rec", demands: ["quiet-talks"]), after: base)?.field == "demands[0]")
        #expect(try rejection(Story.followup("quiet-talks", on: "2023-08-01"), after: base)?.field == "visibility")
        #expect(try rejection(Story.followup("quiet-talks", on: "2023-08-01", .internal), after: base) == nil)
    }

    @Test func correctionsAreValidatedAsTheEntryTheyChange() throws {
        let base = Story.base + [Story.commitment("rec", demands: ["justice-juarez-fire"])]
        #expect(try rejection(Story.correction(of: 6, subject: "rec", ["due": .string("2023-02-30")]), after: base)?.field == "fields.due")
        #expect(try rejection(Story.correction(of: 6, subject: "rec", ["colour": .string("red")]), after: base)?.field == "fields.colour")
        #expect(try rejection(Story.correction(of: 6, subject: "rec", ["summary": .null]), after: base)?.field == "fields.summary",
                "a required field cannot be removed")
        #expect(try rejection(Story.correction(of: 99, subject: "rec", ["due": .string("2023-10-01")]), after: base)?.field == "target_seq")
        #expect(try rejection(Story.correction(of: 6, subject: "justice-juarez-fire", ["due": .string("2023-10-01")]), after: base)?.field == "subject")
        #expect(try rejection(Story.correction(of: 6, subject: "rec", [:]), after: base)?.field == "fields")
    }

    /// The entries a counts fold keeps without text (status changes) or only counts
    /// (follow-ups), corrected and retracted: the rules that read them give the same verdicts
    /// as on the full fold (`rejection` compares the two).
    @Test func correctionsOfEntriesACountsFoldKeepsNoTextOfAreJudgedAlike() throws {
        let base = Story.base + [
            Story.commitment("rec", demands: ["justice-juarez-fire"]),                  // 6
            Story.status("rec", "in-progress", basis: "claimed", on: "2023-08-15"),     // 7
            Story.followup("rec", on: "2023-08-20"),                                    // 8
            Story.followup("justice-juarez-fire", on: "2023-09-01", .internal),         // 9
            Story.followup("stop-arms-flow", on: "2023-03-01"),                         // 10
            Story.retraction(of: 10, subject: "stop-arms-flow"),                        // 11
        ]
        let accepted: [EntryDraft] = [
            Story.correction(of: 8, subject: "rec", ["note": .string("Meeting held, minutes published")]),
            Story.correction(of: 8, subject: "rec", ["kind": .null, "effective": .string("2023-08-21")]),
            Story.correction(of: 7, subject: "rec", ["rationale": .string("Minutes re-read")]),
            Story.correction(of: 9, subject: "justice-juarez-fire", ["note": .string("Internal note")], .internal),
            Story.retraction(of: 9, subject: "justice-juarez-fire", .internal),
            // The demand's follow-up of seq 10 is retracted, so it no longer bounds the demand's date.
            Story.correction(of: 5, subject: "stop-arms-flow", ["effective": .string("2023-04-01")]),
        ]
        for draft in accepted { #expect(try rejection(draft, after: base) == nil) }
        let refused: [(EntryDraft, String)] = [
            (Story.correction(of: 8, subject: "rec", ["note": .string(" ")]), "fields.note"),
            (Story.correction(of: 8, subject: "rec", ["note": .null]), "fields.note"),
            (Story.correction(of: 8, subject: "rec", ["kind": .string("party")]), "fields.kind"),
            (Story.correction(of: 8, subject: "rec", ["sources": Story.list("javascript:alert(1)")]), "fields.sources[0]"),
            (Story.correction(of: 8, subject: "rec", ["effective": .string("2023-07-01")]), "fields.effective"),
            (Story.correction(of: 7, subject: "rec", ["status": .string("finished")]), "fields.status"),
            (Story.correction(of: 7, subject: "rec", ["sources": .array([])]), "fields.sources"),
            (Story.correction(of: 8, subject: "justice-juarez-fire", ["note": .string("Moved")]), "subject"),
            (Story.correction(of: 9, subject: "justice-juarez-fire", ["note": .string("Public now")]), "visibility"),
            (Story.retraction(of: 9, subject: "justice-juarez-fire"), "visibility"),
            (Story.retraction(of: 10, subject: "stop-arms-flow"), "target_seq"),
            (Story.correction(of: 10, subject: "stop-arms-flow", ["note": .string("Too late")]), "target_seq"),
            // A commitment dated after its follow-up of seq 8 and its status change of seq 7.
            (Story.correction(of: 6, subject: "rec", ["effective": .string("2023-08-16")]), "fields.effective"),
            (Story.correction(of: 4, subject: "justice-juarez-fire", ["effective": .string("2023-09-02")]), "fields.effective"),
        ]
        for (draft, field) in refused {
            let error = try rejection(draft, after: base)
            #expect(error?.field == field, "\(draft.payload)")
        }
        #expect(try rejection(refused[12].0, after: base)?.message.contains("seq 7") == true, "the earliest event by seq is named")
    }

    @Test func retractionsAreFinal() throws {
        let base = Story.base + [Story.commitment("rec", demands: ["justice-juarez-fire"]), Story.retraction(of: 6, subject: "rec")]
        #expect(try rejection(Story.retraction(of: 6, subject: "rec"), after: base)?.message.contains("already retracted") == true)
        #expect(try rejection(Story.retraction(of: 7, subject: "rec"), after: base)?.message.contains("retractions are final") == true)
    }

    @Test func aBatchSeesItsOwnEarlierEntries() throws {
        // Registering an actor and citing it in the same batch works; citing it first does not.
        var validator = EntryValidator(records: LedgerRecords(), today: Story.day)
        try validator.accept(Story.actor("pmpj", "PMPJ", kind: "coalition"))
        try validator.accept(Story.actor("gov-mexico", "Gobierno", kind: "government"))
        try validator.accept(Story.demand("stop-arms-flow", "Stop the flow of weapons"))
        #expect(validator.records.head.seq == 3)
    }
}

/// Each entry type's fields are declared once, on its typed payload; everything else reads
/// them from there.
@Suite("Payload declarations")
struct PayloadDeclarationTests {
    /// A payload written from its struct reads back as the same struct, field for field.
    @Test func everyPayloadRoundTripsThroughItsDeclaration() throws {
        let actor = ActorPayload(name: "Comisión Nacional", nameES: "CNDH", kind: .institution, country: "MX")
        let demand = DemandPayload(title: "Justice", titleES: "Justicia", summary: "S", summaryES: "R", by: ["pmpj"], targets: ["cndh"],
                                   sources: ["https://example.org/"])
        let commitment = CommitmentPayload(demands: ["justice"], actor: "cndh", kind: .recommendation, summary: "S", summaryES: "R",
                                           due: CalendarDay("2023-09-30"), sources: ["https://example.org/"])
        let status = StatusPayload(status: .inProgress, basis: .claimed, rationale: "R", rationaleES: "J", sources: ["https://example.org/"])
        let followup = FollowupPayload(note: "N", noteES: "Nota", kind: .meeting, sources: ["https://example.org/"])
        let correction = CorrectionPayload(targetSeq: 4, fields: ["due": .string("2023-12-31")], reason: "Misread")
        let retraction = RetractionPayload(targetSeq: 5, reason: "Wrong commitment")
        #expect(ActorPayload(actor.json) == actor)
        #expect(DemandPayload(demand.json) == demand)
        #expect(CommitmentPayload(commitment.json) == commitment)
        #expect(StatusPayload(status.json) == status)
        #expect(FollowupPayload(followup.json) == followup)
        #expect(CorrectionPayload(correction.json) == correction)
        #expect(RetractionPayload(retraction.json) == retraction)
        // What a payload writes is exactly what its type's declaration names.
        for (type, json) in [(ActorPayload.entryType, actor.json), (DemandPayload.entryType, demand.json),
                             (CommitmentPayload.entryType, commitment.json), (StatusPayload.entryType, status.json),
                             (FollowupPayload.entryType, followup.json), (CorrectionPayload.entryType, correction.json),
                             (RetractionPayload.entryType, retraction.json)] {
            guard case .object(let members) = json else { Issue.record("\(type) is not an object"); continue }
            #expect(Set(members.keys) == Set(type.fields.map(\.name)), "\(type)")
        }
    }

    @Test func absentOptionalsAreLeftOutAndRequiredListsKept() {
        #expect(FollowupPayload(note: "N").json == .object(["note": .string("N")]))
        #expect(DemandPayload(title: "T").json == .object(["title": .string("T")]))
        let noSources = CommitmentPayload(demands: [], actor: "a", kind: .pledge, summary: "S", sources: [])
        guard case .object(let members) = noSources.json else { return }
        #expect(members["demands"] == .array([]) && members["sources"] == .array([]), "validation names what is missing")
        #expect(FollowupPayload(.object(["note": .string("N")]))?.kindOrNote == .note)
        #expect(CommitmentPayload(.object(["actor": .string("a")])) == nil, "a required field is missing")
    }

    @Test func everyFieldHasALabelInBothLanguages() {
        for type in EntryType.allCases {
            for field in type.fields {
                #expect(!field.label.english.isEmpty && !field.label.spanish.isEmpty, "\(type).\(field.name)")
            }
        }
        #expect(FieldSpec.label(of: "due") == FieldSpec.Label(english: "due", spanish: "plazo"))
        #expect(FieldSpec.label(of: "effective")?.spanish == "fecha")
    }
}
