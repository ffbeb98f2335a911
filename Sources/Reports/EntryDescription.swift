import Foundation
import Ledger

/// What one ledger record says, in a sentence, for timelines and the log.
public enum EntryDescription {
    public static func sentence(for record: Record) -> String {
        let payload = record.payload
        func text(_ key: String) -> String { PlainText.oneLine(payload[key]?.stringValue ?? "") }
        switch record.type {
        case .actorRegistered:
            return "Actor registered: \(text("name")) (\(text("kind")))"
        case .demandRecorded:
            return "Demand recorded: \(text("title"))"
        case .commitmentRecorded:
            var sentence = "Commitment recorded (\(text("kind")) by \(text("actor"))): \(text("summary"))"
            if let due = payload["due"]?.stringValue { sentence += " Due \(PlainText.oneLine(due))." }
            return sentence
        case .statusChanged:
            return "Status \(text("status")) (\(text("basis"))): \(text("rationale"))"
        case .followupLogged:
            return "Follow-up (\(payload["kind"]?.stringValue.map(PlainText.oneLine) ?? "note")): \(text("note"))"
        case .entryCorrected:
            let fields: String
            if case .object(let members)? = payload["fields"] {
                fields = members.keys.sorted().map { key in
                    let value = members[key].map { $0.stringValue ?? $0.canonicalText } ?? ""
                    return "\(PlainText.oneLine(key)) = \(PlainText.oneLine(value))"
                }.joined(separator: "; ")
            } else {
                fields = ""
            }
            return "Correction of seq \(payload["target_seq"].map(\.canonicalText) ?? "?"): \(fields). Reason: \(text("reason"))"
        case .entryRetracted:
            return "Retraction of seq \(payload["target_seq"].map(\.canonicalText) ?? "?"). Reason: \(text("reason"))"
        }
    }

    /// `2023-07-10  seq 21  Commitment recorded …  [internal] (corrected by seq 30)`.
    public static func line(for record: Record) -> String {
        var line = PlainText.padded(record.effective.description, to: 10) + "  seq " + PlainText.padded(String(record.seq), to: 5)
            + " " + sentence(for: record)
        if record.visibility == .internal { line += " [internal]" }
        if !record.correctedBy.isEmpty { line += " (corrected by seq \(record.correctedBy.map(String.init).joined(separator: ", ")))" }
        if let retraction = record.retractedBy { line += " (RETRACTED by seq \(retraction))" }
        if case .array(let sources)? = record.payload["sources"], !sources.isEmpty {
            line += "\n" + String(repeating: " ", count: 22) + "sources: " + sources.compactMap { $0.stringValue.map(PlainText.oneLine) }.joined(separator: " ")
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

    public init(_ record: Record) {
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
        description = EntryDescription.sentence(for: record)
    }
}
