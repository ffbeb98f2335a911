import Foundation
import LedgerTestSupport
import Testing
@testable import Ledger
import LedgerSynthetic
import Transparency

/// Snapshots of the fold are a cache: whatever a command reads through one must be exactly
/// what folding the chain from seq 1 gives, and a snapshot that does not match the chain
/// must be ignored.
@Suite("Snapshots of the fold")
struct SnapshotTests {
    /// A synthetic chain (corrections, retractions, internal entries), then two actors whose
    /// names are the same to Swift's `==` but not in bytes (é, and e with a combining accent).
    static func ledger(_ kind: StoreKind, in directory: TemporaryDirectory, count: Int = 2_500, seed: UInt64 = 11) async throws -> Ledger {
        let ledger = try await kind.makeLedger(in: directory)
        try await ledger.importLines(SyntheticLedger(count: count, seed: seed).map { Substring($0.exchangeJSON.canonicalText) })
        let today = EffectiveTime(day: .today())
        _ = try await ledger.append([
            EntryDraft(type: .actorRegistered, subject: "jose-composed", effective: today, author: "equipo-política",
                       payload: ActorPayload(name: "José \u{E9}", kind: .organisation).json),
            EntryDraft(type: .actorRegistered, subject: "jose-decomposed", effective: today, author: "equipo-poli\u{301}tica",
                       visibility: .internal, payload: ActorPayload(name: "José e\u{301}", kind: .organisation).json),
        ])
        return ledger
    }

    /// The fold as the chain gives it, read without any snapshot.
    static func coldFold(_ ledger: Ledger, _ audience: Visibility, knownAt: Int64? = nil,
                         detail: LedgerRecords.Detail = .full) async throws -> LedgerRecords {
        var records = LedgerRecords(audience: audience, detail: detail)
        try await ledger.catchUp(&records, until: knownAt)
        return records
    }

    static func right(_ records: LedgerRecords) -> ProjectionSnapshot {
        ProjectionSnapshot(of: records, merkleRoot: String(repeating: "0", count: 64))
    }

    static func expectSame(_ warm: LedgerRecords, _ cold: LedgerRecords, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(warm.head == cold.head, sourceLocation: sourceLocation)
        #expect(warm.records == cold.records, sourceLocation: sourceLocation)
        #expect(warm.definitions == cold.definitions, sourceLocation: sourceLocation)
        #expect(warm.activityBySubject == cold.activityBySubject, sourceLocation: sourceLocation)
        #expect(warm.followupCounts == cold.followupCounts, sourceLocation: sourceLocation)
        // `==` on strings forgives canonically equivalent spellings; the bytes must be the same.
        #expect(warm.records.map { Array($0.author.utf8) + Array($0.payload["name"]?.stringValue?.utf8 ?? "".utf8) }
                == cold.records.map { Array($0.author.utf8) + Array($0.payload["name"]?.stringValue?.utf8 ?? "".utf8) },
                sourceLocation: sourceLocation)
    }

    @Test(arguments: StoreKind.allCases)
    func aSnapshotGivesExactlyTheFoldOfTheChainAndOnlyNewEntriesAreFolded(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let writer = try await Self.ledger(kind, in: directory)
        let saved = try await writer.saveSnapshots()
        #expect(saved.map(\.audience) == [.internal, .internal, .public, .public] && saved.allSatisfy { $0.seq == 2_502 && $0.bytes > 0 })
        #expect(saved.map(\.detail) == [.full, .counts, .full, .counts])
        #expect(saved[1].bytes < saved[0].bytes / 5, "the counts leave the follow-ups out: \(saved[1].bytes) of \(saved[0].bytes) bytes")
        let stored = try #require(try await writer.store.snapshot(audience: .internal, detail: .full))
        #expect(stored.merkleRoot == (try await writer.withMerkleTree { try $0.root(size: 2_502).hex }))

        // A new process: its first read starts from the snapshot.
        let reader = Ledger(store: try await kind.reopenStore(in: directory))
        for audience in [Visibility.internal, .public] {
            Self.expectSame(try await reader.records(audience: audience), try await Self.coldFold(reader, audience))
            let counts = try await reader.records(audience: audience, detail: .counts)
            #expect(counts.detail == .counts && counts.followupCounts.count > 1_000)
            Self.expectSame(counts, try await Self.coldFold(reader, audience, detail: .counts))
            Self.expectSame(counts, try await Self.coldFold(reader, audience).counts)
        }
        // Entries written after the snapshot are folded on top of it.
        _ = try await writer.append([EntryDraft(type: .actorRegistered, subject: "after-the-snapshot", effective: EffectiveTime(day: .today()),
                                                author: "equipo", payload: ActorPayload(name: "Después", kind: .organisation).json)])
        let later = Ledger(store: try await kind.reopenStore(in: directory))
        let warm = try await later.records()
        #expect(warm.head.seq == 2_503)
        Self.expectSame(warm, try await Self.coldFold(later, .internal))
        Self.expectSame(try await later.records(detail: .counts), try await Self.coldFold(later, .internal, detail: .counts))
        // A read of an earlier point of the chain never starts past it.
        Self.expectSame(try await later.records(knownAt: 1_000), try await Self.coldFold(later, .internal, knownAt: 1_000))
        Self.expectSame(try await later.records(knownAt: 2_502, audience: .public), try await Self.coldFold(later, .public, knownAt: 2_502))
    }

    /// A snapshot is trusted as far as its head; `snapshotProblems` (what `verify` and a
    /// starting server run) is what finds one whose body someone else wrote.
    @Test(arguments: StoreKind.allCases)
    func aSnapshotThatIsNotTheFoldOfTheChainIsFoundAndRebuilt(_ kind: StoreKind) async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await Self.ledger(kind, in: directory)
        try await ledger.saveSnapshots()
        #expect(try await ledger.snapshotProblems().isEmpty, "the snapshots kept are the chain's folds, byte for byte")

        let original = try await Forgery.rewriteNoteInPublicSnapshot(of: ledger, note: "Nothing happened <here>.")
        let misled = try await Ledger(store: try await kind.reopenStore(in: directory)).records(audience: .public)
        #expect(misled.records.contains { $0.payload["note"]?.stringValue == "Nothing happened <here>." }, "a read trusts the head")
        let problems = try await ledger.snapshotProblems()
        #expect(problems.count == 1 && problems[0].contains("the snapshot of the public view at seq 2502 is not the fold of the chain"), "\(problems)")

        // The counts snapshot is checked as well, against the same fold of the chain.
        let status = try await Forgery.rewriteStatusInPublicCountsSnapshot(of: ledger)
        let forgedCounts = try await Ledger(store: try await kind.reopenStore(in: directory)).records(audience: .public, detail: .counts)
        let lastStatusChange = try #require(forgedCounts.records.last { $0.type == .statusChanged && $0.visibility == .public })
        #expect(lastStatusChange.originalPayload["status"]?.stringValue == status.now && status.now != status.was, "a read trusts the head")
        let both = try await ledger.snapshotProblems()
        #expect(both.count == 2 && both[1].contains("the snapshot of the public view (counts) at seq 2502 is not the fold of the chain"), "\(both)")

        // The right body under another tree's root is named too.
        let stored = try #require(try await ledger.store.snapshot(audience: .internal, detail: .full))
        try await ledger.store.saveSnapshot(ProjectionSnapshot(audience: .internal, detail: .full, head: stored.head, merkleRoot: String(repeating: "ab", count: 32),
                                                               format: stored.format, createdAt: stored.createdAt, body: stored.body))
        #expect(try await ledger.snapshotProblems().contains { $0.contains("the snapshot of the team's view at seq 2502 names the Merkle root abab") })

        // Rebuilt from the chain, not from the snapshot: right again.
        let rebuilt = Ledger(store: try await kind.reopenStore(in: directory))
        try await rebuilt.saveSnapshots(fromChain: true)
        #expect(try await rebuilt.snapshotProblems().isEmpty)
        let reread = try await Ledger(store: try await kind.reopenStore(in: directory)).records(audience: .public)
        #expect(reread.records.contains { $0.payload["note"]?.stringValue == original })
        Self.expectSame(reread, try await Self.coldFold(rebuilt, .public))
        Self.expectSame(try await Ledger(store: try await kind.reopenStore(in: directory)).records(audience: .public, detail: .counts),
                        try await Self.coldFold(rebuilt, .public, detail: .counts))
    }

    /// A damaged snapshot reads as a missed cache, never a crash: a counts snapshot cut
    /// short anywhere is refused, and one with bytes changed is refused or read, not trapped on.
    @Test func aDamagedCountsSnapshotIsRefusedNotTrappedOn() throws {
        var fold = LedgerRecords(detail: .counts)
        for entry in SyntheticLedger(count: 400, seed: 5) { fold.apply(entry) }
        let whole = Self.right(fold)
        #expect(try whole.records().followupCounts == fold.followupCounts && fold.followupCounts.count > 100)
        func damaged(_ body: Data) -> ProjectionSnapshot {
            ProjectionSnapshot(audience: whole.audience, detail: .counts, head: whole.head, merkleRoot: whole.merkleRoot, format: whole.format,
                               createdAt: 0, body: body)
        }
        let cuts = Array(stride(from: 0, to: whole.body.count, by: max(1, whole.body.count / 300)))
        #expect(cuts.filter { (try? damaged(whole.body.prefix($0)).records()) == nil }.count == cuts.count)
        // Written on purpose: a subject twice in the counts' table, and a seq past Int64.max.
        var twice = SnapshotWriter()
        for empty in [0, 0, 0] as [UInt64] { twice.unsigned(empty) }  // no records, definitions or activity
        twice.unsigned(2)
        twice.string("demand-1")
        twice.string("demand-1")
        for empty in [0, 0, 0] as [UInt64] { twice.unsigned(empty) }  // no follow-ups, corrections or retractions
        #expect((try? damaged(twice.data()).records()) == nil)
        var overflowing = SnapshotWriter()
        overflowing.unsigned(1)
        overflowing.unsigned(UInt64.max)
        #expect((try? damaged(overflowing.data()).records()) == nil)
        var random = SplitMix64(seed: 9)
        for _ in 0..<500 {
            var bytes = [UInt8](whole.body)
            bytes[Int(random.next() % UInt64(bytes.count))] = UInt8(truncatingIfNeeded: random.next())
            _ = try? damaged(Data(bytes)).records()
        }
    }

    /// The snapshot's bytes grow in memory of their own, handed to `Data` without a copy:
    /// appends of every size, across every growth, come back as written.
    @Test func growingBytesKeepEveryAppendInOrder() {
        var bytes = GrowingBytes(capacity: 10)
        var expected: [UInt8] = []
        var random = SplitMix64(seed: 4)
        for round in 0..<400 {
            switch round % 3 {
            case 0:
                let byte = UInt8(truncatingIfNeeded: random.next())
                bytes.append(byte)
                expected.append(byte)
            case 1:
                // Up to 40 KB at once: more than the capacity doubled, early on.
                let chunk = (0..<Int(random.next() % 40_000)).map { _ in UInt8(truncatingIfNeeded: random.next()) }
                chunk.withUnsafeBytes { bytes.append(contentsOf: $0) }
                expected += chunk
            default:
                let text = String(repeating: "Ciudad Juárez · ", count: Int(random.next() % 2_000))
                bytes.append(contentsOf: text.utf8)
                expected += Array(text.utf8)
            }
        }
        let bridged = NSString(string: "a bridged string, née ‘NSString’") as String
        bytes.append(contentsOf: bridged.utf8)
        expected += Array(bridged.utf8)
        #expect(bytes.count == expected.count)
        #expect(bytes.withUnsafeBytes { Array($0) } == expected)
        #expect(bytes.data() == Data(expected))
    }

    /// Both databases cap a value at 1 GB (a 3M-entry snapshot is 1.2 GB): stores keep parts.
    @Test func aSnapshotIsKeptInPartsThatJoinOnlyWhenTheyAgree() throws {
        let whole = Self.right(LedgerRecords(entries: Array(SyntheticLedger(count: 300, seed: 3))))
        let parts = whole.parts(of: 1_000)
        #expect(parts.count == (whole.body.count + 999) / 1_000 && parts.count > 2)
        func stored(_ body: Data, head: ChainHead? = nil) -> ProjectionSnapshot {
            ProjectionSnapshot(audience: whole.audience, detail: whole.detail, head: head ?? whole.head, merkleRoot: whole.merkleRoot, format: whole.format,
                               createdAt: whole.createdAt, body: body)
        }
        let joined = try #require(ProjectionSnapshot.joined(parts.map { stored($0) }))
        #expect(joined.body == whole.body)
        Self.expectSame(try joined.records(), try whole.records())
        var mixed = parts.map { stored($0) }
        mixed[1] = stored(parts[1], head: .empty)
        #expect(ProjectionSnapshot.joined(mixed) == nil, "a part of another snapshot")
        #expect(ProjectionSnapshot.joined([]) == nil)
    }

    @Test(arguments: StoreKind.allCases)
    func aSnapshotOfAnotherChainATruncatedChainOrAnotherFormatIsIgnored(_ kind: StoreKind) async throws {
        // The same length, other content: the entry at the snapshot's seq has another hash.
        let other = try TemporaryDirectory()
        let otherLedger = try await Self.ledger(kind, in: other, seed: 12)
        try await otherLedger.saveSnapshots()
        let foreign = try #require(try await otherLedger.store.snapshot(audience: .internal, detail: .full))

        let directory = try TemporaryDirectory()
        let ledger = try await Self.ledger(kind, in: directory)
        try await ledger.store.saveSnapshot(foreign)
        let cold = try await Self.coldFold(ledger, .internal)
        Self.expectSame(try await Ledger(store: try await kind.reopenStore(in: directory)).records(), cold)

        // A snapshot past the head: a chain cut short (here, one that never grew that far).
        let short = try TemporaryDirectory()
        let shortLedger = try await kind.makeLedger(in: short)
        try await shortLedger.importLines(SyntheticLedger(count: 2_000, seed: 11).map { Substring($0.exchangeJSON.canonicalText) })
        let own = try await Self.coldFold(ledger, .internal)
        try await shortLedger.store.saveSnapshot(Self.right(own))
        let shortReader = Ledger(store: try await kind.reopenStore(in: short))
        let shortFold = try await shortReader.records()
        #expect(shortFold.head.seq == 2_000)
        Self.expectSame(shortFold, try await Self.coldFold(shortReader, .internal))

        // The checks are what keep a snapshot out, not luck: one whose head matches but whose
        // body is another chain's fold is read as it says (a snapshot is trusted as far as its
        // head, which is why only the ledger's writers may store one)...
        let foreignBody = ProjectionSnapshot(of: try await Self.coldFold(otherLedger, .internal), merkleRoot: Self.right(own).merkleRoot).body
        let matching = ProjectionSnapshot(audience: .internal, detail: .full, head: own.head, merkleRoot: Self.right(own).merkleRoot,
                                          format: ProjectionSnapshot.currentFormat, createdAt: 0, body: foreignBody)
        try await ledger.store.saveSnapshot(matching)
        let misled = try await Ledger(store: try await kind.reopenStore(in: directory)).records()
        #expect(misled.records.map(\.id) != cold.records.map(\.id), "the head matched, so the snapshot was used")
        // ...but the same body under an older format number, or cut short, is not.
        for wrong in [
            ProjectionSnapshot(audience: .internal, detail: .full, head: own.head, merkleRoot: matching.merkleRoot, format: ProjectionSnapshot.currentFormat - 1,
                               createdAt: 0, body: foreignBody),
            ProjectionSnapshot(audience: .internal, detail: .full, head: own.head, merkleRoot: matching.merkleRoot, format: ProjectionSnapshot.currentFormat,
                               createdAt: 0, body: foreignBody.prefix(foreignBody.count / 2)),
        ] {
            try await ledger.store.saveSnapshot(wrong)
            Self.expectSame(try await Ledger(store: try await kind.reopenStore(in: directory)).records(), cold)
        }
        #expect(throws: LedgerError.self) {
            try ProjectionSnapshot(audience: .internal, detail: .full, head: own.head, merkleRoot: matching.merkleRoot, format: ProjectionSnapshot.currentFormat,
                                   createdAt: 0, body: foreignBody.dropLast()).records()
        }
    }
}
