import Foundation
import Ledger

/// A record as `--json` output shows it: the entry's fields with its current (corrected)
/// payload, plus what corrected or retracted it.
public struct RecordJSON: Sendable, Codable, Equatable {
    public var seq: Int64
    public var id: String
    public var type: String
    public var subject: String
    public var effective: String
    public var recordedAt: String
    public var author: String
    public var visibility: String
    public var payload: JSONValue
    public var correctedBy: [Int64]
    public var retractedBy: Int64?
    public var description: String

    /// - Parameter state: names the actors and subjects the description mentions.
    public init(_ record: Record, in state: LedgerState) {
        seq = record.seq
        id = record.id.uuidString.lowercased()
        type = record.type.rawValue
        subject = record.subject
        effective = record.effective.description
        recordedAt = record.recordedAt
        author = record.author
        visibility = record.visibility.rawValue
        payload = record.payload
        correctedBy = record.correctedBy
        retractedBy = record.retractedBy
        description = Sentences(state: state, language: .en).describe(record).text
    }
}
