import Foundation
import LedgerTestSupport
import Testing
@testable import Ledger
import LedgerMigrations
import LedgerTeam

/// The promises every `LedgerStore` keeps. Written against the protocol only, so a new
/// store joins by being added to `StoreKind`.
@Suite("Store conformance")
struct StoreConformanceTests {
    func drafts(_ count: Int, subject: String = "justice-juarez-fire") -> [EntryDraft] {
        (0..<count).map { Story.followup(subject, on: "2023-08-01", note: "Follow-up \($0)") }
    }

    @Test(arguments: StoreKind.allCases)
    func anEmptyStoreHasTheGenesisHead(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let store = try await kind.makeStore(in: directory)
        #expect(try await store.head() == .empty)
        #expect(try await store.entries(after: 0, limit: 10).isEmpty)
    }

    @Test(arguments: StoreKind.allCases)
    func appendsAreGapFreeAndChained(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let store = try await kind.makeStore(in: directory)
        let first = try await store.append(Story.base, expectedHead: 0)
        let second = try await store.append(drafts(3), expectedHead: 5)
        #expect(first.entries.map(\.seq) == [1, 2, 3, 4, 5])
        #expect(second.entries.map(\.seq) == [6, 7, 8])
        #expect(second.new == second.entries)
        let all = try await store.entries(after: 0, limit: 100)
        #expect(all.map(\.seq) == Array(1...8))
        var previous = ChainHash.genesis
        for entry in all {
            #expect(entry.prevHash == previous)
            #expect(entry.computedHash == entry.hash)
            previous = entry.hash
        }
        #expect(try await store.head() == ChainHead(seq: 8, hash: previous, recordedAt: all.last?.recordedAt))
        #expect(all.map(\.recordedAt) == all.map(\.recordedAt).sorted(), "recorded_at never goes back")
    }

    @Test(arguments: StoreKind.allCases)
    func whatIsReadBackIsWhatWasWritten(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let store = try await kind.makeStore(in: directory)
        let written = try await store.append(Story.base + [Story.followup("justice-juarez-fire", on: "2023-08-01T09:30:00Z", note: "Ünïcödé \"quotes\" \\ and\nlines 🙂", .internal)], expectedHead: nil)
        #expect(try await store.entries(after: 0, limit: 100) == written.entries)
    }

    @Test(arguments: StoreKind.allCases)
    func aRetriedIdIsNotWrittenTwice(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let store = try await kind.makeStore(in: directory)
        let batch = Story.base
        let first = try await store.append(batch, expectedHead: 0)
        // A retry after a lost reply: same ids, and a stale expected head.
        let retry = try await store.append(batch, expectedHead: 0)
        #expect(retry.entries == first.entries)
        #expect(retry.new.isEmpty, "a retry writes nothing, whatever its seq")
        // A retry mixed with new drafts writes only the new ones, in one batch.
        let more = drafts(2)
        let mixed = try await store.append([batch[4]] + more, expectedHead: 5)
        #expect(mixed.entries.map(\.seq) == [5, 6, 7])
        #expect(mixed.new.map(\.seq) == [6, 7])
        #expect(try await store.head().seq == 7)
    }

    @Test(arguments: StoreKind.allCases)
    func theSameIdWithOtherContentFailsTheWholeBatch(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let store = try await kind.makeStore(in: directory)
        let base = Story.base
        _ = try await store.append(base, expectedHead: 0)
        var impostor = drafts(1)[0]
        impostor.id = base[0].id
        await #expect(throws: LedgerError.self) {
            _ = try await store.append(drafts(2) + [impostor], expectedHead: 5)
        }
        #expect(try await store.head().seq == 5, "nothing of the failed batch was written")
    }

    @Test(arguments: StoreKind.allCases)
    func aMovedHeadIsReportedNotOverwritten(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let store = try await kind.makeStore(in: directory)
        _ = try await store.append(Story.base, expectedHead: 0)
        await #expect(throws: AppendConflict.self) {
            _ = try await store.append(drafts(1), expectedHead: 3)
        }
        #expect(try await store.head().seq == 5)
    }

    @Test(arguments: StoreKind.allCases)
    func pagesAreBoundedAndOrdered(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let store = try await kind.makeStore(in: directory)
        let base = Story.base
        _ = try await store.append(base + drafts(20), expectedHead: 0)
        #expect(try await store.entries(after: 3, limit: 4).map(\.seq) == [4, 5, 6, 7])
        var seen: [Int64] = []
        for try await entry in store.entries(after: 0, pageSize: 7) { seen.append(entry.seq) }
        #expect(seen == Array(1...25))
        let picked = try await store.entries(withIDs: [base[2].id, UUID()])
        #expect(picked.map(\.seq) == [3])
        // By subject: every entry about any of them, in seq order, and nothing for one unknown.
        let all = try await store.entries(after: 0, limit: 100)
        let subjects = [all[4].subject, all[1].subject, "no-such-subject"]
        let about = try await store.entries(about: subjects)
        #expect(!about.isEmpty && about.map(\.seq) == all.filter { subjects.contains($0.subject) }.map(\.seq))
        #expect(try await store.entries(about: ["no-such-subject"]).isEmpty)
        #expect(try await store.entries(withSeqs: [9, 2, 99, 5]).map(\.seq) == [2, 5, 9])
        // Without the follow-ups' text (what a counts fold reads): every other entry as it is;
        // of a follow-up its seq, subject, dates, visibility and hash, and nothing else read.
        let light = try await store.entries(after: 0, limit: 100, followupsWhole: false)
        #expect(all.contains { $0.type == .followupLogged } && all.contains { $0.type != .followupLogged })
        #expect(light.map(\.seq) == all.map(\.seq) && light.map(\.hash) == all.map(\.hash))
        for (read, whole) in zip(light, all) {
            if whole.type != .followupLogged {
                #expect(read == whole, "seq \(whole.seq)")
                continue
            }
            #expect(read.type == whole.type && read.subject == whole.subject && read.effective == whole.effective
                    && read.recordedAt == whole.recordedAt && read.visibility == whole.visibility && read.schema == whole.schema, "seq \(whole.seq)")
            #expect(read.payload == .object([:]) && read.author.isEmpty && read.salt.isEmpty && read.prevHash.isEmpty, "seq \(whole.seq)")
            #expect(read.id.uuidString == "00000000-0000-0000-0000-000000000000")
        }
    }

    @Test(arguments: StoreKind.allCases)
    func goldenEntriesImportWithTheirHashes(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let store = try await kind.makeStore(in: directory)
        try await store.importEntries(GoldenVectors.entries)
        let stored = try await store.entries(after: 0, limit: 10)
        #expect(stored.map(\.hash) == GoldenVectors.hashes)
        #expect(stored.map(\.computedHash) == GoldenVectors.hashes)
        #expect(try await store.head().hash == GoldenVectors.hashes[2])
    }

    @Test(arguments: StoreKind.allCases)
    func importsMustContinueTheChain(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let store = try await kind.makeStore(in: directory)
        let golden = GoldenVectors.entries
        await #expect(throws: LedgerError.self) { try await store.importEntries(Array(golden.dropFirst())) }
        try await store.importEntries([golden[0]])
        await #expect(throws: LedgerError.self) { try await store.importEntries([golden[0]]) }
        try await store.importEntries(Array(golden.dropFirst()))
        #expect(try await store.head().seq == 3)
    }

    @Test(arguments: StoreKind.allCases)
    func concurrentWritersThroughTheLedgerKeepTheChainWhole(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await kind.makeLedger(in: directory)
        _ = try await ledger.append(Story.base, today: Story.day)
        try await withThrowingTaskGroup(of: Void.self) { group in
            for writer in 0..<4 {
                group.addTask {
                    for index in 0..<25 {
                        _ = try await ledger.append([Story.followup("stop-arms-flow", on: "2023-08-01", note: "writer \(writer) entry \(index)")], today: Story.day)
                    }
                }
            }
            try await group.waitForAll()
        }
        let verification = try await ledger.verify()
        #expect(verification.isIntact)
        #expect(verification.entries == 105)
    }
}
