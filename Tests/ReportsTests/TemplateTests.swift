import Foundation
import Ledger
import LedgerTestSupport
import Testing
@testable import Reports

/// The templates compiled into the binary, and a coalition's own in their place.
@Suite("Templates")
struct TemplateTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("../../Sources/Reports/Templates").standardized

    static func state(_ language: ReportLanguage = .en) -> LedgerState {
        var records = LedgerRecords(audience: .public)
        var head = ChainHead.empty
        for (index, draft) in DemoLedger.drafts.enumerated() {
            let entry = Entry(draft: draft, seq: Int64(index + 1), recordedAt: "2023-12-01T12:00:00Z", prevHash: head.hash)
            head = ChainHead(seq: entry.seq, hash: entry.hash)
            records.apply(entry)
        }
        return LedgerState(records: records, asOf: CalendarDay("2023-12-31")!)
    }

    @Test func theBuiltInListIsTheFolderAndEveryTemplateParses() throws {
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path)
            .filter { $0.hasSuffix(".mustache") }.map { String($0.dropLast(".mustache".count)) }.sorted()
        #expect(files == ReportTemplates.names)
        for name in files {
            let text = try String(contentsOf: Self.folder.appendingPathComponent("\(name).mustache"), encoding: .utf8)
            #expect(ReportTemplates.builtInTexts[name] == text, "\(name) is compiled in as it is in the folder")
            // Only markup the code built may be printed unescaped; the templates print none.
            #expect(!text.contains("{{{") && !text.contains("{{&"), "\(name) uses an unescaped tag")
        }
        _ = ReportTemplates.builtIn
    }

    @Test func anOverrideTakesEffectOnPagesReportsAndFeeds() throws {
        let directory = try TemporaryDirectory()
        try #"<meta charset="utf-8"><title>{{title}} · Brand of {{organisation}}</title>"#
            .write(toFile: directory.path("head.mustache"), atomically: true, encoding: .utf8)
        try "<footer><p>Printed by the coalition's own template.</p></footer>\n{{> site-style}}"
            .write(toFile: directory.path("ignored.txt"), atomically: true, encoding: .utf8)
        let templates = try ReportTemplates(overridesIn: directory.url.path)
        let state = Self.state()
        let site = PublicSite(state: state, language: .en, months: [], templates: templates)
        #expect(try #require(site.statusPage()).contains("<title>Where the demands stand · Brand of People&#39;s Movement for Peace and Justice</title>"))
        #expect(!(try #require(PublicSite(state: state, language: .en, months: []).statusPage())).contains("Brand of"), "built-in pages are unchanged")
        let report = MonthlyReport(state: state, month: ReportMonth("2023-07")!, language: .en)
        #expect(report.html(templates: templates).contains("· Brand of"))
        #expect(try report.render(.html, templates: templates).contains("· Brand of"))

        try "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<feed xmlns=\"http://www.w3.org/2005/Atom\"><title>{{title}} (branded)</title></feed>\n"
            .write(toFile: directory.path("feed-atom.mustache"), atomically: true, encoding: .utf8)
        let feed = LedgerFeed(state: state, records: [], hashes: [:], language: .en, baseURL: "https://example.org")
        #expect(feed.atom(templates: try ReportTemplates(overridesIn: directory.url.path)).contains("(branded)</title>"))
    }

    @Test func anOverrideStillEscapes() throws {
        let directory = try TemporaryDirectory()
        // No content-type line: mustache's own HTML escaping still applies.
        try "<h1>{{message}}</h1>\n".write(toFile: directory.path("site-error.mustache"), atomically: true, encoding: .utf8)
        let site = PublicSite(state: Self.state(), language: .en, months: [], templates: try ReportTemplates(overridesIn: directory.url.path))
        #expect(site.badRequestPage(message: "<b>x</b>") == "<h1>&lt;b&gt;x&lt;/b&gt;</h1>\n")
    }

    @Test func aBrokenTemplateIsRefusedWithItsFileAndLine() throws {
        let directory = try TemporaryDirectory()
        let file = directory.path("report.mustache")
        try "<!DOCTYPE html>\n<p>fine</p>\n<title>{{title}</title>\n".write(toFile: file, atomically: true, encoding: .utf8)
        #expect(throws: LedgerError.self) { try ReportTemplates(overridesIn: directory.url.path) }
        do {
            _ = try ReportTemplates(overridesIn: directory.url.path)
        } catch {
            #expect(error.field == "templates")
            #expect(error.message.contains(file) && error.message.contains("line 3"), "\(error.message)")
        }
        try FileManager.default.removeItem(atPath: file)
        try "{{#demands}}\n<p>never closed</p>\n".write(toFile: directory.path("site-status.mustache"), atomically: true, encoding: .utf8)
        #expect(performing: { try ReportTemplates(overridesIn: directory.url.path) }, throws: { error in
            (error as? LedgerError)?.message.contains("site-status.mustache") == true
        })
    }

    @Test func aTemplateNoPageUsesIsRefused() throws {
        let directory = try TemporaryDirectory()
        try "<p>{{title}}</p>".write(toFile: directory.path("sidebar.mustache"), atomically: true, encoding: .utf8)
        #expect(performing: { try ReportTemplates(overridesIn: directory.url.path) }, throws: { error in
            (error as? LedgerError)?.message.contains("no page uses a template named 'sidebar'") == true
        })
        #expect(performing: { try ReportTemplates(overridesIn: directory.path("missing")) }, throws: { error in
            (error as? LedgerError)?.kind == .notFound
        })
    }

    /// The report's repeated items give their fields themselves; what they give must be what
    /// reflection finds, or a template would read a field that is not there.
    @Test func viewsThatGiveTheirFieldsGiveWhatReflectionFinds() throws {
        func same(_ a: Any?, _ b: Any?) -> Bool {
            switch (a, b) {
            case (nil, nil): true
            case let (a as [String: Any], b as [String: Any]): a.keys.sorted() == b.keys.sorted() && a.keys.allSatisfy { same(a[$0], b[$0]) }
            case let (a as [Any], b as [Any]): a.count == b.count && zip(a, b).allSatisfy { same($0, $1) }
            case let (a?, b?): "\(type(of: a))" == "\(type(of: b))" && "\(a)" == "\(b)"
            default: false
            }
        }
        var values: [Any] = []
        for language in ReportLanguage.allCases {
            for month in 1...12 {
                let month = ReportMonth(year: 2023, month: month)
                let page = MonthlyReport.HTMLPage(report: MonthlyReport(state: Self.state(language), month: month, language: language),
                                                  paper: .a4, warning: nil)
                // Each type on its own: reflecting an outer one reads the inner ones through `tree`.
                values += page.changes as [Any] + page.changes.map(\.change) as [Any] + page.sources as [Any] + page.demands as [Any]
                    + page.demands.map(\.demand) as [Any] + page.demands.flatMap(\.commitments) as [Any]
                    + page.demands.flatMap(\.commitments).map(\.line) as [Any] + page.demands.flatMap(\.demand.timeline) as [Any]
            }
        }
        let bare = MonthlyReport.CommitmentLine(id: "c", summary: "s", actor: "a", kind: "pledge", status: "announced", statusLabel: "Announced",
                                                basis: nil, basisLabel: nil, due: nil, dueText: nil, daysOverdue: nil, sources: [], internal: false)
        var full = bare
        (full.basis, full.basisLabel, full.due, full.dueText, full.daysOverdue, full.sources, full.internal) = ("verified", "Verified", "2023-08-01", "1 Aug", 3, [1, 2], true)
        values += [bare, full, MonthlyReport.HTMLPage.CommitmentItem(line: full, overdueBy: "3 days"), MonthlyReport.HTMLPage.CommitmentItem(line: bare, overdueBy: nil)]
        let fielded = values.filter { $0 is any TemplateFields }
        #expect(fielded.count == values.count && values.count > 100, "\(fielded.count) of \(values.count)")
        #expect(values.contains { ($0 as? MonthlyReport.HTMLPage.Change)?.change.detail != nil }
                && values.contains { ($0 as? MonthlyReport.HTMLPage.Change).map { $0.change.detail == nil } ?? false },
                "changes with and without a detail")
        for value in values {
            #expect(same(TemplateView.tree(value), TemplateView.reflected(value)), "\(type(of: value)): \(value)")
        }
    }
}
