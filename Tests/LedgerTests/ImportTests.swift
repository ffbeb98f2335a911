import Foundation
import LedgerTestSupport
import Testing
@testable import Ledger

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
        let golden = CanonicalHashTests.goldenEntries
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
        let golden = CanonicalHashTests.goldenEntries
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
        var golden = CanonicalHashTests.goldenEntries
        golden[1].author = "someone-else"
        await #expect(throws: LedgerError(kind: .integrity, field: "line 2: hash", "does not match the entry's content (seq 2 was altered)")) {
            try await ledger.importLines(golden.map(line))
        }
        #expect(try await ledger.store.head().seq == 0)
    }
}
