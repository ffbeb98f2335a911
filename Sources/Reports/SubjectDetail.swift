import Foundation
import Ledger

/// One actor, demand or commitment with its full timeline: what `ledgerctl show` prints.
public struct SubjectDetail: Sendable, Codable, Equatable {
    public var id: String
    public var kind: String
    /// The demand's title, the commitment's summary, the actor's name.
    public var title: String
    public var asOf: String
    public var headSeq: Int64
    /// The current fields (corrections applied), as the ledger states them.
    public var fields: [String: JSONValue]
    /// Derived facts: status, overdue days, claimed and verified ratings.
    public var derived: [String: JSONValue]
    public var timeline: [RecordJSON]

    /// Nil when nothing by that id exists as of the state's date.
    public init?(id: String, state: LedgerState, records: LedgerRecords) {
        guard let definition = records.definition(of: id), let kind = definition.type.definesSubject,
              definition.effective.day <= state.asOf else { return nil }
        self.id = id
        self.kind = kind.rawValue
        switch kind {
        case .actor: title = ActorPayload(definition.payload)?.name ?? id
        case .demand: title = DemandPayload(definition.payload)?.title ?? id
        case .commitment: title = CommitmentPayload(definition.payload)?.summary ?? id
        }
        asOf = state.asOf.description
        headSeq = state.head.seq
        if case .object(let members) = definition.payload { fields = members } else { fields = [:] }
        fields["visibility"] = .string(definition.visibility.rawValue)
        fields["effective"] = .string(definition.effective.description)
        derived = [:]
        switch kind {
        case .actor:
            let made = state.commitments.filter { $0.actor == id }.map { JSONValue.string($0.id) }
            derived["commitments"] = .array(made)
        case .demand:
            if let demand = state.demand(id) {
                derived["status"] = .string(demand.status.rawValue)
                derived["commitments"] = .array(demand.commitments.map { .string($0) })
            }
        case .commitment:
            if let commitment = state.commitment(id) {
                derived["status"] = .string(commitment.status.rawValue)
                if let basis = commitment.basis { derived["basis"] = .string(basis.rawValue) }
                for basis in Basis.allCases {
                    if let change = commitment.latest(basis) {
                        derived["latest_\(basis.rawValue)"] = .object([
                            "status": .string(change.status.rawValue), "effective": .string(change.effective.description),
                            "seq": .int(change.seq)])
                    }
                }
                if let days = commitment.daysOverdue(on: state.asOf) { derived["overdue_days"] = .int(Int64(days)) }
            }
        }
        timeline = state.timeline(of: id).map { RecordJSON($0, in: state) }
    }

    public func jsonText() throws -> String { try ReportJSON.encode(self) }

    public func text(state: LedgerState) -> String {
        var lines: [String] = []
        lines.append("\(kind.uppercased()) \(id): \(PlainText.oneLine(title))")
        lines.append("as of \(asOf), ledger head seq \(headSeq)")
        lines.append("")
        // The title is already the heading.
        for key in fields.keys.sorted() where fields[key]?.stringValue != title {
            let value = fields[key]!
            let rendered: String
            if case .array(let items) = value {
                rendered = items.map { $0.stringValue.map(PlainText.oneLine) ?? $0.canonicalText }.joined(separator: ", ")
            } else {
                rendered = value.stringValue.map(PlainText.oneLine) ?? value.canonicalText
            }
            lines.append("  " + PlainText.padded(key, to: 12) + " " + rendered)
        }
        if !derived.isEmpty {
            lines.append("")
            for key in derived.keys.sorted() {
                let value = derived[key]!
                let rendered: String
                switch value {
                case .array(let items): rendered = items.compactMap(\.stringValue).joined(separator: ", ")
                case .object(let members):
                    rendered = [members["status"]?.stringValue, members["effective"].map { "on " + ($0.stringValue ?? "") },
                                members["seq"].map { "(seq \($0.canonicalText))" }].compactMap { $0 }.joined(separator: " ")
                default: rendered = value.stringValue ?? value.canonicalText
                }
                lines.append("  " + PlainText.padded(key.replacingOccurrences(of: "_", with: " "), to: 16) + " " + rendered)
            }
        }
        if kind == "demand", let demand = state.demand(id), !demand.commitments.isEmpty {
            lines.append("")
            lines.append("COMMITMENTS")
            for commitmentID in demand.commitments {
                guard let commitment = state.commitment(commitmentID) else { continue }
                var line = "  \(commitment.id): \(commitment.status.rawValue)"
                if let basis = commitment.basis { line += " (\(basis.rawValue))" }
                if let due = commitment.due { line += ", due \(due)" }
                if let days = commitment.daysOverdue(on: state.asOf) { line += ", OVERDUE \(days) days" }
                lines.append(line)
            }
        }
        lines.append("")
        lines.append("TIMELINE")
        let timelineRecords = state.timeline(of: id)
        if timelineRecords.isEmpty { lines.append("  nothing yet") }
        for record in timelineRecords {
            lines.append("  " + EntryDescription.line(for: record, in: state).replacingOccurrences(of: "\n", with: "\n  "))
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
