import Foundation
import Ledger

/// One entry per line for the terminal (`ledgerctl log`, `show`), told by the sentences
/// the reports use, in English.
public enum EntryDescription {
    /// `2023-07-10  seq 21  New commitment (…): …  [internal] (corrected by seq 30)`.
    public static func line(for record: Record, in state: LedgerState) -> String {
        let described = Sentences(state: state, language: .en).describe(record)
        var line = PlainText.padded(record.effective.description, to: 10) + "  seq " + PlainText.padded(String(record.seq), to: 5)
            + " " + PlainText.oneLine(described.text)
        if let detail = described.detail {
            // An amendment's detail is why it was made.
            let reason = (described.text.hasSuffix(".") ? " " : ". ") + "Reason: "
            line += (record.type.isCorrectable ? " — " : reason) + PlainText.oneLine(detail)
        }
        if record.visibility == .internal { line += " [internal]" }
        if !record.correctedBy.isEmpty { line += " (corrected by seq \(record.correctedBy.map(String.init).joined(separator: ", ")))" }
        if let retraction = record.retractedBy { line += " (RETRACTED by seq \(retraction))" }
        if !described.sources.isEmpty {
            line += "\n" + String(repeating: " ", count: 22) + "sources: " + described.sources.map(PlainText.oneLine).joined(separator: " ")
        }
        return line
    }
}

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
