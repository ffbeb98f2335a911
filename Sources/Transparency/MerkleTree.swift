/// An RFC 6962 Merkle tree that keeps every complete subtree's hash, so that appending a
/// leaf costs O(1) hashes amortised, and any root, inclusion proof, consistency proof or
/// tile costs O(log n) lookups, never a recomputation of the tree.
///
/// Level k holds the hash of every complete subtree of 2^k leaves, left to right: these are
/// exactly the hashes C2SP tlog-tiles serve (a tile at level L is 256 hashes of level 8L).
/// About 64 bytes per leaf in all, plus the 32 bytes of leaf data it keeps for entry bundles.
public struct MerkleTree: Sendable {
    public private(set) var size: Int64 = 0
    /// levels[k] is the concatenated 32-byte hashes of level k.
    private var levels: [[UInt8]] = []
    /// Each leaf's data (the ledger's entry hashes), concatenated, for entry bundles.
    private var leafData: [UInt8] = []

    public init() {}

    /// Appends one leaf whose data is `data` (the ledger's leaves are 32-byte entry hashes).
    public mutating func append(leafData data: TreeHash) {
        var hash = data.withUnsafeBytes { data in
            leafData.append(contentsOf: data)
            return TreeHash.leaf(data)
        }
        var level = 0
        while true {
            if levels.count == level { levels.append([]) }
            hash.withUnsafeBytes { levels[level].append(contentsOf: $0) }
            let count = levels[level].count / TreeHash.byteCount
            guard count % 2 == 0 else { break }
            hash = levels[level].withUnsafeBytes { stored in
                let right = stored.count - TreeHash.byteCount
                return .node(UnsafeRawBufferPointer(rebasing: stored[(right - TreeHash.byteCount)..<right]), UnsafeRawBufferPointer(rebasing: stored[right...]))
            }
            level += 1
        }
        size += 1
    }

    /// The data of leaf `index`.
    public func leafData(at index: Int64) -> TreeHash {
        let start = Int(index) * TreeHash.byteCount
        return TreeHash(bytes: leafData[start..<start + TreeHash.byteCount])!
    }

    private func stored(level: Int, index: Int64) -> TreeHash {
        let start = Int(index) * TreeHash.byteCount
        return TreeHash(bytes: levels[level][start..<start + TreeHash.byteCount])!
    }

    /// How many complete subtrees of 2^level leaves the tree has.
    private func count(level: Int) -> Int64 {
        level < levels.count ? Int64(levels[level].count / TreeHash.byteCount) : 0
    }

    /// MTH(D[lo:hi]) of RFC 6962. Ranges that proofs use (aligned on the left, split at
    /// powers of two) cost O(log n) lookups.
    func hash(_ lo: Int64, _ hi: Int64) -> TreeHash {
        let width = hi - lo
        if width == 0 { return .empty }
        if width & (width - 1) == 0, lo % width == 0 {
            return stored(level: width.trailingZeroBitCount, index: lo / width)
        }
        let split = Self.largestPowerOfTwo(below: width)
        return .node(hash(lo, lo + split), hash(lo + split, hi))
    }

    /// The root of the tree's first `size` leaves (by default all of them).
    public func root(size: Int64? = nil) throws(TransparencyError) -> TreeHash {
        let size = size ?? self.size
        guard (0...self.size).contains(size) else {
            throw TransparencyError("the tree has \(self.size) leaves, not \(size)")
        }
        return hash(0, size)
    }

    /// The RFC 6962 audit path of leaf `index` in the tree of the first `size` leaves,
    /// from the leaf's sibling up to the root's child.
    public func inclusionProof(index: Int64, size: Int64) throws(TransparencyError) -> [TreeHash] {
        guard size <= self.size, (0..<size).contains(index) else {
            throw TransparencyError("leaf \(index) is not in a tree of \(size) leaves (this tree has \(self.size))")
        }
        var proof: [TreeHash] = []
        path(index, 0, size, into: &proof)
        return proof
    }

    private func path(_ index: Int64, _ lo: Int64, _ hi: Int64, into proof: inout [TreeHash]) {
        let width = hi - lo
        guard width > 1 else { return }
        let split = Self.largestPowerOfTwo(below: width)
        if index - lo < split {
            path(index, lo, lo + split, into: &proof)
            proof.append(hash(lo + split, hi))
        } else {
            path(index, lo + split, hi, into: &proof)
            proof.append(hash(lo, lo + split))
        }
    }

    /// The RFC 6962 consistency proof that the tree of `old` leaves is a prefix of the tree
    /// of `new` leaves. Empty when either is 0 or they are equal.
    public func consistencyProof(from old: Int64, to new: Int64) throws(TransparencyError) -> [TreeHash] {
        guard 0 <= old, old <= new, new <= size else {
            throw TransparencyError("no consistency proof from \(old) to \(new) leaves in a tree of \(size)")
        }
        var proof: [TreeHash] = []
        if old > 0 && old < new { subproof(old, 0, new, complete: true, into: &proof) }
        return proof
    }

    private func subproof(_ old: Int64, _ lo: Int64, _ hi: Int64, complete: Bool, into proof: inout [TreeHash]) {
        let width = hi - lo
        if old == width {
            if !complete { proof.append(hash(lo, hi)) }
            return
        }
        let split = Self.largestPowerOfTwo(below: width)
        if old <= split {
            subproof(old, lo, lo + split, complete: complete, into: &proof)
            proof.append(hash(lo + split, hi))
        } else {
            subproof(old - split, lo + split, hi, complete: false, into: &proof)
            proof.append(hash(lo, lo + split))
        }
    }

    /// The largest power of two strictly less than `n` (n ≥ 2).
    static func largestPowerOfTwo(below n: Int64) -> Int64 {
        Int64(1) << (63 - (n - 1).leadingZeroBitCount)
    }

    // MARK: Tiles (C2SP tlog-tiles)

    /// The bytes of a tile or entry bundle, or nil when this tree is too small to have it.
    public func tileData(_ tile: TileAddress) -> [UInt8]? {
        let first = tile.index * Int64(TileAddress.width)
        let end = first + Int64(tile.width)
        switch tile.level {
        case .entries:
            guard end <= size else { return nil }
            var bundle: [UInt8] = []
            bundle.reserveCapacity(tile.width * (2 + TreeHash.byteCount))
            for index in first..<end {
                bundle += [0, UInt8(TreeHash.byteCount)]
                bundle += leafData(at: index).bytes
            }
            return bundle
        case .hashes(let level):
            let treeLevel = level * TileAddress.height
            guard end <= count(level: treeLevel) else { return nil }
            return Array(levels[treeLevel][Int(first) * TreeHash.byteCount..<Int(end) * TreeHash.byteCount])
        }
    }
}
