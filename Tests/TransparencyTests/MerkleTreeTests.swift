import Foundation
import Testing
import Transparency

/// The kept tree against RFC 6962's definition computed the slow way, and its proofs
/// against the verifier that the published vectors check.
@Suite struct MerkleTreeTests {
    static func leafData(_ index: Int) -> TreeHash {
        TreeHash.leaf(Array("leaf \(index)".utf8))  // any 32 bytes will do
    }

    /// MTH(D[n]) straight from RFC 6962, section 2.1.
    static func referenceRoot(_ leaves: ArraySlice<TreeHash>) -> TreeHash {
        if leaves.isEmpty { return .empty }
        if leaves.count == 1 { return .leaf(leaves.first!.bytes) }
        var split = 1
        while split * 2 < leaves.count { split *= 2 }
        return .node(referenceRoot(leaves.prefix(split)), referenceRoot(leaves.dropFirst(split)))
    }

    static func tree(_ size: Int) -> MerkleTree {
        var tree = MerkleTree()
        for index in 0..<size { tree.append(leafData: leafData(index)) }
        return tree
    }

    @Test func emptyTreeRootIsTheHashOfNothing() throws {
        #expect(try MerkleTree().root().base64 == "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=")
    }

    @Test func everyRootMatchesTheDefinition() throws {
        let leaves = (0..<300).map(Self.leafData)
        let tree = Self.tree(300)
        for size in [0, 1, 2, 3, 4, 5, 7, 8, 9, 31, 32, 33, 100, 255, 256, 257, 299, 300] {
            #expect(try tree.root(size: Int64(size)) == Self.referenceRoot(leaves.prefix(size)[...]), "size \(size)")
        }
        #expect(throws: TransparencyError.self) { try tree.root(size: 301) }
    }

    @Test func everyInclusionProofVerifies() throws {
        let tree = Self.tree(70)
        for size in Int64(1)...70 {
            let root = try tree.root(size: size)
            for index in 0..<size {
                let proof = try tree.inclusionProof(index: index, size: size)
                try ProofVerification.checkInclusion(index: index, size: size, leafHash: .leaf(tree.leafData(at: index).bytes), proof: proof, root: root)
                // The same proof for another leaf must fail.
                let other = (index + 1) % size
                if other != index {
                    #expect(throws: TransparencyError.self) {
                        try ProofVerification.checkInclusion(index: index, size: size, leafHash: .leaf(tree.leafData(at: other).bytes), proof: proof, root: root)
                    }
                }
            }
        }
    }

    @Test func everyConsistencyProofVerifies() throws {
        let tree = Self.tree(40)
        let forked = { () -> MerkleTree in
            var tree = Self.tree(20)
            for index in 20..<40 { tree.append(leafData: Self.leafData(index + 1_000)) }
            return tree
        }()
        for new in Int64(1)...40 {
            for old in Int64(1)...new {
                let proof = try tree.consistencyProof(from: old, to: new)
                try ProofVerification.checkConsistency(oldSize: old, newSize: new, oldRoot: tree.root(size: old), newRoot: tree.root(size: new), proof: proof)
                // A log that rewrote leaf 20 onwards cannot prove it extends an old tree past it.
                if old > 20 {
                    let forkedProof = try forked.consistencyProof(from: old, to: new)
                    #expect(throws: TransparencyError.self) {
                        try ProofVerification.checkConsistency(oldSize: old, newSize: new, oldRoot: tree.root(size: old), newRoot: forked.root(size: new), proof: forkedProof)
                    }
                }
            }
        }
        #expect(throws: TransparencyError.self) {
            try ProofVerification.checkConsistency(oldSize: 30, newSize: 20, oldRoot: tree.root(size: 30), newRoot: tree.root(size: 20), proof: [])
        }
    }

    // MARK: Tiles

    static let smallTrees: [(Int64, [String])] = [
        (0, []),
        (1, ["tile/0/000.p/1", "tile/entries/000.p/1"]),
        (255, ["tile/0/000.p/255", "tile/entries/000.p/255"]),
        (256, ["tile/0/000", "tile/1/000.p/1", "tile/entries/000"]),
        (257, ["tile/0/000", "tile/0/001.p/1", "tile/1/000.p/1", "tile/entries/000", "tile/entries/001.p/1"]),
    ]

    @Test(arguments: smallTrees)
    func tilesOfSmallTrees(size: Int64, paths: [String]) {
        #expect(TileAddress.tiles(forTreeSize: size).map(\.path) == paths)
    }

    @Test func tilesAroundPowersOf256() {
        let at65536 = TileAddress.tiles(forTreeSize: 65_536)
        #expect(at65536.filter { $0.level == .hashes(0) }.count == 256)
        #expect(at65536.filter { $0.level == .hashes(1) }.map(\.path) == ["tile/1/000"])
        #expect(at65536.filter { $0.level == .hashes(2) }.map(\.path) == ["tile/2/000.p/1"])
        // The spec's own example: 273 full level-0 tiles, one of width 112, one full level-1
        // tile, one of width 17, one level-2 tile of width 1.
        let at70000 = TileAddress.tiles(forTreeSize: 70_000)
        let level0 = at70000.filter { $0.level == .hashes(0) }
        #expect(level0.filter(\.isFull).count == 273)
        #expect(level0.last?.path == "tile/0/273.p/112")
        #expect(at70000.filter { $0.level == .hashes(1) }.map(\.path) == ["tile/1/000", "tile/1/001.p/17"])
        #expect(at70000.filter { $0.level == .hashes(2) }.map(\.path) == ["tile/2/000.p/1"])
        #expect(at70000.filter { $0.level == .entries }.last?.path == "tile/entries/273.p/112")
    }

    @Test func tilePathsRoundTripAndStrangePathsAreRefused() {
        #expect(TileAddress(level: .hashes(0), index: 1_234_067).path == "tile/0/x001/x234/067")
        for tile in [TileAddress(level: .hashes(0), index: 1_234_067), TileAddress(level: .hashes(3), index: 0, width: 8),
                     TileAddress(level: .entries, index: 999_999, width: 255), TileAddress(level: .entries, index: 1_000)] {
            #expect(TileAddress(path: tile.path.dropFirst("tile/".count)) == tile)
        }
        for bad in ["", "0", "0/", "00/000", "64/000", "0/1", "0/0000", "0/001.p/0", "0/001.p/256", "0/001.p/08", "0/001.p/",
                    "0/x1/000", "0/001/x000", "0/x000/001", "entries", "entries/00a", "-1/000", "0/x999999999999999/x999/999", "0/001.p"] {
            #expect(TileAddress(path: bad) == nil, "\(bad)")
        }
    }

    @Test func tileDataIsTheStoredLevelAndBundlesAreLengthPrefixed() throws {
        let tree = Self.tree(70_000)
        let level1 = try #require(tree.tileData(TileAddress(level: .hashes(1), index: 0)))
        #expect(level1.count == 256 * 32)
        // Hash i of a level-1 tile is the root of the i-th full level-0 tile.
        let tile0 = try #require(tree.tileData(TileAddress(level: .hashes(0), index: 5)))
        var leaves = MerkleTree()
        for index in 0..<256 { leaves.append(leafData: tree.leafData(at: Int64(5 * 256 + index))) }
        #expect(TreeHash(bytes: level1[5 * 32..<6 * 32]) == (try leaves.root()))
        #expect(TreeHash(bytes: tile0[0..<32]) == .leaf(tree.leafData(at: 5 * 256).bytes))
        let bundle = try #require(tree.tileData(TileAddress(level: .entries, index: 273, width: 112)))
        #expect(bundle.count == 112 * 34)
        #expect(Array(bundle[0..<2]) == [0, 32] && TreeHash(bytes: bundle[2..<34]) == tree.leafData(at: 273 * 256))
        #expect(tree.tileData(TileAddress(level: .entries, index: 273, width: 113)) == nil)
        #expect(tree.tileData(TileAddress(level: .hashes(1), index: 1, width: 18)) == nil)
        #expect(tree.tileData(TileAddress(level: .hashes(2), index: 0, width: 1)) != nil)
        #expect(tree.tileData(TileAddress(level: .hashes(3), index: 0, width: 1)) == nil)
    }
}
