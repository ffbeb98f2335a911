import Foundation
import Testing
import Transparency

/// The RFC 6962 / RFC 9162 proof vectors of github.com/transparency-dev/merkle (testdata/,
/// Apache License 2.0, LICENSE beside them): every case, including every one a correct
/// verifier must refuse.
@Suite struct ProofVectorTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("merkle-testdata")

    struct Vector: Sendable, Decodable, CustomTestStringConvertible {
        var path = ""
        let leafIdx, treeSize, size1, size2: UInt64?
        let root, leafHash, root1, root2: String?
        let proof: [String]?
        let wantErr: Bool
        var testDescription: String { path }

        enum CodingKeys: String, CodingKey { case leafIdx, treeSize, size1, size2, root, leafHash, root1, root2, proof, wantErr }

        func hash(_ text: String?) throws -> TreeHash {
            guard let text, let hash = TreeHash(base64: text) else { throw TransparencyError("not a hash") }
            return hash
        }
        /// Indices past Int64 (the vectors use 2^64-1) are no leaf of any tree: -1 says so.
        func signed(_ value: UInt64?) -> Int64 { value.flatMap { Int64(exactly: $0) } ?? -1 }
        /// A root. Some vectors put a placeholder where the root does not matter
        /// ("don't care 2", 12 bytes): it stands for a 32-byte root unlike any other, and
        /// equal placeholders for equal roots.
        func root(_ text: String?) throws -> TreeHash {
            guard let text, let bytes = Data(base64Encoded: text) else { throw TransparencyError("not base64") }
            return TreeHash(bytes: bytes) ?? .leaf(Array("placeholder ".utf8) + bytes)
        }
        func proofHashes() throws -> [TreeHash] { try (proof ?? []).map { try hash($0) } }
    }

    static func vectors(_ kind: String) -> [Vector] {
        let root = folder.appendingPathComponent(kind)
        let files = FileManager.default.enumerator(at: root, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }
            .filter { $0.pathExtension == "json" }.sorted { $0.path < $1.path }
        return files.map { file in
            var vector = try! JSONDecoder().decode(Vector.self, from: Data(contentsOf: file))
            vector.path = kind + file.path.dropFirst(root.path.count)
            return vector
        }
    }

    @Test func everyVectorIsRead() {
        #expect(Self.vectors("inclusion").count > 50)
        #expect(Self.vectors("consistency").count > 50)
        #expect(Self.vectors("inclusion").contains { $0.wantErr } && Self.vectors("inclusion").contains { !$0.wantErr })
        #expect(Self.vectors("consistency").contains { $0.wantErr } && Self.vectors("consistency").contains { !$0.wantErr })
    }

    @Test(arguments: vectors("inclusion"))
    func inclusion(_ vector: Vector) {
        let result = Result { () throws -> Void in
            try ProofVerification.checkInclusion(index: vector.signed(vector.leafIdx), size: vector.signed(vector.treeSize),
                                                 leafHash: vector.hash(vector.leafHash), proof: vector.proofHashes(), root: vector.root(vector.root))
        }
        if vector.wantErr {
            #expect(throws: (any Error).self) { try result.get() }
        } else {
            #expect(throws: Never.self) { try result.get() }
        }
    }

    @Test(arguments: vectors("consistency"))
    func consistency(_ vector: Vector) {
        let result = Result { () throws -> Void in
            try ProofVerification.checkConsistency(oldSize: vector.signed(vector.size1), newSize: vector.signed(vector.size2),
                                                   oldRoot: vector.root(vector.root1), newRoot: vector.root(vector.root2), proof: vector.proofHashes())
        }
        if vector.wantErr {
            #expect(throws: (any Error).self) { try result.get() }
        } else {
            #expect(throws: Never.self) { try result.get() }
        }
    }
}
