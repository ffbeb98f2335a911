import Foundation
import LedgerTestSupport
import Testing
@testable import Ledger
import LedgerSynthetic
import Reports

/// `status`, `show`, `log` and the monthly report read the counts fold (follow-ups only
/// counted, ratings without their text) and then, whole, the entries they show: whatever
/// they answer must be what the full fold answers.
@Suite("The counts fold")
struct CountsFoldTests {
    static let today = CalendarDay("2026-01-01")!
    static let countedOn = CalendarDay("2023-07-31")!
    /// Entries the fixture adds after the demo.
    static let changes: Int64 = 9

    /// A synthetic chain, the demo on top of it, then corrections and retractions of what
    /// the counts keep: a rating's status, a follow-up's kind, a correction undone, a
    /// follow-up's date, a date corrected then the correction retracted, a follow-up
    /// retracted (the last three about demands, dated before 2023-07-31).
    static func ledger(in directory: TemporaryDirectory) async throws -> Ledger {
        let ledger = try await StoreKind.sqlite.makeLedger(in: directory)
        try await ledger.importLines(SyntheticLedger(count: 3_000, seed: 7).map { Substring($0.exchangeJSON.canonicalText) })
        _ = try await ledger.append(DemoLedger.drafts, today: today)
        let records = try await ledger.records()
        let ratings = records.records.filter { $0.type == .statusChanged && $0.visibility == .public && $0.subject.hasPrefix("commitment-") }
        let followup = try #require(records.records.last { $0.type == .followupLogged && $0.visibility == .public })
        let early = records.records.filter {
            $0.type == .followupLogged && $0.visibility == .public && $0.subject.hasPrefix("demand-") && $0.effective.day < Self.countedOn
        }
        try #require(early.count >= 3)
        let day = EffectiveTime(day: today)
        func correction(_ target: Record, _ fields: [String: JSONValue]) -> EntryDraft {
            EntryDraft(type: .entryCorrected, subject: target.subject, effective: day, author: "equipo",
                       payload: CorrectionPayload(targetSeq: target.seq, fields: fields, reason: "Fixed.").json)
        }
        func retraction(_ targetSeq: Int64, _ subject: String) -> EntryDraft {
            EntryDraft(type: .entryRetracted, subject: subject, effective: day, author: "equipo",
                       payload: RetractionPayload(targetSeq: targetSeq, reason: "Wrong.").json)
        }
        let rated = ratings.last!, other = ratings[ratings.count - 2]
        let corrected = try await ledger.append([
            correction(rated, ["status": .string(rated.payload["status"]?.stringValue == "broken" ? "fulfilled" : "broken"),
                               "rationale": .string("Corrected rationale.")]),
            correction(followup, ["kind": .string(followup.payload["kind"]?.stringValue == "meeting" ? "hearing" : "meeting")]),
            correction(other, ["basis": .string(other.payload["basis"]?.stringValue == "verified" ? "claimed" : "verified")]),
            correction(early[0], ["effective": .string("2024-01-15")]),
            correction(early[1], ["effective": .string("2024-02-01"), "kind": .string("action")]),
        ], today: today)
        _ = try await ledger.append([
            retraction(ratings[ratings.count - 3].seq, ratings[ratings.count - 3].subject),
            retraction(corrected.entries[2].seq, other.subject),
            retraction(corrected.entries[4].seq, early[1].subject),
            retraction(early[2].seq, early[2].subject),
        ], today: today)
        return ledger
    }

    @Test func statusOfTheCountsIsStatusOfEverything() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await Self.ledger(in: directory)
        let head = try await ledger.store.head().seq
        var compared = 0
        for audience in [Visibility.internal, .public] {
            for knownAt in [nil, 1_500, head - 1] as [Int64?] {
                let full = try await ledger.records(knownAt: knownAt, audience: audience)
                let counts = try await ledger.records(knownAt: knownAt, audience: audience, detail: .counts)
                #expect(counts.records == full.counts.records && counts.followupCounts == full.counts.followupCounts,
                        "folding the counts is reducing the full fold")
                #expect(counts.followupCounts.count == full.records.count(where: { $0.type == .followupLogged }) && counts.records.allSatisfy { $0.type != .followupLogged })
                for asOf in [Self.today, Self.countedOn, SyntheticLedger.lastDay] {
                    let expected = StatusOverview(state: LedgerState(records: full, asOf: asOf))
                    let counted = StatusOverview(state: LedgerState(records: counts, asOf: asOf))
                    #expect(counted == expected, "\(audience) known at \(knownAt.map(String.init) ?? "head") as of \(asOf)")
                    #expect(try counted.jsonText() == expected.jsonText())
                    compared += expected.commitments.filter { $0.latestClaimed != nil || $0.latestVerified != nil }.count
                }
            }
            // What the counts leave out of ratings, they leave out of every one.
            let counts = try await ledger.records(audience: audience, detail: .counts)
            let ratings = counts.records.filter { $0.type == .statusChanged }
            #expect(ratings.count > 20)
            for record in ratings {
                #expect(record.payload["rationale"] == .string("") && record.originalPayload["rationale"] == .string(""))
                #expect(record.payload["sources"] == nil && record.payload["rationale_es"] == nil)
            }
        }
        #expect(compared > 40, "the comparisons covered rated commitments")
        // The corrections above changed what status shows: the comparison saw them.
        let end = SyntheticLedger.lastDay
        let now = StatusOverview(state: LedgerState(records: try await ledger.records(detail: .counts), asOf: end))
        let before = StatusOverview(state: LedgerState(records: try await ledger.records(knownAt: head - Self.changes, detail: .counts), asOf: end))
        #expect(now.commitments != before.commitments)
        // So did the follow-ups' dates and the retraction: three demands' counts as of 2023-07-31.
        let countedNow = StatusOverview(state: LedgerState(records: try await ledger.records(detail: .counts), asOf: Self.countedOn))
        let countedBefore = StatusOverview(state: LedgerState(records: try await ledger.records(knownAt: head - Self.changes, detail: .counts), asOf: Self.countedOn))
        let changed = zip(countedNow.demands, countedBefore.demands).filter { $0.followups != $1.followups }
        #expect(!changed.isEmpty && changed.allSatisfy { $0.followups < $1.followups }, "\(changed.map(\.0.id))")
        #expect(countedBefore.demands.reduce(0) { $0 + $1.followups } - countedNow.demands.reduce(0) { $0 + $1.followups } == 2,
                "one moved past the date, one retracted, one moved and moved back")
    }

    /// `show` reads the counts and its one subject's entries whole: every subject, in both
    /// audiences, shows byte for byte what the full fold shows, and the counts of the
    /// others stay as they were.
    @Test func aSubjectShownFromTheCountsIsShownAsFromEverything() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await Self.ledger(in: directory)
        var shown = 0
        for audience in [Visibility.internal, .public] {
            let full = try await ledger.records(audience: audience)
            let counts = try await ledger.records(audience: audience, detail: .counts)
            let fullState = LedgerState(records: full, asOf: SyntheticLedger.lastDay)
            let fullOverview = StatusOverview(state: fullState)
            for id in full.definitions.keys.sorted() {
                let records = try await ledger.withText(counts, about: [id])
                let state = LedgerState(records: records, asOf: SyntheticLedger.lastDay)
                let expected = SubjectDetail(id: id, state: fullState, records: full)
                let detail = SubjectDetail(id: id, state: state, records: records)
                #expect(try detail?.jsonText() == expected?.jsonText(), "\(audience) \(id)")
                #expect(detail?.text(state: state) == expected?.text(state: fullState), "\(audience) \(id)")
                #expect(StatusOverview(state: state) == fullOverview, "no follow-up counted twice or lost: \(audience) \(id)")
                if expected?.timeline.isEmpty == false { shown += 1 }
            }
            // Only the subject asked for is read back: the other follow-ups stay counted.
            let demand = try #require(full.definitions.keys.sorted().first { $0.hasPrefix("demand-") })
            let filled = try await ledger.withText(counts, about: [demand])
            #expect(filled.records.allSatisfy { $0.type != .followupLogged || $0.subject == demand })
            #expect(filled.records.contains { $0.subject == demand && $0.type == .followupLogged && $0.payload["note"] != .string("") })
            #expect(filled.followupCounts.count + filled.records.count(where: { $0.type == .followupLogged }) == counts.followupCounts.count)
        }
        #expect(shown > 50, "subjects with a timeline were compared: \(shown)")
    }

    /// `report monthly` reads the counts and what it describes whole: every format and
    /// language of months across the chain is byte for byte the full fold's report.
    @Test func aMonthlyReportFromTheCountsIsTheReportFromEverything() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await Self.ledger(in: directory)
        let months = ["2023-01", "2023-07", "2024-03", "2025-06", "2026-01", "2026-10"].map { ReportMonth($0)! }
        var described = 0
        for audience in [Visibility.internal, .public] {
            let full = try await ledger.records(audience: audience)
            let counts = try await ledger.records(audience: audience, detail: .counts)
            for month in months {
                let shown = MonthlyReport.describedSeqs(state: LedgerState(records: counts, asOf: month.lastDay), counts: counts.followupCounts, month: month)
                let filled = try await ledger.withText(counts, ofSeqs: shown)
                described += shown.count
                for language in ReportLanguage.allCases {
                    let expected = MonthlyReport(state: LedgerState(records: full, asOf: month.lastDay), month: month, language: language)
                    let report = MonthlyReport(state: LedgerState(records: filled, asOf: month.lastDay), month: month, language: language)
                    for format in ReportFormat.allCases {
                        #expect(try report.render(format) == expected.render(format), "\(audience) \(month) \(language) \(format)")
                    }
                }
            }
        }
        #expect(described > 500, "the months compared describe entries: \(described)")
    }

    /// A server starting from the counts answers the status page from them and the
    /// follow-ups it shows (`PublicSite.statusPageSeqs`): every page of it, filtered or not,
    /// in both languages and on several days, is byte for byte the full fold's page.
    @Test func theStatusPageFromTheCountsIsTheFullFoldsPage() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await Self.ledger(in: directory)
        // A follow-up that moves a demand ahead of the others without being among the
        // latest changes: the order of the list then rests on the counts' dates.
        let before = LedgerState(records: try await ledger.records(audience: .public), asOf: Self.today)
        func lastActivity(_ demand: Demand) -> EffectiveTime { before.timeline(of: [demand.id] + demand.commitments).last?.effective ?? demand.effective }
        let demo = before.demands.filter { !$0.id.hasPrefix("demand-") }
        let quiet = try #require(demo.min { lastActivity($0) < lastActivity($1) })
        let moved = try #require(demo.map(lastActivity).max()).day.adding(days: 1)
        try #require(moved < SyntheticLedger.lastDay.adding(days: -30))
        _ = try await ledger.append([EntryDraft(type: .followupLogged, subject: quiet.id, effective: EffectiveTime(day: moved), author: "equipo",
                                                visibility: .public, payload: .object(["note": .string("Met again."), "kind": .string("meeting")]))],
                                    today: Self.today)
        let full = try await ledger.records(audience: .public)
        let counts = try await ledger.records(audience: .public, detail: .counts)
        var compared = 0, differedUnread = 0
        for asOf in [Self.today, Self.countedOn, SyntheticLedger.lastDay, CalendarDay("2024-01-20")!] {
            let shown = try await ledger.withText(counts, ofSeqs: PublicSite.statusPageSeqs(counts: counts.followupCounts, asOf: asOf))
            let expectedState = LedgerState(records: full, asOf: asOf), state = LedgerState(records: shown, asOf: asOf)
            let unreadState = LedgerState(records: counts, asOf: asOf)
            // What the server answers /api/v1/status with meanwhile, from the same state.
            #expect(StatusOverview(state: state) == StatusOverview(state: expectedState), "some follow-ups read back, the others counted: \(asOf)")
            #expect(PublicSite.reportMonths(records: shown, today: asOf) == PublicSite.reportMonths(records: full, today: asOf))
            let months = PublicSite.reportMonths(records: full, today: asOf)
            let actor = try #require(expectedState.actors.first { actor in expectedState.commitments.contains { $0.actor == actor.id } })
            var filters = [SubjectFilter(), try SubjectFilter(parameters: ["status": "committed"]), try SubjectFilter(parameters: ["actor": actor.id])]
            if let country = actor.country { filters.append(try SubjectFilter(parameters: ["country": country])) }
            for language in ReportLanguage.allCases {
                let expectedSite = PublicSite(state: expectedState, language: language, months: months)
                let site = PublicSite(state: state, language: language, months: months)
                for filter in filters {
                    let pageCount = (filter.demands(in: expectedState).count + PublicSite.demandsPerPage - 1) / PublicSite.demandsPerPage
                    for page in Set([1, 2, max(1, pageCount), pageCount + 1]).sorted() {
                        let expected = expectedSite.statusPage(filter: filter, page: page)
                        #expect(site.statusPage(filter: filter, page: page) == expected, "\(asOf) \(language) \(filter.canonicalQuery) page \(page)")
                        if expected != nil { compared += 1 }
                        if PublicSite(state: unreadState, language: language, months: months).statusPage(filter: filter, page: page) != expected { differedUnread += 1 }
                    }
                }
            }
        }
        #expect(compared > 25, "pages were compared: \(compared)")
        #expect(differedUnread > 0, "the follow-ups read back are what made the pages the same")
        #expect(full.records.count(where: { $0.type == .followupLogged }) > PublicSite.latestChangesShown * 10)
    }
}
