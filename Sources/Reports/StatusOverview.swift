import Foundation
import Ledger

/// The answer to "where do things stand?": every demand with its derived status and every
/// commitment with its status, claimed and verified apart, overdue marked. Pure: built
/// from a `LedgerState`, rendered as text or JSON.
public struct StatusOverview: Sendable, Codable, Equatable {
    public struct Head: Sendable, Codable, Equatable {
        public var seq: Int64
        public var hash: String
    }

    public struct Rating: Sendable, Codable, Equatable {
        public var status: String
        public var basis: String
        public var effective: String
        public var seq: Int64
    }

    public struct DemandRow: Sendable, Codable, Equatable {
        public var id: String
        public var title: String
        public var titleEs: String?
        public var status: String
        public var effective: String
        public var visibility: String
        public var commitments: [String]
        public var followups: Int
    }

    public struct CommitmentRow: Sendable, Codable, Equatable {
        public var id: String
        public var summary: String
        public var actor: String
        public var actorName: String?
        public var kind: String
        public var demands: [String]
        public var status: String
        public var basis: String?
        public var latestClaimed: Rating?
        public var latestVerified: Rating?
        public var due: String?
        public var overdueDays: Int?
        public var effective: String
        public var visibility: String
    }

    public var head: Head
    public var asOf: String
    public var audience: String
    public var demands: [DemandRow]
    public var commitments: [CommitmentRow]
    public var demandsByStatus: [String: Int]
    public var commitmentsByStatus: [String: Int]
    public var overdue: Int

    public init(state: LedgerState) {
        head = Head(seq: state.head.seq, hash: state.head.hash)
        asOf = state.asOf.description
        audience = state.audience.rawValue
        demands = state.demands.map { demand in
            DemandRow(
                id: demand.id, title: demand.title, titleEs: demand.titleES, status: demand.status.rawValue,
                effective: demand.effective.description, visibility: demand.visibility.rawValue,
                commitments: demand.commitments, followups: demand.followupCount)
        }
        commitments = state.commitments.map { commitment in
            func rating(_ change: StatusChange?) -> Rating? {
                change.map { Rating(status: $0.status.rawValue, basis: $0.basis.rawValue, effective: $0.effective.description, seq: $0.seq) }
            }
            return CommitmentRow(
                id: commitment.id, summary: commitment.summary, actor: commitment.actor,
                actorName: state.actor(commitment.actor)?.name, kind: commitment.kind.rawValue,
                demands: commitment.demands, status: commitment.status.rawValue, basis: commitment.basis?.rawValue,
                latestClaimed: rating(commitment.latest(.claimed)), latestVerified: rating(commitment.latest(.verified)),
                due: commitment.due?.description, overdueDays: commitment.daysOverdue(on: state.asOf),
                effective: commitment.effective.description, visibility: commitment.visibility.rawValue)
        }
        demandsByStatus = Dictionary(grouping: demands, by: \.status).mapValues(\.count)
        commitmentsByStatus = Dictionary(grouping: commitments, by: \.status).mapValues(\.count)
        overdue = commitments.filter { $0.overdueDays != nil }.count
    }

    public func jsonText() throws -> String { try ReportJSON.encode(self) }

    /// A terminal table: demands, then commitments, then what to look at. Its words are the
    /// catalog's `cli` section; statuses and kinds are shown as the values the CLI takes.
    public func text(width: Int = 100, language: ReportLanguage = .en) -> String {
        func word(_ key: String, _ values: [String: String] = [:]) -> String { language.text("cli." + key, values) }
        let internalMark = " [" + word("internal") + "]", noneRecorded = "  " + word("noneRecorded")
        var lines: [String] = []
        lines.append(word("head", ["seq": String(head.seq), "hash": String(head.hash.prefix(12)), "asOf": asOf]))
        lines.append("")
        lines.append(word("demands", ["count": String(demands.count)]))
        if demands.isEmpty { lines.append(noneRecorded) }
        let titleWidth = max(20, width - 42)
        for demand in demands {
            let marker = demand.visibility == "internal" ? internalMark : ""
            lines.append("  " + PlainText.padded(demand.id, to: 26) + " " + PlainText.padded(demand.status, to: 13) + " "
                + PlainText.truncated(PlainText.oneLine(demand.title), to: titleWidth) + marker)
        }
        lines.append("")
        lines.append(word("commitments", ["count": String(commitments.count)]))
        if commitments.isEmpty { lines.append(noneRecorded) }
        for commitment in commitments {
            var status = commitment.status + (commitment.basis.map { " (\($0))" } ?? "")
            if let verified = commitment.latestVerified, commitment.basis != "verified" {
                status += word("verifiedAs", ["status": verified.status])
            }
            var line = "  " + PlainText.padded(commitment.id, to: 26) + " " + PlainText.padded(status, to: 22)
                + " " + PlainText.padded(commitment.kind, to: 14) + " " + word("by") + " " + PlainText.oneLine(commitment.actor)
            if let due = commitment.due { line += "  " + word("due", ["date": due]) }
            if let days = commitment.overdueDays { line += "  " + (days == 1 ? word("overdueOneDay") : word("overdueDays", ["count": String(days)])) }
            if commitment.visibility == "internal" { line += internalMark }
            lines.append(line)
            lines.append("      " + word("for") + " " + commitment.demands.joined(separator: ", "))
        }
        lines.append("")
        let demandCounts = DemandStatus.allCases.compactMap { status in demandsByStatus[status.rawValue].map { "\($0) \(status.rawValue)" } }
        lines.append(word("demandCounts", ["counts": demandCounts.isEmpty ? word("none") : demandCounts.joined(separator: ", ")]))
        let commitmentCounts = CommitmentStatus.allCases.compactMap { status in commitmentsByStatus[status.rawValue].map { "\($0) \(status.rawValue)" } }
        lines.append(word("commitmentCounts", ["counts": commitmentCounts.isEmpty ? word("none") : commitmentCounts.joined(separator: ", "),
                                               "overdue": String(overdue)]))
        return lines.joined(separator: "\n") + "\n"
    }
}
