import Ledger

extension MonthlyReport {
    /// One self-contained HTML5 file: inline CSS and SVG, no scripts, fonts or images;
    /// readable on a phone and printable to PDF (page size, margins, page numbers, no
    /// commitment split across pages where it fits on one). Rendered through the `report`
    /// template; `warning` puts the integrity banner at the top.
    public func html(paper: PaperSize = .a4, templates: ReportTemplates = .builtIn, warning: IntegrityWarning? = nil) -> String {
        templates.render("report", HTMLPage(report: self, paper: paper, warning: warning))
    }

    /// What the `report` template reads.
    struct HTMLPage {
        struct Change { let change: MonthlyReport.Change }
        struct CommitmentItem {
            let line: CommitmentLine
            /// "40 days", when overdue.
            let overdueBy: String?
        }
        struct Demand {
            let demand: DemandSection
            let commitments: [CommitmentItem]
        }

        let lang, title, organisation, paperCSS, periodText, asOf, asOfText, audience, editionText, rebuildCommand: String
        let labels: ReportLanguage.Labels
        let warningText: String?
        let head: Head
        let summary: Summary
        let chart: Chart
        let changes: [Change]
        let overdue: [Overdue]
        let demands: [Demand]
        let sources: [Source]
        let checkpoint: ReportCheckpoint?
        let checkpointSentence: String?
        struct Edition { let heading, href: String; let changes: [String]; let first: Bool }
        /// A section, not a list, so the template opens it once.
        struct Editions { let items: [Edition] }
        let editions: Editions?

        init(report: MonthlyReport, paper: PaperSize, warning: IntegrityWarning?) {
            let language = report.language
            lang = language.rawValue
            title = report.title
            organisation = report.organisation
            labels = language.labels
            paperCSS = paper.css
            warningText = warning?.text(language)
            periodText = report.periodText
            asOf = report.asOf
            asOfText = report.asOfText
            head = report.head
            audience = report.audience.rawValue
            editionText = report.editionText
            summary = report.summary
            chart = Chart(report.summary.commitmentsByStatus, labels: language.labels)
            changes = report.changes.map(Change.init)
            overdue = report.overdue
            demands = report.demands.map { demand in
                Demand(demand: demand, commitments: demand.commitments.map { line in
                    CommitmentItem(line: line, overdueBy: line.daysOverdue.map(language.days))
                })
            }
            sources = report.sources
            checkpoint = report.checkpoint
            checkpointSentence = report.checkpoint?.sentence(language)
            editions = report.editions.map { links in
                Editions(items: links.map { Edition(heading: report.editionHeading($0), href: $0.href, changes: $0.changes, first: $0.edition == 1) })
            }
            rebuildCommand = report.rebuildCommand(format: .html, paper: paper)
        }
    }

    /// A horizontal bar per status, split into verified, claimed and not yet rated, so a
    /// claim is never drawn as if it were checked: the geometry the `report-chart` template draws.
    struct Chart {
        struct Bar { let x, y, width: Int; let style: String }
        struct Row { let label: String; let labelX, textY: Int; let bars: [Bar]; let countX, total: Int }
        struct Legend { let x, boxY, textX, textY: Int; let style, text: String }
        let width, height: Int
        let rows: [Row]
        let legend: [Legend]

        init(_ counts: [StatusCount], labels: ReportLanguage.Labels) {
            let largest = max(1, counts.map(\.total).max() ?? 1)
            let labelWidth = 170, barWidth = 330, rowHeight = 26, top = 8
            width = labelWidth + barWidth + 50
            height = top + counts.count * rowHeight + 30
            rows = counts.enumerated().map { index, count in
                let y = top + index * rowHeight
                var x = labelWidth
                var bars: [Bar] = []
                for (value, style) in [(count.verified, "verified"), (count.claimed, "claimed"), (count.unrated, "unrated")] where value > 0 {
                    let width = value * barWidth / largest
                    bars.append(Bar(x: x, y: y + 4, width: width, style: style))
                    x += width
                }
                return Row(label: count.label, labelX: labelWidth - 8, textY: y + 16, bars: bars, countX: x + 6, total: count.total)
            }
            let legendY = top + counts.count * rowHeight + 14
            legend = [(labels.verified, "verified"), (labels.claimed, "claimed"), (labels.unrated, "unrated")].enumerated().map { index, item in
                let x = labelWidth + index * 110
                return Legend(x: x, boxY: legendY - 10, textX: x + 16, textY: legendY, style: item.1, text: item.0)
            }
        }
    }

}

// The report's repeated items: every entry of the month, every source, every commitment
// and timeline line of a demand.
extension MonthlyReport.Change: TemplateFields {
    package var templateFields: [String: Any] {
        var fields: [String: Any] = ["seq": seq, "date": date, "dateText": dateText, "type": type, "label": label, "subject": subject,
                                     "subjectTitle": subjectTitle, "text": text, "sources": sources as [Any], "internal": `internal`,
                                     "retracted": retracted]
        fields.set("detail", detail)
        return fields
    }
}

extension MonthlyReport.Source: TemplateFields {
    package var templateFields: [String: Any] { ["number": number, "url": url, "isLink": isLink] }
}

extension MonthlyReport.TimelineItem: TemplateFields {
    package var templateFields: [String: Any] { ["seq": seq, "date": date, "dateText": dateText, "text": text] }
}

extension MonthlyReport.CommitmentLine: TemplateFields {
    package var templateFields: [String: Any] {
        var fields: [String: Any] = ["id": id, "summary": summary, "actor": actor, "kind": kind, "status": status, "statusLabel": statusLabel,
                                     "sources": sources as [Any], "internal": `internal`]
        fields.set("basis", basis)
        fields.set("basisLabel", basisLabel)
        fields.set("due", due)
        fields.set("dueText", dueText)
        fields.set("daysOverdue", daysOverdue)
        return fields
    }
}

extension MonthlyReport.DemandSection: TemplateFields {
    package var templateFields: [String: Any] {
        var fields: [String: Any] = ["id": id, "title": title, "status": status, "statusLabel": statusLabel, "since": since, "sinceText": sinceText,
                                     "by": by as [Any], "targets": targets as [Any], "commitments": commitments.map(\.templateFields) as [Any],
                                     "timeline": timeline.map(\.templateFields) as [Any], "sources": sources as [Any], "internal": `internal`]
        fields.set("summary", summary)
        return fields
    }
}

extension MonthlyReport.HTMLPage.Demand: TemplateFields {
    package var templateFields: [String: Any] {
        ["demand": demand.templateFields, "commitments": commitments.map(\.templateFields) as [Any]]
    }
}

extension MonthlyReport.HTMLPage.Change: TemplateFields {
    package var templateFields: [String: Any] { ["change": change.templateFields] }
}

extension MonthlyReport.HTMLPage.CommitmentItem: TemplateFields {
    package var templateFields: [String: Any] {
        var fields: [String: Any] = ["line": line.templateFields]
        fields.set("overdueBy", overdueBy)
        return fields
    }
}
