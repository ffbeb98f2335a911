import Foundation
import LedgerTestSupport
import Testing
@testable import Ledger
import LedgerMigrations
import LedgerTeam

/// The database itself refuses a rewrite, on every store, whoever asks: the same SQL, run
/// behind the ledger's back, fails the same way.
@Suite("Store conformance: the database's own guards")
struct StoreGuardConformanceTests {
    func seeded(_ kind: StoreKind, _ directory: TemporaryDirectory) async throws -> (any LedgerStore, RawDatabase) {
        let store = try await kind.makeStore(in: directory)
        _ = try await store.append(Story.base, expectedHead: 0)
        return (store, try RawDatabase.behind(kind, in: directory))
    }

    @Test(arguments: StoreKind.allCases)
    func updatesAndDeletesFailInsideTheDatabase(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let (store, raw) = try await seeded(kind, directory)
        #expect(try await raw.refusal(of: "UPDATE ledger_entries SET payload = '{}' WHERE seq = 2") == .appendOnly)
        #expect(try await raw.refusal(of: "DELETE FROM ledger_entries WHERE seq = 5") == .appendOnly)
        #expect(try await raw.refusal(of: "DELETE FROM ledger_entries") == .appendOnly)
        #expect(try await store.head().seq == 5)
        #expect(try await store.appendOnlyGuardProblems().isEmpty)
        await store.close()
    }

    /// Paging reads ahead on the chain's seqs having no gaps; rows deleted behind the
    /// ledger's back leave gaps, and every row there is is still read once, in order.
    @Test(arguments: StoreKind.allCases)
    func pagesReadEveryRowOnceAcrossGapsMadeBehindTheLedger(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let store = try await kind.makeStore(in: directory)
        _ = try await store.append(Story.base, expectedHead: 0)
        _ = try await store.append((0..<40).map { Story.followup("justice-juarez-fire", on: "2023-08-01", note: "Follow-up \($0)") }, expectedHead: 5)
        let raw = try RawDatabase.behind(kind, in: directory)
        try await raw.withoutGuards("DELETE FROM ledger_entries WHERE seq IN (9, 10, 11, 23, 30, 31, 32, 33, 34, 35, 36, 37, 38)")
        let left = (1...45).filter { ![9, 10, 11, 23, 30, 31, 32, 33, 34, 35, 36, 37, 38].contains($0) }.map(Int64.init)
        for pageSize in [1, 3, 4, 7, 100] {
            for whole in [true, false] {
                var seen: [Int64] = []
                for try await entry in store.entries(after: 0, pageSize: pageSize, followupsWhole: whole) { seen.append(entry.seq) }
                #expect(seen == left, "pages of \(pageSize)")
                seen = []
                for try await entry in store.entries(after: 20, pageSize: pageSize, followupsWhole: whole) { seen.append(entry.seq) }
                #expect(seen == left.filter { $0 > 20 }, "pages of \(pageSize) after 20")
            }
        }
        let verification = try await Ledger(store: store).verify()
        #expect(verification.firstBadSeq == 9 && verification.problem == "missing: the next entry is seq 12", "\(verification)")
        await store.close()
    }

    @Test(arguments: StoreKind.allCases)
    func insertsThatBreakTheChainFailInsideTheDatabase(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let (store, raw) = try await seeded(kind, directory)
        func copyOfSeq5(seq: Int, prevHash: String) -> String {
            """
            INSERT INTO ledger_entries (seq, id, type, schema_version, subject, effective, recorded_at, author, visibility, payload, salt, prev_hash, hash)
            SELECT \(seq), '\(UUID().uuidString.lowercased())', type, schema_version, subject, effective, recorded_at, author, visibility, payload, salt, \(prevHash), hash
            FROM ledger_entries WHERE seq = 5
            """
        }
        let headHash = "(SELECT hash FROM ledger_entries WHERE seq = 5)"
        #expect(try await raw.refusal(of: copyOfSeq5(seq: 7, prevHash: headHash)) == .brokenChain, "a gap in seq")
        #expect(try await raw.refusal(of: copyOfSeq5(seq: 6, prevHash: "'\(ChainHash.genesis)'")) == .brokenChain, "a fork of the chain")
        // PostgreSQL's chain trigger checks the link to the entry before; the primary key refuses a seq taken.
        #expect(try await raw.refusal(of: copyOfSeq5(seq: 5, prevHash: "(SELECT hash FROM ledger_entries WHERE seq = 4)")) != nil, "a seq already taken")
        #expect(try await raw.refusal(of: copyOfSeq5(seq: 6, prevHash: headHash)) == nil, "the guard lets a proper successor in")
        await store.close()
    }

    /// On PostgreSQL the application server's clock chooses recorded_at (an append is one
    /// round trip), so the database checks it; both stores keep it in order.
    @Test(arguments: StoreKind.allCases)
    func recordedAtNeverGoesBackAndOnPostgreSQLStaysNearTheDatabasesClock(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let (store, raw) = try await seeded(kind, directory)
        func successor(recordedAt: String) -> String {
            """
            INSERT INTO ledger_entries (seq, id, type, schema_version, subject, effective, recorded_at, author, visibility, payload, salt, prev_hash, hash)
            SELECT 6, '\(UUID().uuidString.lowercased())', type, schema_version, subject, effective, \(recordedAt), author, visibility, payload, salt, hash, hash
            FROM ledger_entries WHERE seq = 5
            """
        }
        let refused = try await raw.refusal(of: successor(recordedAt: "'2020-01-01T00:00:00.000Z'"))
        guard case .other(let message)? = refused else { Issue.record("an earlier recorded_at was let in: \(String(describing: refused))"); return }
        #expect(message.contains("recorded_at") && message.contains("previous entry"), "\(message)")
        if kind == .postgres {
            let future = "'2099-01-01T00:00:00.000Z'"
            let skewed = try await raw.refusal(of: successor(recordedAt: future))
            #expect(skewed == .other("ledger_entries: recorded_at 2099-01-01T00:00:00.000Z is more than 10 seconds from the database's clock"))
            #expect(try await raw.refusal(of: "BEGIN", "SET LOCAL ledger.importing = 'on'", successor(recordedAt: future), "COMMIT") == nil,
                    "an import keeps the times it copies")
            // Behind the chain's time, a writer repeats it rather than going back.
            let appended = try await Ledger(store: store).append([Story.base[1]].map { draft in
                var retold = draft
                retold.id = UUID()
                retold.subject = "after-the-future"
                return retold
            })
            #expect(appended.entries.first?.recordedAt == "2099-01-01T00:00:00.000Z")
        } else {
            #expect(try await raw.refusal(of: successor(recordedAt: "(SELECT recorded_at FROM ledger_entries WHERE seq = 5)")) == nil)
        }
        #expect(try await store.head().seq == (kind == .postgres ? 7 : 6))
        await store.close()
    }

    @Test(arguments: StoreKind.allCases)
    func verifyNamesARowChangedBehindTheGuardsBack(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let (store, raw) = try await seeded(kind, directory)
        try await raw.withoutGuards(#"UPDATE ledger_entries SET payload = '{"kind":"institution","name":"Someone else"}' WHERE seq = 2"#)
        let verification = try await Ledger(store: store).verify()
        #expect(verification.firstBadSeq == 2)
        #expect(verification.problem?.contains("does not match its hash") == true)
        #expect(verification.head.seq == 1)
        await store.close()
    }

    @Test(arguments: StoreKind.allCases)
    func droppedGuardsAreNoticed(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let (store, raw) = try await seeded(kind, directory)
        try await raw.run(kind == .sqlite
            ? "DROP TRIGGER ledger_entries_no_update"
            : "ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only")
        let problems = try await store.appendOnlyGuardProblems()
        #expect(!problems.isEmpty)
        #expect(problems.contains { $0.contains(kind == .sqlite ? "ledger_entries_no_update" : "ledger_entries_append_only") }, "\(problems)")
        await store.close()
    }

    @Test(arguments: StoreKind.allCases)
    func migrationsAreRecordedAppliedOnceAndAnUnknownSchemaIsRefused(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let (store, raw) = try await seeded(kind, directory)
        await store.close()
        let migrations = kind == .sqlite ? LedgerMigrations.sqlite : LedgerMigrations.postgres
        #expect(try await raw.strings("SELECT name FROM schema_migrations ORDER BY version") == migrations.map(\.name))
        #expect(try await raw.strings("SELECT checksum FROM schema_migrations ORDER BY version") == migrations.map { ChainHash.sha256Hex($0.sql) })
        let reopened = try await kind.reopenStore(in: directory)
        #expect(try await reopened.head().seq == 5)
        #expect(try await raw.strings("SELECT name FROM schema_migrations ORDER BY version").count == migrations.count)
        await reopened.close()

        // A schema this build does not know, newer or changed, is refused.
        try await raw.withoutGuards("INSERT INTO schema_migrations (version, name, checksum, applied_at) VALUES (999, '0999_future.sql', 'x', '2030-01-01')")
        func reopeningFails() async -> LedgerError? {
            do {
                _ = try await kind.reopenStore(in: directory)
                return nil
            } catch {
                return error as? LedgerError
            }
        }
        let newer = await reopeningFails()
        #expect(newer?.message.contains("newer than this ledgerctl knows") == true && newer?.remedy == .upgradeProgram)
        try await raw.withoutGuards("DELETE FROM schema_migrations WHERE version = 999", "UPDATE schema_migrations SET checksum = 'tampered' WHERE version = 1")
        #expect(await reopeningFails()?.message.contains("checksum mismatch") == true)
    }

    @Test(arguments: StoreKind.allCases)
    func aTokenRowIsNeverDeletedOrRewritten(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let (store, raw) = try await seeded(kind, directory)
        try await store.addToken(name: "maria", digest: String(repeating: "a", count: 64))
        for sql in ["DELETE FROM api_tokens", "UPDATE api_tokens SET digest = '\(String(repeating: "0", count: 64))'",
                    "UPDATE api_tokens SET name = 'someone-else'"] {
            #expect(try await raw.refusal(of: sql) == .appendOnly, "\(sql)")
        }
        #expect(try await store.revokeToken(name: "maria"))
        #expect(try await raw.refusal(of: "UPDATE api_tokens SET revoked_at = NULL") == .appendOnly, "a revocation is final")
        #expect(try await store.tokens().map(\.name) == ["maria"])
        await store.close()
    }
}
