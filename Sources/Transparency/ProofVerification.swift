/// Checks RFC 6962 proofs as RFC 9162 (sections 2.1.3.2 and 2.1.4.2) describes, for a
/// verifier that holds only hashes: a receipt's reader, `verify --remote`.
public enum ProofVerification {
    /// The root that `proof` leads to from `leafHash` at `index` in a tree of `size` leaves;
    /// throws when the proof cannot be one (wrong length, index outside the tree).
    public static func rootFromInclusionProof(index: Int64, size: Int64, leafHash: TreeHash, proof: [TreeHash]) throws(TransparencyError) -> TreeHash {
        guard index >= 0, index < size else {
            throw TransparencyError("leaf index \(index) is outside a tree of \(size) leaves")
        }
        var fn = index, sn = size - 1
        var root = leafHash
        for sibling in proof {
            guard sn > 0 else { throw TransparencyError("the inclusion proof has more hashes than a tree of \(size) leaves needs") }
            if fn & 1 == 1 || fn == sn {
                root = .node(sibling, root)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                root = .node(root, sibling)
            }
            fn >>= 1; sn >>= 1
        }
        guard sn == 0 else { throw TransparencyError("the inclusion proof has fewer hashes than a tree of \(size) leaves needs") }
        return root
    }

    /// Throws unless `proof` shows leaf `index` with `leafHash` in the tree of `size` leaves with `root`.
    public static func checkInclusion(index: Int64, size: Int64, leafHash: TreeHash, proof: [TreeHash], root: TreeHash) throws(TransparencyError) {
        let computed = try rootFromInclusionProof(index: index, size: size, leafHash: leafHash, proof: proof)
        guard computed == root else {
            throw TransparencyError("the inclusion proof of leaf \(index) leads to root \(computed), not \(root) of the tree of \(size) leaves")
        }
    }

    /// Throws unless `proof` shows that the tree of `oldSize` leaves with `oldRoot` is a
    /// prefix of the tree of `newSize` leaves with `newRoot`.
    public static func checkConsistency(oldSize: Int64, newSize: Int64, oldRoot: TreeHash, newRoot: TreeHash, proof: [TreeHash]) throws(TransparencyError) {
        guard oldSize <= newSize else {
            throw TransparencyError("a tree of \(newSize) leaves cannot extend one of \(oldSize): the log shrank")
        }
        // As RFC 9162 and the published vectors have it: every tree extends the empty one,
        // so a proof from it proves nothing, and a caller asking for one has a bug.
        guard oldSize > 0 else { throw TransparencyError("a consistency proof from the empty tree proves nothing") }
        if oldSize == newSize {
            guard proof.isEmpty else { throw TransparencyError("trees of the same size need an empty consistency proof") }
            guard oldRoot == newRoot else {
                throw TransparencyError("two trees of \(oldSize) leaves have different roots (\(oldRoot) and \(newRoot)): the log forked")
            }
            return
        }
        guard !proof.isEmpty else { throw TransparencyError("the consistency proof from \(oldSize) to \(newSize) leaves is empty") }
        var path = proof
        if oldSize & (oldSize - 1) == 0 { path.insert(oldRoot, at: 0) }
        var fn = oldSize - 1, sn = newSize - 1
        while fn & 1 == 1 { fn >>= 1; sn >>= 1 }
        var oldComputed = path[0], newComputed = path[0]
        for hash in path.dropFirst() {
            guard sn > 0 else { throw TransparencyError("the consistency proof from \(oldSize) to \(newSize) leaves is too long") }
            if fn & 1 == 1 || fn == sn {
                oldComputed = .node(hash, oldComputed)
                newComputed = .node(hash, newComputed)
                if fn & 1 == 0 {
                    while fn & 1 == 0 && fn != 0 { fn >>= 1; sn >>= 1 }
                }
            } else {
                newComputed = .node(newComputed, hash)
            }
            fn >>= 1; sn >>= 1
        }
        guard sn == 0 else { throw TransparencyError("the consistency proof from \(oldSize) to \(newSize) leaves is too short") }
        guard oldComputed == oldRoot else {
            throw TransparencyError("the tree of \(newSize) leaves does not contain the tree of \(oldSize) leaves with root \(oldRoot): the log was rewritten")
        }
        guard newComputed == newRoot else {
            throw TransparencyError("the consistency proof does not lead to root \(newRoot) of the tree of \(newSize) leaves")
        }
    }
}
