import Foundation
import Ledger

/// What a write answers (`--json` on ledgerctl's writes, `POST /api/v1/entries`): one item
/// per entry sent, in order, with the seq and hash it has in the chain.
public struct AppendReceipt: Sendable, Encodable {
    public struct Item: Sendable, Encodable {
        public var seq: Int64
        public var id: String
        public var hash: String
        /// Its C2SP tlog-proof under a signed checkpoint, when the writer signs them.
        public var receipt: String?
    }
    public var entries: [Item]
    /// How many of them are new; the rest were already recorded (a retry).
    public var added: Int

    public init(_ result: Ledger.AppendResult) {
        entries = result.entries.map { Item(seq: $0.seq, id: $0.id.uuidString.lowercased(), hash: $0.hash) }
        added = result.added
    }
}
