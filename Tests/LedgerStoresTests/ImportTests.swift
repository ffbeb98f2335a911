import Foundation
import LedgerTestSupport
import Testing
@testable import Ledger
import LedgerSynthetic

@Suite("Import")
struct ImportTests {
    func line(_ entry: Entry) -> Substring { Substring(entry.exchangeJSON.canonicalText) }

    /// An entry that continues `previous` correctly but reuses `id`.
    func continuing(_ previous: Entry, reusing id: UUID) -> Entry {
        let draft = EntryDraft(id: id, type: .followupLogged, subject: "cndh", effective: EffectiveTime("2023-08-01")!,
                               author: "policy-team", payload: .object(["note": .string("Again")]))
        return Entry(draft: draft, seq: previous.seq + 1, recordedAt: "2023-08-01T00:00:00.000Z", prevHash: previous.hash)
    }

    @Test(arguments: StoreKind.allCases)
    func anIdRepeatedInTheFileIsRefused(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await kind.makeLedger(in: directory)
        let golden = GoldenVectors.entries
        let repeat_ = continuing(golden[2], reusing: golden[0].id)
        await #expect(throws: LedgerError(kind: .integrity, field: "line 4: id", "repeats the id of an earlier line")) {
            try await ledger.importLines(golden.map(line) + [line(repeat_)])
        }
        #expect(try await ledger.store.head().seq == 0)
    }

    @Test(arguments: StoreKind.allCases)
    func anIdAlreadyInTheLedgerIsRefused(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await kind.makeLedger(in: directory)
        let golden = GoldenVectors.entries
        #expect(try await ledger.importLines(golden.map(line)) == 3)
        await #expect(throws: LedgerError(kind: .integrity, field: "line 1: id", "is already in this ledger as seq 1")) {
            try await ledger.importLines([line(continuing(golden[2], reusing: golden[0].id))])
        }
        #expect(try await ledger.verify().entries == 3)
    }

    @Test(arguments: StoreKind.allCases)
    func anAlteredLineIsNamed(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await kind.makeLedger(in: directory)
        var golden = GoldenVectors.entries
        golden[1].author = "someone-else"
        await #expect(throws: LedgerError(kind: .integrity, field: "line 2: hash", "does not match the entry's content (seq 2 was altered)")) {
            try await ledger.importLines(golden.map(line))
        }
        #expect(try await ledger.store.head().seq == 0)
    }
}

@Suite("Synthetic ledger")
struct SyntheticLedgerTests {
    @Test func itIsDeterministicValidAndMixedLikeRealUse() throws {
        let entries = Array(SyntheticLedger(count: 3_000, seed: 7))
        #expect(entries.map(\.hash) == Array(SyntheticLedger(count: 3_000, seed: 7)).map(\.hash), "the same seed, the same chain")
        #expect(entries.last?.hash != Array(SyntheticLedger(count: 3_000, seed: 8)).last?.hash)
        // Every entry passes the validation a real append would have applied when it was
        // recorded, which is what an import checks.
        var validator = EntryValidator(records: LedgerRecords())
        var previous = ChainHead.empty
        for entry in entries {
            try validator.acceptRecorded(entry)
            #expect(entry.prevHash == previous.hash && entry.computedHash == entry.hash)
            previous = ChainHead(seq: entry.seq, hash: entry.hash)
        }
        let share = { (type: EntryType) in Double(entries.filter { $0.type == type }.count) / Double(entries.count) }
        #expect(share(.followupLogged) > 0.8)
        #expect(share(.statusChanged) > 0.02 && share(.entryCorrected) > 0.003 && share(.entryRetracted) > 0.0005)
        let internalShare = Double(entries.filter { $0.visibility == .internal }.count) / Double(entries.count)
        #expect((0.07...0.13).contains(internalShare))
        #expect(entries.map(\.recordedAt) == entries.map(\.recordedAt).sorted())
    }
}
