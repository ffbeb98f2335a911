import Foundation
import LedgerSynthetic
import LedgerTestSupport
import Testing
@testable import Ledger

@Suite("Projection")
struct ProjectionTests {
    /// seq 6: commitment (due 2023-09-30); 7: claimed in-progress; 8: verified partially-fulfilled;
    /// 9: follow-up; 10: a second commitment on the same demand.
    static let story = Story.base + [
        Story.commitment("cndh-rec-juarez", demands: ["justice-juarez-fire"], due: "2023-09-30"),
        Story.status("cndh-rec-juarez", "in-progress", basis: "claimed", on: "2023-08-15"),
        Story.status("cndh-rec-juarez", "partially-fulfilled", basis: "verified", on: "2023-10-15"),
        Story.followup("cndh-rec-juarez", on: "2023-10-20"),
        Story.commitment("segob-working-group", demands: ["justice-juarez-fire", "stop-arms-flow"], actor: "gov-mexico", on: "2023-07-10"),
    ]

    func state(_ drafts: [EntryDraft], asOf: String = "2023-12-31", knownAt: Int64? = nil, audience: Visibility = .internal) throws -> LedgerState {
        var records = try Story.records(drafts, audience: audience)
        if let knownAt {
            let all = try Story.records(drafts)
            records = LedgerRecords(audience: audience)
            var head = ChainHead.empty
            for draft in drafts.prefix(Int(knownAt)) {
                let entry = Entry(draft: draft, seq: head.seq + 1, recordedAt: "2023-12-31T00:00:00.000Z", prevHash: head.hash)
                records.apply(entry)
                head = ChainHead(seq: entry.seq, hash: entry.hash)
            }
            #expect(all.head.seq >= knownAt)
        }
        return LedgerState(records: records, asOf: CalendarDay(asOf)!)
    }

    @Test func statusHistoryKeepsClaimedAndVerifiedApart() throws {
        let commitment = try #require(try state(Self.story).commitment("cndh-rec-juarez"))
        #expect(commitment.history.map(\.status) == [.inProgress, .partiallyFulfilled])
        #expect(commitment.history.map(\.previous) == [.announced, .inProgress])
        #expect(commitment.latest(.claimed)?.status == .inProgress)
        #expect(commitment.latest(.verified)?.status == .partiallyFulfilled)
        #expect(commitment.followups.count == 1)
    }

    @Test func asOfCutsOffLaterEvents() throws {
        let july = try state(Self.story, asOf: "2023-07-31")
        #expect(july.commitment("cndh-rec-juarez")?.status == .announced)
        #expect(july.commitment("cndh-rec-juarez")?.followups.isEmpty == true)
        let august = try state(Self.story, asOf: "2023-08-15")
        #expect(august.commitment("cndh-rec-juarez")?.status == .inProgress, "an event on the as-of day counts")
        let before = try state(Self.story, asOf: "2023-06-29")
        #expect(before.commitments.isEmpty)
        #expect(before.demand("justice-juarez-fire") == nil, "recorded on 2023-06-30")
        #expect(before.demand("stop-arms-flow") != nil)
        let actorRegisteredLater = Story.base + [Story.draft(.actorRegistered, "segob", on: "2023-12-01", .public, ["name": .string("SEGOB"), "kind": .string("ministry")])]
        #expect(try state(actorRegisteredLater, asOf: "2023-07-31").actor("segob")?.name == "SEGOB", "actors are not events")
    }

    @Test func knownAtIgnoresLaterEntries() throws {
        let state = try state(Self.story, knownAt: 7)
        #expect(state.head.seq == 7)
        #expect(state.commitment("cndh-rec-juarez")?.status == .inProgress)
        #expect(state.commitment("segob-working-group") == nil)
    }

    @Test func overdueDependsOnTheDateAndTheStatus() throws {
        let september = try state(Self.story, asOf: "2023-09-30")
        #expect(september.commitment("cndh-rec-juarez")?.daysOverdue(on: september.asOf) == nil, "due today is not yet overdue")
        let october = try state(Self.story, asOf: "2023-10-10")
        #expect(october.commitment("cndh-rec-juarez")?.daysOverdue(on: october.asOf) == 10)
        let fulfilled = try state(Self.story + [Story.status("cndh-rec-juarez", "fulfilled", on: "2023-11-01")])
        #expect(fulfilled.commitment("cndh-rec-juarez")?.daysOverdue(on: fulfilled.asOf) == nil, "closed commitments are not overdue")
    }

    @Test func demandStatusIsDerivedFromVerifiedStandings() throws {
        var current = try state(Self.story)
        #expect(current.demand("justice-juarez-fire")?.status == .partiallyMet)
        #expect(current.demand("stop-arms-flow")?.status == .committed)

        // The government claiming fulfilment does not make a demand met.
        let claimed = Self.story + [
            Story.status("cndh-rec-juarez", "fulfilled", basis: "claimed", on: "2023-11-01"),
            Story.status("segob-working-group", "fulfilled", basis: "claimed", on: "2023-11-01"),
        ]
        current = try state(claimed)
        #expect(current.demand("stop-arms-flow")?.status == .committed)
        #expect(current.demand("justice-juarez-fire")?.status == .partiallyMet, "falls back to the verified rating")

        let verified = claimed + [
            Story.status("cndh-rec-juarez", "fulfilled", on: "2023-11-20"),
            Story.status("segob-working-group", "fulfilled", on: "2023-11-20"),
        ]
        #expect(try state(verified).demand("justice-juarez-fire")?.status == .met)

        let broken = Self.story + [
            Story.status("cndh-rec-juarez", "broken", on: "2023-11-01"),
            Story.status("segob-working-group", "withdrawn", basis: "claimed", on: "2023-11-01"),
        ]
        #expect(try state(broken).demand("justice-juarez-fire")?.status == .unmet)
        #expect(try state(Story.base).demand("justice-juarez-fire")?.status == .noResponse)
    }

    @Test func correctionsApplyAndTheOriginalStays() throws {
        let drafts = Self.story + [Story.correction(of: 6, subject: "cndh-rec-juarez", ["due": .string("2023-12-15"), "effective": .string("2023-07-11")])]
        let records = try Story.records(drafts)
        let record = try #require(records.record(seq: 6))
        #expect(record.payload["due"] == .string("2023-12-15"))
        #expect(record.originalPayload["due"] == .string("2023-09-30"))
        #expect(record.effective.description == "2023-07-11")
        #expect(record.correctedBy == [11])
        let state = LedgerState(records: records, asOf: CalendarDay("2023-10-10")!)
        #expect(state.commitment("cndh-rec-juarez")?.due?.description == "2023-12-15")
        #expect(state.commitment("cndh-rec-juarez")?.daysOverdue(on: state.asOf) == nil)
        // Before the correction was known, the old due date applied.
        let earlier = try self.state(drafts, asOf: "2023-10-10", knownAt: 10)
        #expect(earlier.commitment("cndh-rec-juarez")?.daysOverdue(on: earlier.asOf) == 10)
    }

    @Test func retractionsRemoveFromStateButNotFromTheTimeline() throws {
        let drafts = Self.story + [Story.retraction(of: 8, subject: "cndh-rec-juarez", on: "2023-11-01")]
        let state = try state(drafts)
        #expect(state.commitment("cndh-rec-juarez")?.status == .inProgress)
        let retracted = state.timeline(of: "cndh-rec-juarez").first { $0.seq == 8 }
        #expect(retracted?.retractedBy == 11)
        #expect(state.timeline(of: "cndh-rec-juarez").contains { $0.type == .entryRetracted })
    }

    /// `latest(_:about:where:)` reads timelines from the end; it must give what filtering
    /// the whole timeline and keeping its end gives.
    @Test func theLatestOfATimelineIsTheEndOfTheFilteredTimeline() {
        let state = LedgerState(records: LedgerRecords(entries: Array(SyntheticLedger(count: 3_000, seed: 5))), asOf: SyntheticLedger.lastDay)
        let kept: (Record) -> Bool = { !$0.isRetracted && $0.type != .entryCorrected }
        var compared = 0
        for demand in state.demands {
            let subjects = [demand.id] + demand.commitments
            for count in [0, 1, 6, 10_000] {
                let expected = Array(state.timeline(of: subjects).filter(kept).suffix(count))
                #expect(state.latest(count, about: subjects, where: kept) == expected, "\(demand.id), \(count)")
                compared += expected.count
            }
        }
        #expect(compared > 1_000)
    }

    @Test func retractingACorrectionUndoesIt() throws {
        let drafts = Self.story + [
            Story.correction(of: 6, subject: "cndh-rec-juarez", ["due": .string("2023-12-15")]),
            Story.retraction(of: 11, subject: "cndh-rec-juarez"),
        ]
        let records = try Story.records(drafts)
        #expect(records.record(seq: 6)?.payload["due"] == .string("2023-09-30"))
        #expect(records.record(seq: 6)?.correctedBy == [])
    }

    @Test func publicAudienceIgnoresInternalEntriesEntirely() throws {
        let drafts = Self.story + [
            Story.followup("cndh-rec-juarez", on: "2023-11-01", note: "Internal strategy note", .internal),
            Story.correction(of: 6, subject: "cndh-rec-juarez", ["due": .string("2024-06-30")], .internal),
            Story.demand("quiet-talks", "Back-channel talks", .internal),
        ]
        let publicState = try state(drafts, audience: .public)
        #expect(publicState.demand("quiet-talks") == nil)
        #expect(publicState.commitment("cndh-rec-juarez")?.followups.count == 1)
        #expect(publicState.commitment("cndh-rec-juarez")?.due?.description == "2023-09-30", "an internal correction stays internal")
        #expect(!publicState.events.contains { $0.visibility == .internal })
        let internalState = try state(drafts)
        #expect(internalState.commitment("cndh-rec-juarez")?.due?.description == "2024-06-30")
        #expect(internalState.demand("quiet-talks") != nil)
    }

    @Test func theDemoLedgerLoadsAndTellsTheStory() throws {
        var validator = EntryValidator(records: LedgerRecords(), today: CalendarDay("2024-01-01")!)
        for draft in DemoLedger.drafts { try validator.accept(draft) }
        let state = LedgerState(records: validator.records, asOf: CalendarDay("2023-07-31")!)
        #expect(state.demands.count == 8)
        #expect(state.demand("nals-migration-letter")?.status == .noResponse)
        #expect(state.demand("justice-juarez-fire")?.commitments == ["cndh-rec-juarez"])
        #expect(state.commitment("segob-working-group")?.demands.count == 5)
        #expect(state.actor("cndh")?.nameES == "Comisión Nacional de los Derechos Humanos (CNDH)")
        let later = LedgerState(records: validator.records, asOf: CalendarDay("2023-10-31")!)
        #expect(later.commitment("segob-first-session")?.daysOverdue(on: later.asOf) == 31)
        #expect(Set(DemoLedger.drafts.map(\.id)).count == DemoLedger.drafts.count)
    }
}
