import Ledger

extension MonthlyReport {
    /// One self-contained HTML5 file: inline CSS and SVG, no scripts, fonts or images;
    /// readable on a phone and printable to PDF (page size, margins, page numbers, no
    /// commitment split across pages where it fits on one).
    public func html(paper: PaperSize = .a4) -> String {
        let labels = language.labels
        let e = HTMLText.escape
        var out: [String] = []
        func marks(internal isInternal: Bool, retracted: Bool = false) -> String {
            (isInternal ? " <span class=\"mark internal\">\(e(labels.internalMark))</span>" : "")
                + (retracted ? " <span class=\"mark retracted\">\(e(labels.retractedMark))</span>" : "")
        }
        func cite(_ numbers: [Int]) -> String {
            numbers.map { "<a class=\"cite\" href=\"#source-\($0)\">[\($0)]</a>" }.joined()
        }

        out.append("<!DOCTYPE html>")
        out.append("<html lang=\"\(language.rawValue)\">")
        out.append("<head>")
        out.append("<meta charset=\"utf-8\">")
        out.append("<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">")
        out.append("<title>\(e(title)) — \(e(organisation))</title>")
        out.append("<style>\n\(Self.css(paper: paper))</style>")
        out.append("</head>")
        out.append("<body>")
        out.append("<header>")
        out.append("<p class=\"organisation\">\(e(organisation))</p>")
        out.append("<h1>\(e(title))</h1>")
        out.append("<dl class=\"meta\">")
        out.append("<dt>\(e(labels.period))</dt><dd>\(e(periodText))</dd>")
        out.append("<dt>\(e(labels.asOf))</dt><dd><time datetime=\"\(e(asOf))\">\(e(asOfText))</time></dd>")
        out.append("<dt>\(e(labels.builtFrom))</dt><dd>seq \(head.seq) · <code class=\"hash\">\(e(head.hash))</code></dd>")
        out.append("</dl>")
        out.append("<p class=\"edition \(audience.rawValue)\">\(e(editionText))</p>")
        out.append("</header>")
        out.append("<main>")

        out.append("<section id=\"summary\">")
        out.append("<h2>\(e(labels.summary))</h2>")
        out.append(chart())
        out.append("<div class=\"tables\">")
        out.append("<table>")
        out.append("<caption>\(e(labels.commitmentsByStatus)) (\(summary.commitments))</caption>")
        out.append("<thead><tr><th scope=\"col\">\(e(labels.status))</th><th scope=\"col\">\(e(labels.total))</th><th scope=\"col\">\(e(labels.verified))</th><th scope=\"col\">\(e(labels.claimed))</th><th scope=\"col\">\(e(labels.unrated))</th></tr></thead>")
        out.append("<tbody>")
        for row in summary.commitmentsByStatus {
            out.append("<tr><th scope=\"row\">\(e(row.label))</th><td>\(row.total)</td><td>\(row.verified)</td><td>\(row.claimed)</td><td>\(row.unrated)</td></tr>")
        }
        out.append("</tbody>")
        out.append("</table>")
        out.append("<table>")
        out.append("<caption>\(e(labels.demandsByStatus)) (\(summary.demands))</caption>")
        out.append("<thead><tr><th scope=\"col\">\(e(labels.status))</th><th scope=\"col\">\(e(labels.total))</th></tr></thead>")
        out.append("<tbody>")
        for row in summary.demandsByStatus {
            out.append("<tr><th scope=\"row\">\(e(row.label))</th><td>\(row.count)</td></tr>")
        }
        out.append("</tbody>")
        out.append("</table>")
        out.append("</div>")
        out.append("<p class=\"overdue-count\">\(e(labels.overdueCount)): <strong>\(summary.overdue)</strong></p>")
        out.append("</section>")

        out.append("<section id=\"changes\">")
        out.append("<h2>\(e(labels.changes))</h2>")
        out.append(HTMLText.list(changes.map { change in
            var item = ["<li class=\"change\"><time datetime=\"\(e(change.date))\">\(e(change.dateText))</time> <span class=\"label\">\(e(change.label))</span>\(marks(internal: change.internal, retracted: change.retracted))",
                        "<p>\(e(change.text)) \(cite(change.sources))</p>"]
            if let detail = change.detail { item.append("<p class=\"detail\">\(e(detail))</p>") }
            return (item + ["</li>"]).joined(separator: "\n")
        }, opening: "<ol class=\"changes\">", empty: labels.noChanges))
        out.append("</section>")

        out.append("<section id=\"overdue\">")
        out.append("<h2>\(e(labels.overdue))</h2>")
        out.append(HTMLText.list(overdue.map { item in
            "<li>\(e(item.summary)) <span class=\"who\">(\(e(item.actor)))</span> — \(e(labels.due)) <time datetime=\"\(e(item.due))\">\(e(item.dueText))</time>, <strong>\(e(item.overdueText))</strong>\(marks(internal: item.internal))</li>"
        }, opening: "<ul class=\"overdue\">", empty: labels.noOverdue))
        out.append("</section>")

        out.append("<section id=\"demands\">")
        out.append("<h2>\(e(labels.demands))</h2>")
        if demands.isEmpty { out.append("<p>\(e(labels.noDemands))</p>") }
        for demand in demands {
            out.append("<article class=\"demand\" id=\"demand-\(e(demand.id))\">")
            out.append("<h3>\(e(demand.title))\(marks(internal: demand.internal))</h3>")
            out.append("<p class=\"status\"><span class=\"badge demand-\(e(demand.status))\">\(e(demand.statusLabel))</span> · <time datetime=\"\(e(demand.since))\">\(e(demand.sinceText))</time> \(cite(demand.sources))</p>")
            if let summaryText = demand.summary { out.append("<p>\(e(summaryText))</p>") }
            out.append("<h4>\(e(labels.commitments))</h4>")
            out.append(HTMLText.list(demand.commitments.map { line in
                var text = "<li class=\"commitment\"><span class=\"badge status-\(e(line.status))\">\(e(line.statusLabel))</span>"
                if let basis = line.basisLabel { text += " <span class=\"basis\">\(e(basis))</span>" }
                text += " \(e(line.summary)) <span class=\"who\">(\(e(line.kind)), \(e(line.actor)))</span>"
                if let due = line.due, let dueText = line.dueText {
                    text += " · \(e(labels.due)) <time datetime=\"\(e(due))\">\(e(dueText))</time>"
                }
                if let days = line.daysOverdue { text += " · <strong>\(e(labels.overdueBy)) \(e(language.days(days)))</strong>" }
                return text + marks(internal: line.internal) + " " + cite(line.sources) + "</li>"
            }, opening: "<ul class=\"commitments\">", empty: labels.noCommitments))
            if !demand.timeline.isEmpty {
                out.append("<h4>\(e(labels.timeline))</h4>")
                out.append("<ol class=\"timeline\">")
                for entry in demand.timeline {
                    out.append("<li><time datetime=\"\(e(entry.date))\">\(e(entry.dateText))</time> \(e(entry.text))</li>")
                }
                out.append("</ol>")
            }
            out.append("</article>")
        }
        out.append("</section>")

        out.append("<section id=\"sources\">")
        out.append("<h2>\(e(labels.sources))</h2>")
        out.append(HTMLText.list(sources.map { source in
            let shown = source.isLink ? "<a href=\"\(e(source.url))\">\(e(source.url))</a>" : "<span class=\"not-a-link\">\(e(source.url))</span>"
            return "<li id=\"source-\(source.number)\">\(shown)</li>"
        }, opening: "<ol class=\"sources\">", empty: labels.noSources))
        out.append("</section>")
        out.append("</main>")
        out.append("<footer>")
        out.append("<p>\(e(labels.rebuild)): <code>\(e(rebuildCommand(format: .html, paper: paper)))</code></p>")
        out.append("</footer>")
        out.append("</body>")
        out.append("</html>")
        return out.joined(separator: "\n") + "\n"
    }

    /// A horizontal bar per status, split into verified, claimed and not yet rated, so a
    /// claim is never drawn as if it were checked.
    func chart() -> String {
        let labels = language.labels
        let e = HTMLText.escape
        let rows = summary.commitmentsByStatus
        let largest = max(1, rows.map(\.total).max() ?? 1)
        let labelWidth = 170, barWidth = 330, rowHeight = 26, top = 8
        let height = top + rows.count * rowHeight + 30
        var svg = "<figure class=\"chart\">\n"
        svg += "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(labelWidth + barWidth + 50) \(height)\" role=\"img\" aria-labelledby=\"chart-title\">\n"
        svg += "<title id=\"chart-title\">\(e(labels.chartTitle))</title>\n"
        for (index, row) in rows.enumerated() {
            let y = top + index * rowHeight
            svg += "<text x=\"\(labelWidth - 8)\" y=\"\(y + 16)\" text-anchor=\"end\" class=\"axis\">\(e(row.label))</text>\n"
            var x = labelWidth
            for (count, style) in [(row.verified, "verified"), (row.claimed, "claimed"), (row.unrated, "unrated")] where count > 0 {
                let width = count * barWidth / largest
                svg += "<rect x=\"\(x)\" y=\"\(y + 4)\" width=\"\(width)\" height=\"16\" class=\"\(style)\"/>\n"
                x += width
            }
            svg += "<text x=\"\(x + 6)\" y=\"\(y + 16)\" class=\"count\">\(row.total)</text>\n"
        }
        let legendY = top + rows.count * rowHeight + 14
        var legendX = labelWidth
        for (text, style) in [(labels.verified, "verified"), (labels.claimed, "claimed"), (labels.unrated, "unrated")] {
            svg += "<rect x=\"\(legendX)\" y=\"\(legendY - 10)\" width=\"12\" height=\"12\" class=\"\(style)\"/>"
            svg += "<text x=\"\(legendX + 16)\" y=\"\(legendY)\" class=\"legend\">\(e(text))</text>\n"
            legendX += 110
        }
        svg += "</svg>\n"
        svg += "<figcaption>\(e(labels.chartTitle))</figcaption>\n</figure>"
        return svg
    }

    static func css(paper: PaperSize) -> String {
        """
        @page { size: \(paper.css); margin: 18mm 16mm 20mm 16mm;
          @bottom-right { content: counter(page) " / " counter(pages); font: 9pt Georgia, serif; color: #555; } }
        :root { --ink: #1c1c1c; --muted: #5a5a5a; --rule: #d0d0d0; --accent: #7a1f2b; --verified: #1f5e3a; --claimed: #c9a227; --unrated: #b8b8b8; }
        * { box-sizing: border-box; }
        body { margin: 0 auto; max-width: 46rem; padding: 1.5rem 1rem 3rem; color: var(--ink);
          font: 11pt/1.5 Georgia, "Times New Roman", serif; overflow-wrap: anywhere; }
        h1, h2, h3, h4 { font-family: "Helvetica Neue", Arial, sans-serif; line-height: 1.25; break-after: avoid; }
        h1 { font-size: 1.7rem; margin: 0.2rem 0 0.8rem; color: var(--accent); }
        h2 { font-size: 1.25rem; border-bottom: 2px solid var(--accent); padding-bottom: 0.2rem; margin-top: 2rem; }
        h3 { font-size: 1.05rem; margin: 0 0 0.3rem; }
        h4 { font-size: 0.9rem; margin: 0.8rem 0 0.3rem; color: var(--muted); text-transform: uppercase; letter-spacing: 0.04em; }
        .organisation { font: 600 0.95rem "Helvetica Neue", Arial, sans-serif; color: var(--muted); margin: 0; }
        .meta { display: grid; grid-template-columns: max-content 1fr; gap: 0.1rem 0.8rem; margin: 0; font-size: 0.9rem; }
        .meta dt { color: var(--muted); }
        .meta dd { margin: 0; }
        .hash { font-size: 0.75rem; word-break: break-all; }
        .edition { font-size: 0.85rem; color: var(--muted); }
        .edition.internal { color: var(--accent); font-weight: bold; }
        .tables { display: flex; flex-wrap: wrap; gap: 1rem 2rem; }
        table { border-collapse: collapse; font-size: 0.9rem; margin: 0.5rem 0; }
        caption { text-align: left; font-weight: bold; padding-bottom: 0.3rem; }
        th, td { border-bottom: 1px solid var(--rule); padding: 0.25rem 0.6rem 0.25rem 0; text-align: right; }
        th[scope="row"], thead th:first-child { text-align: left; font-weight: normal; }
        .chart { margin: 0.5rem 0; break-inside: avoid; }
        .chart svg { width: 100%; max-width: 36rem; height: auto; font: 12px "Helvetica Neue", Arial, sans-serif; }
        .chart .verified { fill: var(--verified); } .chart .claimed { fill: var(--claimed); } .chart .unrated { fill: var(--unrated); }
        .chart text { fill: var(--ink); }
        figcaption { font-size: 0.8rem; color: var(--muted); }
        ol.changes, ul.overdue, ul.commitments, ol.timeline { padding-left: 1.2rem; }
        .change, .commitment { break-inside: avoid; margin-bottom: 0.5rem; }
        .change p { margin: 0.1rem 0; }
        .detail { color: var(--muted); font-size: 0.92rem; }
        .label { font: 600 0.8rem "Helvetica Neue", Arial, sans-serif; text-transform: uppercase; color: var(--accent); }
        time { white-space: nowrap; }
        .demand { border-top: 1px solid var(--rule); padding-top: 0.8rem; margin-top: 1rem; break-inside: avoid; }
        .badge { font: 600 0.75rem "Helvetica Neue", Arial, sans-serif; border: 1px solid currentColor; border-radius: 3px; padding: 0 0.3rem; white-space: nowrap; }
        .basis { font-size: 0.8rem; font-style: italic; color: var(--muted); }
        .who { color: var(--muted); }
        .mark { font: 600 0.7rem "Helvetica Neue", Arial, sans-serif; text-transform: uppercase; padding: 0 0.25rem; border-radius: 3px; }
        .mark.internal { background: #f3e3e5; color: var(--accent); }
        .mark.retracted { background: #eee; color: #444; text-decoration: line-through; }
        .cite { font-size: 0.75rem; vertical-align: super; text-decoration: none; }
        ol.sources { font-size: 0.85rem; }
        ol.sources a, .not-a-link { word-break: break-all; }
        a { color: var(--accent); }
        footer { margin-top: 2rem; font-size: 0.8rem; color: var(--muted); border-top: 1px solid var(--rule); }
        @media print {
          body { max-width: none; padding: 0; font-size: 10pt; }
          a { color: inherit; text-decoration: none; }
          h2 { break-before: auto; }
        }

        """
    }
}
