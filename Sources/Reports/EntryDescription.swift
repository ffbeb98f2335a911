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
