import Foundation
import Ledger
import LedgerTestSupport
import Testing
import Transparency

/// Signed checkpoints on every store, and the attacks they exist for: each one made behind
/// the database's guards, as someone with the database (not the key) could, then caught by
/// `verify` and refused by signing, with a message that says what happened.
@Suite struct TransparencyConformanceTests {
    static let origin = "ledger.example.org/pmpj"

    struct Signed {
        let directory: TemporaryDirectory
        let ledger: Ledger
        let raw: RawDatabase
        let signer: SignedNote.Signer
        /// Signed at 10 entries and at all 28.
        let checkpoints: [StoredCheckpoint]

        static func make(_ kind: StoreKind) async throws -> Signed {
            let directory = try TemporaryDirectory()
            let ledger = try await kind.makeLedger(in: directory)
            let signer = try SignedNote.Signer(generatingFor: origin)
            _ = try await ledger.append(Array(DemoLedger.drafts.prefix(10)))
            let first = try await ledger.signCheckpoint(with: signer)
            _ = try await ledger.append(Array(DemoLedger.drafts.dropFirst(10)))
            let second = try await ledger.signCheckpoint(with: signer)
            return Signed(directory: directory, ledger: ledger, raw: try RawDatabase.behind(kind, in: directory), signer: signer,
                          checkpoints: [first.checkpoint, second.checkpoint])
        }

        /// The same database through a new store, so nothing kept in memory hides the change.
        func reopened(_ kind: StoreKind) async throws -> Ledger { Ledger(store: try await kind.reopenStore(in: directory)) }

        func checkpointCount() async throws -> Int { try await raw.strings("SELECT CAST(count(*) AS TEXT) FROM log_checkpoints").first.flatMap { Int($0) } ?? -1 }
    }

    @Test(arguments: StoreKind.allCases)
    func checkpointsAreSignedKeptAndNeverRepeated(_ kind: StoreKind) async throws {
        let signed = try await Signed.make(kind)
        defer { Task { await signed.ledger.close() } }
        #expect(signed.checkpoints.map(\.size) == [10, 28])
        #expect(signed.checkpoints.map(\.number) == [1, 2])
        let again = try await signed.ledger.signCheckpoint(with: signed.signer)
        #expect(!again.isNew && again.checkpoint == signed.checkpoints[1], "the head has not moved: nothing new is signed")
        let checkpoint = try signed.checkpoints[1].opened(with: signed.signer.verifier)
        #expect(checkpoint.origin == Self.origin && checkpoint.size == 28)
        #expect(try await signed.ledger.withMerkleTree { try $0.root(size: 28) } == checkpoint.root)
        // Receipts prove each entry under the latest checkpoint.
        let entries = try await signed.ledger.store.entries(after: 0, limit: 100)
        for entry in entries {
            let receipt = try await signed.ledger.receipt(seq: entry.seq)
            #expect(try receipt.check(leafData: TreeHash(hex: entry.hash)!.bytes, verifier: signed.signer.verifier) == checkpoint)
        }
        await #expect(throws: LedgerError.self) { try await signed.ledger.receipt(seq: 29) }
        // A key with another name would start another log.
        let stranger = try SignedNote.Signer(generatingFor: "elsewhere.example/log")
        await #expect(throws: LedgerError.self) { try await signed.ledger.signCheckpoint(with: stranger) }
        // The database keeps them append-only, and never past the entries it holds.
        #expect(try await signed.raw.refusal(of: "UPDATE log_checkpoints SET tree_size = 27 WHERE number = 2") == .appendOnly)
        #expect(try await signed.raw.refusal(of: "DELETE FROM log_checkpoints WHERE number = 2") == .appendOnly)
        let beyond = try await signed.raw.refusal(of: "INSERT INTO log_checkpoints (tree_size, root_hash, note, verifier_key, signed_at) VALUES (29, '\(String(repeating: "A", count: 43))=', 'x', 'y', 'z')")
        #expect(beyond != nil)
        let verification = try await signed.reopened(kind).verify(verifier: signed.signer.verifier)
        #expect(verification.isIntact && verification.checkpointsChecked == 2 && verification.signedSize == 28)
    }

    @Test(arguments: StoreKind.allCases)
    func aPayloadChangedBehindTheTriggersIsCaught(_ kind: StoreKind) async throws {
        let signed = try await Signed.make(kind)
        defer { Task { await signed.ledger.close() } }
        try await signed.raw.withoutGuards("UPDATE ledger_entries SET author = 'someone else' WHERE seq = 20")
        let verification = try await signed.reopened(kind).verify()
        #expect(verification.firstBadSeq == 20)
        #expect(verification.problem?.contains("content does not match its hash") == true)
    }

    /// The attack a hash chain alone cannot see: seq 20 rewritten and every later hash
    /// recomputed, so each entry links to the one before.
    @Test(arguments: StoreKind.allCases)
    func aSuffixRewrittenWithRecomputedHashesIsCaught(_ kind: StoreKind) async throws {
        let signed = try await Signed.make(kind)
        defer { Task { await signed.ledger.close() } }
        var entries = try await signed.ledger.store.entries(after: 19, limit: 100)
        var previous = entries[0].prevHash
        var statements: [String] = []
        for index in entries.indices {
            if index == 0 { entries[index].author = "someone else" }
            entries[index].prevHash = previous
            entries[index].hash = entries[index].computedHash
            previous = entries[index].hash
            statements.append("UPDATE ledger_entries SET author = '\(entries[index].author)', prev_hash = '\(entries[index].prevHash)', hash = '\(entries[index].hash)' WHERE seq = \(entries[index].seq)")
        }
        try await signed.raw.withoutGuards(statements)
        let ledger = try await signed.reopened(kind)
        let verification = try await ledger.verify()
        #expect(verification.entries == 28, "every hash and link is right again")
        #expect(verification.firstBadSeq == 11, "the checkpoint at 10 still holds, so the rewrite is after it")
        #expect(verification.problem == "the first 28 entries no longer hash to the root checkpoint 2 signed on \(signed.checkpoints[1].signedAt): an entry between seq 11 and 28 was rewritten")
        let before = try await signed.checkpointCount()
        await #expect(throws: LedgerError.self) { try await ledger.signCheckpoint(with: signed.signer) }
        await #expect(throws: LedgerError.self) { try await ledger.receipt(seq: 3) }
        #expect(try await signed.checkpointCount() == before, "nothing was signed")
    }

    @Test(arguments: StoreKind.allCases)
    func theLastEntriesDeletedAreCaught(_ kind: StoreKind) async throws {
        let signed = try await Signed.make(kind)
        defer { Task { await signed.ledger.close() } }
        try await signed.raw.withoutGuards("DELETE FROM ledger_entries WHERE seq > 25")
        let ledger = try await signed.reopened(kind)
        let verification = try await ledger.verify()
        #expect(verification.firstBadSeq == 26)
        #expect(verification.problem?.contains("the ledger ends at seq 25: entries 26–28 were deleted") == true, "\(verification.problem ?? "")")
        let refusal = await #expect(throws: LedgerError.self) { try await ledger.signCheckpoint(with: signed.signer) }
        #expect(refusal?.message.contains("refusing to sign") == true)
    }

    @Test(arguments: StoreKind.allCases)
    func anAlteredCheckpointRowIsCaught(_ kind: StoreKind) async throws {
        let signed = try await Signed.make(kind)
        defer { Task { await signed.ledger.close() } }
        // A root that matches no note: the row disagrees with what was signed.
        let otherRoot = signed.checkpoints[0].root
        try await signed.raw.withoutGuards("UPDATE log_checkpoints SET root_hash = '\(otherRoot)' WHERE number = 2")
        var verification = try await signed.reopened(kind).verify()
        #expect(verification.problem?.contains("the row was altered") == true, "\(verification.problem ?? "")")
        // A note rewritten to a new size: its signature no longer holds.
        let forged = signed.checkpoints[1].note.replacingOccurrences(of: "\n28\n", with: "\n27\n")
        try await signed.raw.withoutGuards("UPDATE log_checkpoints SET root_hash = '\(signed.checkpoints[1].root)', note = '\(forged)' WHERE number = 2")
        verification = try await signed.reopened(kind).verify()
        #expect(verification.problem?.contains("does not match the note") == true, "\(verification.problem ?? "")")
        // A key swapped beside the rows is not the published key.
        let impostor = try SignedNote.Signer(generatingFor: Self.origin)
        let impostorNote = try impostor.sign(try signed.checkpoints[1].opened(with: signed.signer.verifier).text)
        try await signed.raw.withoutGuards("UPDATE log_checkpoints SET note = '\(impostorNote)', verifier_key = '\(impostor.verifier.text)' WHERE number = 2")
        #expect(try await signed.reopened(kind).verify().isIntact, "self-consistent with the key stored beside it")
        verification = try await signed.reopened(kind).verify(verifier: signed.signer.verifier)
        #expect(verification.problem?.contains("is not signed by \(Self.origin)+") == true, "\(verification.problem ?? "")")
    }
}
