import Foundation
import Ledger

/// The commitments' due dates as an iCalendar feed (RFC 5545): one all-day event per due
/// date, with the commitment, who committed, where it stands and a link, so a calendar shows
/// a deadline on its day and updates as the ledger changes. Each event's UID is the
/// commitment's id (stable forever); its SEQUENCE grows with every rating.
public struct DueDateCalendar: Sendable {
    public let state: LedgerState
    public let language: ReportLanguage
    /// Absolute, no trailing slash.
    public let baseURL: String
    /// The link of a commitment's event (its public page, or the workspace for the team).
    public let link: @Sendable (Commitment) -> String

    public init(state: LedgerState, language: ReportLanguage, baseURL: String, link: @escaping @Sendable (Commitment) -> String) {
        self.state = state
        self.language = language
        self.baseURL = baseURL
        self.link = link
    }

    public func ics(name: String) -> String {
        let writer = Sentences(state: state, language: language)
        let host = URL(string: baseURL)?.host ?? "ledger"
        var lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Accountability Ledger//Due dates//\(language.rawValue.uppercased())",
                     "CALSCALE:GREGORIAN", "METHOD:PUBLISH", "X-WR-CALNAME:" + Self.text(name)]
        for commitment in state.commitments {
            guard let due = commitment.due else { continue }
            let records = state.timeline(of: commitment.id)
            let changed = records.map(\.recordedAt).max() ?? "1970-01-01T00:00:00.000Z"
            let status = language.word(commitment.status) + (commitment.basis.map { " (\(language.word($0)))" } ?? "")
            let overdue = commitment.daysOverdue(on: state.asOf).map { " — " + language.labels.overdueBy + " " + language.days($0) } ?? ""
            let summary = language.pick(text: commitment.summary, spanish: commitment.summaryES)
            let url = link(commitment)
            let description = [writer.name(of: commitment.actor), language.labels.status + ": " + status + overdue, summary, url].joined(separator: "\n")
            lines += [
                "BEGIN:VEVENT",
                "UID:commitment-\(commitment.id)@\(host)",
                "DTSTAMP:" + Self.utc(changed),
                "LAST-MODIFIED:" + Self.utc(changed),
                "SEQUENCE:\(commitment.history.count + commitment.followups.count)",
                "DTSTART;VALUE=DATE:" + Self.date(due),
                "DTEND;VALUE=DATE:" + Self.date(due.adding(days: 1)),
                "SUMMARY:" + Self.text("\(writer.name(of: commitment.actor)): \(summary) [\(status)]"),
                "DESCRIPTION:" + Self.text(description),
                "URL:" + url,
                "CATEGORIES:" + Self.text(commitment.status.rawValue),
                "TRANSP:TRANSPARENT",
                "STATUS:" + (commitment.status == .withdrawn ? "CANCELLED" : "CONFIRMED"),
                "END:VEVENT",
            ]
        }
        lines.append("END:VCALENDAR")
        return lines.map(Self.folded).joined()
    }

    static func date(_ day: CalendarDay) -> String { day.description.replacingOccurrences(of: "-", with: "") }

    /// `2023-07-10T08:30:07.123Z` as `20230710T083007Z`.
    static func utc(_ recordedAt: String) -> String {
        let digits = recordedAt.prefix(19).filter { $0.isNumber || $0 == "T" }
        return digits + "Z"
    }

    /// A TEXT value (RFC 5545 §3.3.11): backslash, semicolon and comma escaped, line breaks
    /// as `\n`, control characters dropped.
    static func text(_ value: String) -> String {
        var result = ""
        for scalar in PlainText.multiline(value).unicodeScalars {
            switch scalar {
            case "\\": result += "\\\\"
            case ";": result += "\\;"
            case ",": result += "\\,"
            case "\n": result += "\\n"
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { continue }
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// A content line folded at 75 octets (§3.1), never inside a character, ended with CRLF.
    static func folded(_ line: String) -> String {
        var result = "", count = 0
        for character in line {
            let size = String(character).utf8.count
            if count + size > 75 {
                result += "\r\n "
                count = 1
            }
            result.append(character)
            count += size
        }
        return result + "\r\n"
    }
}
