import Foundation
import Ledger

/// The output formats of `ledgerctl report monthly`.
public enum ReportFormat: String, Sendable, CaseIterable {
    case html, md, text, json
}

/// Paper sizes for the HTML report's print CSS.
public enum PaperSize: String, Sendable, CaseIterable {
    case a4, letter

    var css: String { self == .a4 ? "A4" : "letter" }
}

extension MonthlyReport {
    public func render(_ format: ReportFormat, paper: PaperSize = .a4, templates: ReportTemplates = .builtIn) throws -> String {
        switch format {
        case .html: return html(paper: paper, templates: templates)
        case .md: return markdown()
        case .text: return text()
        case .json: return try ReportJSON.encode(self)
        }
    }

    /// The command that rebuilds this report byte for byte.
    func rebuildCommand(format: ReportFormat, paper: PaperSize = .a4) -> String {
        var arguments = ["ledgerctl", "report", "monthly", month, "--known-at", String(head.seq), "--lang", language.rawValue,
                         "--audience", audience.rawValue, "--format", format.rawValue]
        if format == .html && paper != .a4 { arguments += ["--paper", paper.rawValue] }
        if let organisationArgument { arguments += ["--organisation", organisationArgument] }
        return arguments.map(ShellWord.quoted).joined(separator: " ")
    }

    var editionText: String { audience == .public ? language.labels.audiencePublic : language.labels.audienceInternal }

    func citation(_ numbers: [Int]) -> String { numbers.map { "[\($0)]" }.joined() }
}

extension PlainText {
    /// Words wrapped to `width` columns; the first line is prefixed by `first`, the others
    /// by `rest` (for hanging indents). A word longer than a line is cut.
    static func wrapped(_ text: String, width: Int = 78, first: String = "", rest: String = "") -> String {
        var lines: [String] = []
        var line = first
        var lineIsEmpty = true
        for whole in oneLine(text).split(separator: " ") {
            var word = Substring(whole)
            while !word.isEmpty {
                let room = width - line.count - (lineIsEmpty ? 0 : 1)
                if word.count <= room {
                    line += (lineIsEmpty ? "" : " ") + word
                    lineIsEmpty = false
                    word = ""
                } else if lineIsEmpty {
                    let taken = max(1, room)
                    line += word.prefix(taken)
                    word = word.dropFirst(taken)
                    lines.append(line)
                    line = rest
                } else {
                    lines.append(line)
                    line = rest
                    lineIsEmpty = true
                }
            }
        }
        if !lineIsEmpty || lines.isEmpty { lines.append(line) }
        return lines.joined(separator: "\n")
    }
}

// MARK: - Plain text

extension MonthlyReport {
    /// Wrapped at 78 columns, no markup: pasteable into an email or a word processor.
    public func text() -> String {
        let labels = language.labels
        var out: [String] = []
        func heading(_ title: String) {
            out.append("")
            out.append(title.uppercased())
            out.append(String(repeating: "=", count: min(78, title.count)))
        }
        func paragraph(_ text: String, indent: Int = 0) {
            let pad = String(repeating: " ", count: indent)
            out.append(PlainText.wrapped(text, first: pad, rest: pad))
        }
        func item(_ text: String, bullet: String = "- ", indent: Int = 0) {
            let pad = String(repeating: " ", count: indent)
            out.append(PlainText.wrapped(text, first: pad + bullet, rest: pad + String(repeating: " ", count: bullet.count)))
        }
        func marks(internal isInternal: Bool, retracted: Bool = false) -> String {
            (isInternal ? " [\(labels.internalMark)]" : "") + (retracted ? " [\(labels.retractedMark)]" : "")
        }

        paragraph(organisation)
        paragraph(title)
        out.append(String(repeating: "=", count: min(78, PlainText.oneLine(title).count)))
        paragraph("\(labels.period): \(periodText)")
        paragraph("\(labels.asOf): \(asOfText)")
        paragraph("\(labels.builtFrom): seq \(head.seq), \(head.hash)")
        paragraph(editionText)

        heading(labels.summary)
        paragraph(labels.commitmentsByStatus + " (\(summary.commitments))")
        let statusWidth = max(labels.status.count, summary.commitmentsByStatus.map(\.label.count).max() ?? 0,
                              summary.demandsByStatus.map(\.label.count).max() ?? 0) + 1
        let columns = [labels.total, labels.verified, labels.claimed, labels.unrated]
        out.append("  " + PlainText.padded(labels.status, to: statusWidth) + columns.map { padLeft($0, $0.count + 2) }.joined())
        for row in summary.commitmentsByStatus {
            out.append("  " + PlainText.padded(row.label, to: statusWidth)
                + zip(columns, [row.total, row.verified, row.claimed, row.unrated]).map { padLeft(String($1), $0.count + 2) }.joined())
        }
        out.append("")
        paragraph(labels.demandsByStatus + " (\(summary.demands))")
        for row in summary.demandsByStatus {
            out.append("  " + PlainText.padded(row.label, to: statusWidth) + padLeft(String(row.count), labels.total.count + 2))
        }
        out.append("")
        paragraph("\(labels.overdueCount): \(summary.overdue)")

        heading(labels.changes)
        if changes.isEmpty { paragraph(labels.noChanges) }
        for change in changes {
            item("\(change.dateText) — \(change.text)\(marks(internal: change.internal, retracted: change.retracted)) \(citation(change.sources))")
            if let detail = change.detail { paragraph(detail, indent: 2) }
        }

        heading(labels.overdue)
        if overdue.isEmpty { paragraph(labels.noOverdue) }
        for item_ in overdue {
            item("\(item_.summary) (\(item_.actor)) — \(labels.due) \(item_.dueText), \(item_.overdueText)\(marks(internal: item_.internal))")
        }

        heading(labels.demands)
        if demands.isEmpty { paragraph(labels.noDemands) }
        for demand in demands {
            out.append("")
            paragraph("\(demand.title)\(marks(internal: demand.internal)) \(citation(demand.sources))")
            paragraph("\(labels.status): \(demand.statusLabel) · \(demand.sinceText)", indent: 2)
            if let summaryText = demand.summary { paragraph(summaryText, indent: 2) }
            paragraph("\(labels.commitments):", indent: 2)
            if demand.commitments.isEmpty { paragraph(labels.noCommitments, indent: 4) }
            for line in demand.commitments {
                item(commitmentText(line) + " " + citation(line.sources), indent: 4)
            }
            paragraph("\(labels.timeline):", indent: 2)
            for entry in demand.timeline { item("\(entry.dateText) — \(entry.text)", indent: 4) }
        }

        heading(labels.sources)
        if sources.isEmpty { paragraph(labels.noSources) }
        for source in sources { out.append(PlainText.wrapped(source.url, first: "[\(source.number)] ", rest: "    ")) }
        out.append("")
        if let checkpoint {
            heading(labels.checkpoint)
            paragraph(checkpoint.sentence(language))
            if let note = checkpoint.note { out += [ReportCheckpoint.begin, note + ReportCheckpoint.end, ""] }
        }
        paragraph("\(labels.rebuild): \(rebuildCommand(format: .text))")
        return out.joined(separator: "\n") + "\n"
    }

    static func longestRun(of character: Character, in text: String) -> Int {
        var longest = 0, current = 0
        for each in text {
            current = each == character ? current + 1 : 0
            longest = max(longest, current)
        }
        return longest
    }

    func commitmentText(_ line: CommitmentLine) -> String {
        let labels = language.labels
        var text = "\(line.summary) (\(line.kind), \(line.actor)) — \(line.statusLabel)"
        if let basis = line.basisLabel { text += " (\(basis))" }
        if let due = line.dueText { text += "; \(labels.due) \(due)" }
        if let days = line.daysOverdue { text += "; \(labels.overdueBy) \(language.days(days))" }
        if line.internal { text += " [\(labels.internalMark)]" }
        return text
    }

    private func padLeft(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}

// MARK: - Markdown

extension MonthlyReport {
    /// CommonMark with GitHub-style tables for the summary.
    public func markdown() -> String {
        let labels = language.labels
        let e = MarkdownText.escape
        var out: [String] = []
        func marks(internal isInternal: Bool, retracted: Bool = false) -> String {
            (isInternal ? " *(\(e(labels.internalMark)))*" : "") + (retracted ? " *(\(e(labels.retractedMark)))*" : "")
        }
        func cite(_ numbers: [Int]) -> String { numbers.map { "\\[\($0)\\]" }.joined() }

        out.append("# \(e(title))")
        out.append("")
        out.append("**\(e(organisation))**  ")
        out.append("\(e(labels.period)): \(e(periodText))  ")
        out.append("\(e(labels.asOf)): \(e(asOfText))  ")
        out.append("\(e(labels.builtFrom)): seq \(head.seq), `\(head.hash)`  ")
        out.append(e(editionText))
        out.append("")
        out.append("## \(e(labels.summary))")
        out.append("")
        out.append("| \(e(labels.status)) | \(e(labels.total)) | \(e(labels.verified)) | \(e(labels.claimed)) | \(e(labels.unrated)) |")
        out.append("|---|---:|---:|---:|---:|")
        for row in summary.commitmentsByStatus {
            out.append("| \(e(row.label)) | \(row.total) | \(row.verified) | \(row.claimed) | \(row.unrated) |")
        }
        out.append("")
        out.append("| \(e(labels.demandsByStatus)) | \(e(labels.total)) |")
        out.append("|---|---:|")
        for row in summary.demandsByStatus { out.append("| \(e(row.label)) | \(row.count) |") }
        out.append("")
        out.append("\(e(labels.overdueCount)): **\(summary.overdue)**")
        out.append("")
        out.append("## \(e(labels.changes))")
        out.append("")
        if changes.isEmpty { out.append(e(labels.noChanges)) }
        for change in changes {
            out.append("- **\(e(change.dateText))** — \(e(change.text))\(marks(internal: change.internal, retracted: change.retracted)) \(cite(change.sources))")
            if let detail = change.detail { out.append("  \\\n  \(e(detail))") }
        }
        out.append("")
        out.append("## \(e(labels.overdue))")
        out.append("")
        if overdue.isEmpty { out.append(e(labels.noOverdue)) }
        for item in overdue {
            out.append("- \(e(item.summary)) (\(e(item.actor))) — \(e(labels.due)) \(e(item.dueText)), **\(e(item.overdueText))**\(marks(internal: item.internal))")
        }
        out.append("")
        out.append("## \(e(labels.demands))")
        if demands.isEmpty { out.append(""); out.append(e(labels.noDemands)) }
        for demand in demands {
            out.append("")
            out.append("### \(e(demand.title))\(marks(internal: demand.internal))")
            out.append("")
            out.append("\(e(labels.status)): **\(e(demand.statusLabel))** · \(e(demand.sinceText)) \(cite(demand.sources))")
            if let summaryText = demand.summary { out.append(""); out.append(e(summaryText)) }
            out.append("")
            out.append("**\(e(labels.commitments))**")
            out.append("")
            if demand.commitments.isEmpty { out.append(e(labels.noCommitments)) }
            for line in demand.commitments { out.append("- \(e(commitmentText(line))) \(cite(line.sources))") }
            out.append("")
            out.append("**\(e(labels.timeline))**")
            out.append("")
            for entry in demand.timeline { out.append("- \(e(entry.dateText)) — \(e(entry.text))") }
        }
        out.append("")
        out.append("## \(e(labels.sources))")
        out.append("")
        if sources.isEmpty { out.append(e(labels.noSources)) }
        for source in sources {
            // Not a link unless http(s); shown as code so nothing in it is markup.
            let shown = source.isLink ? "[\(e(source.url))](\(MarkdownText.destination(source.url)))"
                : "`` " + PlainText.oneLine(source.url).replacingOccurrences(of: "`", with: "'") + " ``"
            out.append("\(source.number). \(shown)")
        }
        if let checkpoint {
            out.append("")
            out.append("## \(e(labels.checkpoint))")
            out.append("")
            out.append(e(checkpoint.sentence(language)))
            if let note = checkpoint.note {
                // A fence longer than any run of backticks in the note, so nothing in it ends the block.
                let fence = String(repeating: "`", count: max(3, Self.longestRun(of: "`", in: note) + 1))
                out += ["", fence, ReportCheckpoint.begin, note + ReportCheckpoint.end, fence]
            }
        }
        out.append("")
        out.append("---")
        out.append("")
        out.append("\(e(labels.rebuild)): `\(rebuildCommand(format: .md))`")
        return out.joined(separator: "\n") + "\n"
    }
}
