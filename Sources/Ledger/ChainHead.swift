import Foundation

/// The last entry of the chain (seq 0 and the genesis hash when the ledger is empty).
public struct ChainHead: Sendable, Hashable, Codable {
    public var seq: Int64
    public var hash: String
    public var recordedAt: String?

    public init(seq: Int64, hash: String, recordedAt: String? = nil) {
        self.seq = seq
        self.hash = hash
        self.recordedAt = recordedAt
    }

    public static let empty = ChainHead(seq: 0, hash: ChainHash.genesis)
}
