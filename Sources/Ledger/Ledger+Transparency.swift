import Foundation
import Transparency

/// The chain's Merkle tree (RFC 6962), kept between calls like the fold: built once from
/// the entry hashes, then extended by what is new, so signing and proving cost O(log n).
actor MerkleCache {
    private var tree = MerkleTree()

    /// Runs `body` on the tree once it holds every stored entry, or at least `size` of them
    /// (then without asking the store, when it has them already).
    func read<T: Sendable>(_ store: any CoreStore, atLeast size: Int64?, _ body: @Sendable (MerkleTree) throws -> T) async throws -> T {
        if let size, tree.size >= size { return try body(tree) }
        while true {
            let size = tree.size
            let rows = try await store.rows(after: size, limit: 4_096)
            // Another reader may have extended the tree while these were read.
            try extend(with: rows.map { ($0.seq, $0.hash) })
            if rows.count < 4_096 { break }
            guard tree.size > size else {
                throw LedgerError(kind: .integrity, "seq \(size + 1) is missing from the chain; run `verify`")
            }
        }
        return try body(tree)
    }

    /// Adds the entries that continue the tree (a verified page, a page just read, a batch
    /// just appended); stops at a gap, which the next read fills or `verify` names.
    func extend(with entries: [(seq: Int64, hash: String)]) throws {
        for (seq, hashText) in entries where seq > tree.size {
            guard seq == tree.size + 1 else { return }
            guard let hash = TreeHash(hex: hashText) else {
                throw LedgerError(kind: .integrity, "seq \(seq): its hash is not 64 hex digits; run `verify`")
            }
            tree.append(leafData: hash)
        }
    }
}

extension Ledger {
    /// Runs `body` on the Merkle tree of every entry stored: leaf i is the entry with
    /// seq i+1, its data the entry's 32-byte hash. With `atLeast`, a tree already that
    /// large is used as it is (no read): what proofs under a known checkpoint need.
    public func withMerkleTree<T: Sendable>(atLeast size: Int64? = nil, _ body: @Sendable (MerkleTree) throws -> T) async throws -> T {
        try await merkle.read(store, atLeast: size, body)
    }

    public struct CheckpointSigning: Sendable {
        public let checkpoint: StoredCheckpoint
        /// False when the latest stored checkpoint already covered the head with this key.
        public let isNew: Bool
    }

    /// Signs and keeps a checkpoint of the first `size` entries (by default all), after
    /// proving that the tree still contains the largest checkpoint signed: the ledger never
    /// signs two checkpoints that contradict each other. A size already signed with this key
    /// is not signed again. The caller verifies the chain first.
    public func signCheckpoint(with signer: SignedNote.Signer, size: Int64? = nil, now: Date = Date()) async throws -> CheckpointSigning {
        let latest = try await store.latestCheckpoint()
        if let latest {
            let origin = try latest.opened().origin
            guard origin == signer.name else {
                throw LedgerError(field: "signing key", "is named \(signer.name), but this ledger's checkpoints are signed as \(origin); a key with another name would start another log")
            }
        }
        let checkpoint = try await withMerkleTree(atLeast: max(size ?? .max, latest?.size ?? 0)) { tree throws -> Checkpoint in
            if let latest { try Self.checkTree(tree, against: latest, purpose: "refusing to sign") }
            let size = size ?? tree.size
            return Checkpoint(origin: signer.name, size: size, root: try Self.root(of: tree, size: size))
        }
        let verifierKey = signer.verifier.text
        if let same = try await store.checkpoint(ofSize: checkpoint.size), same.verifierKey == verifierKey, same.root == checkpoint.root.base64 {
            return CheckpointSigning(checkpoint: same, isNew: false)
        }
        let note = try Self.signed(checkpoint.text, with: signer)
        let stored = try await store.addCheckpoint(StoredCheckpoint(
            size: checkpoint.size, root: checkpoint.root.base64, note: note, verifierKey: verifierKey, signedAt: RecordedAt.string(from: now)))
        return CheckpointSigning(checkpoint: stored, isNew: true)
    }

    /// A receipt (C2SP tlog-proof) that entry `seq` is in the log: its inclusion proof
    /// under `checkpoint` (by default the latest), with the entry's hash as the extra data.
    public func receipt(seq: Int64, under checkpoint: StoredCheckpoint? = nil) async throws -> TlogProof {
        var latest = checkpoint
        if latest == nil { latest = try await store.latestCheckpoint() }
        guard let checkpoint = latest else {
            throw LedgerError(kind: .notFound, field: "seq", "no signed checkpoint exists yet", remedy: .signCheckpoint)
        }
        guard seq >= 1 else { throw LedgerError(field: "seq", "must be 1 or more") }
        guard seq <= checkpoint.size else {
            let head = try await store.head().seq
            if seq > head { throw LedgerError(kind: .notFound, field: "seq", "\(seq) is not in the ledger (it ends at seq \(head))") }
            throw LedgerError(kind: .notFound, field: "seq", "\(seq) is newer than the latest signed checkpoint (\(checkpoint.size) entries)", remedy: .signCheckpoint)
        }
        return try await withMerkleTree(atLeast: checkpoint.size) { tree in
            try Self.checkTree(tree, against: checkpoint, purpose: "no receipt can be given")
            let proof: [TreeHash]
            do throws(TransparencyError) {
                proof = try tree.inclusionProof(index: seq - 1, size: checkpoint.size)
            } catch {
                throw LedgerError(kind: .integrity, error.message)
            }
            return TlogProof(extra: tree.leafData(at: seq - 1).bytes, index: seq - 1, proof: proof, signedCheckpoint: checkpoint.note)
        }
    }

    /// Throws, naming the checkpoint and what happened, unless the tree still has the root
    /// the checkpoint signed.
    static func checkTree(_ tree: MerkleTree, against checkpoint: StoredCheckpoint, purpose: String) throws(LedgerError) {
        if let problem = problem(tree, checkpoint) {
            throw LedgerError(kind: .integrity, "\(problem.message); \(purpose)")
        }
    }

    /// What is wrong between the tree and a signed checkpoint: entries deleted under it, or
    /// rewritten so that they no longer hash to its root.
    /// - Parameter intactSize: how many entries an earlier checkpoint already vouches for,
    ///   to narrow down where a rewrite is.
    static func problem(_ tree: MerkleTree, _ checkpoint: StoredCheckpoint, verifier: SignedNote.Verifier? = nil,
                        intactSize: Int64 = 0) -> (seq: Int64, message: String)? {
        let opened: Checkpoint
        do { opened = try checkpoint.opened(with: verifier) } catch { return (checkpoint.size, error.message) }
        guard opened.size <= tree.size else {
            return (tree.size + 1, "checkpoint \(checkpoint.number) signed \(opened.size) entries on \(checkpoint.signedAt), but the ledger ends at seq \(tree.size): entries \(tree.size + 1)–\(opened.size) were deleted")
        }
        guard (try? tree.root(size: opened.size)) == opened.root else {
            let first = min(intactSize, opened.size - 1) + 1
            return (first, "the first \(opened.size) entries no longer hash to the root checkpoint \(checkpoint.number) signed on \(checkpoint.signedAt): "
                    + (first == opened.size ? "seq \(first) was rewritten" : "an entry between seq \(first) and \(opened.size) was rewritten"))
        }
        return nil
    }

    static func root(of tree: MerkleTree, size: Int64) throws(LedgerError) -> TreeHash {
        do { return try tree.root(size: size) } catch { throw LedgerError(field: "size", error.message) }
    }

    static func signed(_ text: String, with signer: SignedNote.Signer) throws(LedgerError) -> String {
        do { return try signer.sign(text) } catch { throw LedgerError(kind: .integrity, "could not sign: \(error.message)") }
    }

    /// Checks every stored checkpoint with a number above `after` against the tree of the
    /// verified chain; the first problem (narrowed to the entries between the last matching
    /// checkpoint and the first that fails) is set on the verification.
    func checkCheckpoints(_ verification: inout Verification, verifier: SignedNote.Verifier?) async throws {
        let checkpoints = try await store.checkpoints(after: verification.lastCheckpointChecked)
        guard !checkpoints.isEmpty else { return }
        let start = verification
        let checked = try await withMerkleTree { tree -> Verification in
            var verification = start
            for checkpoint in checkpoints {
                if let problem = Self.problem(tree, checkpoint, verifier: verifier, intactSize: verification.signedSize) {
                    verification.firstBadSeq = problem.seq
                    verification.problem = problem.message
                    return verification
                }
                verification.checkpointsChecked += 1
                verification.lastCheckpointChecked = checkpoint.number
                verification.signedSize = max(verification.signedSize, checkpoint.size)
            }
            return verification
        }
        verification = checked
    }
}
