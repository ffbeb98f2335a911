import Transparency

/// A signed checkpoint as the ledger keeps it: every one ever signed, append-only, so that
/// `verify` can prove the chain still hashes to what was signed.
public struct StoredCheckpoint: Sendable, Hashable, Codable {
    /// Its number in the database (1, 2, …), 0 before it is stored.
    public var number: Int64
    public var size: Int64
    /// The root as the checkpoint writes it (base64).
    public var root: String
    /// The signed note, exactly as signed.
    public var note: String
    /// The verifier key of the key that signed it (public; the private key is never stored).
    public var verifierKey: String
    public var signedAt: String

    public init(number: Int64 = 0, size: Int64, root: String, note: String, verifierKey: String, signedAt: String) {
        self.number = number
        self.size = size
        self.root = root
        self.note = note
        self.verifierKey = verifierKey
        self.signedAt = signedAt
    }

    /// The log's name, as the note says it (nil when the note does not open).
    public var origin: String? { try? opened().origin }

    /// The checkpoint the note says, once the signature is checked against `verifier`
    /// (by default the key stored beside it), and the note agrees with the row's columns.
    public func opened(with verifier: SignedNote.Verifier? = nil) throws(LedgerError) -> Checkpoint {
        let checkpoint: Checkpoint
        do throws(TransparencyError) {
            let key = if let verifier { verifier } else { try SignedNote.Verifier(text: verifierKey) }
            checkpoint = try Checkpoint(signedNote: note, verifier: key)
        } catch {
            throw LedgerError(kind: .integrity, "checkpoint \(number) (size \(size), signed \(signedAt)): \(error.message)")
        }
        guard checkpoint.size == size, checkpoint.root.base64 == root else {
            throw LedgerError(kind: .integrity, "checkpoint \(number): its stored size or root (\(size), \(root)) differ from the signed note's (\(checkpoint.size), \(checkpoint.root)): the row was altered")
        }
        return checkpoint
    }
}

/// An edition of a month's public report as the server published it: the report rebuilt
/// from the first `treeSize` entries, under checkpoint `checkpointNumber`.
public struct ReportEdition: Sendable, Hashable, Codable {
    /// `YYYY-MM`.
    public var month: String
    /// 1, 2, … per month.
    public var edition: Int
    public var treeSize: Int64
    public var checkpointNumber: Int64
    /// SHA-256 of the report's content (not its head or checkpoint), to tell editions apart.
    public var contentHash: String
    /// The public entries dated in or before the month that were recorded since the
    /// previous edition: what changed.
    public var changedSeqs: [Int64]
    public var publishedAt: String

    public init(month: String, edition: Int, treeSize: Int64, checkpointNumber: Int64, contentHash: String, changedSeqs: [Int64], publishedAt: String) {
        self.month = month
        self.edition = edition
        self.treeSize = treeSize
        self.checkpointNumber = checkpointNumber
        self.contentHash = contentHash
        self.changedSeqs = changedSeqs
        self.publishedAt = publishedAt
    }

    /// `changed_seqs` as stored: a JSON array.
    public var changedSeqsText: String { JSONValue.array(changedSeqs.map { .int($0) }).canonicalText }

    public static func changedSeqs(fromText text: String) -> [Int64] {
        guard case .array(let values)? = try? JSONValue.parse(text) else { return [] }
        return values.compactMap { if case .int(let seq) = $0 { seq } else { nil } }
    }
}
