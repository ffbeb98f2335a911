import Foundation

/// A C2SP tlog-checkpoint: the log's origin, its size and its root, as the text of a signed note.
public struct Checkpoint: Sendable, Hashable {
    public let origin: String
    public let size: Int64
    public let root: TreeHash

    public init(origin: String, size: Int64, root: TreeHash) {
        self.origin = origin
        self.size = size
        self.root = root
    }

    /// The note text: three lines, each ending in a newline.
    public var text: String { "\(origin)\n\(size)\n\(root.base64)\n" }

    /// Parses a checkpoint's note text (extension lines are allowed and ignored).
    public init(text: String) throws(TransparencyError) {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        guard text.hasSuffix("\n"), lines.count >= 4, lines.dropLast().allSatisfy({ !$0.isEmpty }) else {
            throw TransparencyError("a checkpoint is an origin, a size and a root hash, one per line")
        }
        let sizeText = lines[1]
        guard let size = Int64(sizeText), size >= 0, sizeText == "0" || (sizeText.first != "0" && sizeText.allSatisfy(\.isNumber)) else {
            throw TransparencyError("the checkpoint's size is not a decimal number: \(sizeText.prefix(30))")
        }
        guard let root = TreeHash(base64: lines[2]) else {
            throw TransparencyError("the checkpoint's root is not a base64 SHA-256 hash: \(lines[2].prefix(60))")
        }
        self.init(origin: String(lines[0]), size: size, root: root)
    }

    /// Opens a signed checkpoint with the log's verifier key, whose name must be the origin.
    public init(signedNote: String, verifier: SignedNote.Verifier) throws(TransparencyError) {
        try self.init(text: verifier.open(signedNote))
        guard origin == verifier.name else {
            throw TransparencyError("the checkpoint's origin \(origin) is not the key's name \(verifier.name)")
        }
    }
}

/// A C2SP tlog-proof (`c2sp.org/tlog-proof@v1`): a receipt that an entry is in the log.
/// The ledger puts the entry's 32-byte hash (the leaf data) in the `extra` line, so the
/// receipt can be checked on its own and against the exported entry.
public struct TlogProof: Sendable, Hashable {
    public static let header = "c2sp.org/tlog-proof@v1"

    public let extra: [UInt8]?
    public let index: Int64
    public let proof: [TreeHash]
    /// The signed checkpoint, verbatim.
    public let signedCheckpoint: String

    public init(extra: [UInt8]?, index: Int64, proof: [TreeHash], signedCheckpoint: String) {
        self.extra = extra
        self.index = index
        self.proof = proof
        self.signedCheckpoint = signedCheckpoint
    }

    public var text: String {
        var lines = [Self.header]
        if let extra { lines.append("extra " + Data(extra).base64EncodedString()) }
        lines.append("index \(index)")
        lines += proof.map(\.base64)
        return lines.joined(separator: "\n") + "\n\n" + signedCheckpoint
    }

    public init(text: String) throws(TransparencyError) {
        guard let separator = text.range(of: "\n\n") else {
            throw TransparencyError("a receipt is a c2sp.org/tlog-proof@v1 header, an index, the proof hashes, a blank line and the checkpoint")
        }
        var lines = text[..<separator.lowerBound].split(separator: "\n", omittingEmptySubsequences: false)[...]
        guard lines.popFirst() == Substring(Self.header) else {
            throw TransparencyError("not a receipt: the first line must be \(Self.header)")
        }
        var extra: [UInt8]?
        if let line = lines.first, line.hasPrefix("extra ") {
            guard let data = Data(base64Encoded: String(line.dropFirst(6))) else { throw TransparencyError("the receipt's extra line is not base64") }
            extra = Array(data)
            lines.removeFirst()
        }
        guard let indexLine = lines.popFirst(), indexLine.hasPrefix("index "),
              let index = Int64(indexLine.dropFirst(6)), index >= 0,
              indexLine.dropFirst(6) == "0" || indexLine.dropFirst(6).first != "0" else {
            throw TransparencyError("the receipt's index line must read `index N`")
        }
        var proof: [TreeHash] = []
        for (number, line) in lines.enumerated() {
            guard let hash = TreeHash(base64: line) else { throw TransparencyError("proof line \(number + 1) of the receipt is not a base64 SHA-256 hash") }
            proof.append(hash)
        }
        self.init(extra: extra, index: index, proof: proof, signedCheckpoint: String(text[separator.upperBound...]))
    }

    /// The checkpoint, once its signature is checked, and that the proof puts `leafData`
    /// at `index` under its root.
    public func check(leafData: some Collection<UInt8>, verifier: SignedNote.Verifier) throws(TransparencyError) -> Checkpoint {
        let checkpoint = try Checkpoint(signedNote: signedCheckpoint, verifier: verifier)
        try ProofVerification.checkInclusion(index: index, size: checkpoint.size, leafHash: .leaf(leafData), proof: proof, root: checkpoint.root)
        return checkpoint
    }
}
