import Foundation
import LedgerTestSupport
import Testing
@testable import Ledger
@testable import Reports
import LedgerStores

/// The monthly report on the demo ledger: every format and language, the as-of cut,
/// determinism, escaping, and what the public edition leaves out.
@Suite("Monthly report")
struct MonthlyReportTests {
    static let july = ReportMonth("2023-07")!
    static let october = ReportMonth("2023-10")!
    static let today = CalendarDay("2026-01-01")!

    /// A demo ledger in a file of its own (plus any extra drafts).
    func demoLedger(_ directory: TemporaryDirectory, extra: [EntryDraft] = []) async throws -> Ledger {
        let ledger = try await Ledger.open(.sqlite(path: directory.path("demo.sqlite")), create: true)
        _ = try await ledger.append(DemoLedger.drafts, today: Self.today)
        if !extra.isEmpty { _ = try await ledger.append(extra, today: Self.today) }
        return ledger
    }

    func report(_ ledger: Ledger, _ month: ReportMonth = july, _ language: ReportLanguage = .en,
                _ audience: Visibility = .public) async throws -> MonthlyReport {
        let records = try await ledger.records(audience: audience)
        return MonthlyReport(state: LedgerState(records: records, asOf: month.lastDay), month: month, language: language)
    }

    @Test(arguments: ReportFormat.allCases, ReportLanguage.allCases)
    func everyFormatHasEverySectionInItsLanguage(_ format: ReportFormat, _ language: ReportLanguage) async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await demoLedger(directory)
        let report = try await report(ledger, Self.july, language)
        let rendered = try report.render(format)
        // Plain text wraps lines anywhere; compare words.
        let output = format == .text ? rendered.split(whereSeparator: \.isWhitespace).joined(separator: " ") : rendered
        let labels = language.labels
        if format == .json {
            let json = try #require(try JSONSerialization.jsonObject(with: Data(output.utf8)) as? [String: Any])
            #expect(Set(json.keys).isSuperset(of: ["title", "period_text", "organisation", "head", "summary", "changes", "overdue", "demands", "sources"]))
            #expect((json["head"] as? [String: Any])?["seq"] as? Int == DemoLedger.drafts.count)
        } else {
            for heading in [labels.summary, labels.changes, labels.overdue, labels.demands, labels.sources] {
                #expect(output.localizedCaseInsensitiveContains(heading), "\(format) \(language): '\(heading)'")
            }
            #expect(output.contains("seq \(DemoLedger.drafts.count)"))
        }
        #expect(output.contains(report.head.hash))
        // Dates and words in the report's language; the Spanish text of titles where there is one.
        #expect(output.contains(language == .es ? "10 de julio de 2023" : "10 July 2023"))
        #expect(output.contains(language == .es ? "julio de 2023" : "July 2023"))
        let juarez = try #require(DemoLedger.drafts.first { $0.subject == "justice-juarez-fire" && $0.type == .demandRecorded })
        let title = try #require(juarez.payload[language == .es ? "title_es" : "title"]?.stringValue)
        #expect(output.contains(format == .md ? MarkdownText.escape(title) : format == .html ? HTMLText.escape(title) : title))
        if language == .es {
            #expect(!output.contains("What changed") && !output.contains("Summary") && output.contains("sin respuesta"))
        }
        if format == .text {
            let long = rendered.split(separator: "\n").filter { $0.count > 78 }
            #expect(long.isEmpty, "wrapped at 78 columns")
        }
    }

    @Test func countsMatchTheState() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await demoLedger(directory)
        let state = try await ledger.state(asOf: Self.october.lastDay, audience: .internal)
        let report = MonthlyReport(state: state, month: Self.october, language: .en)
        #expect(report.summary.commitments == state.commitments.count)
        #expect(report.summary.commitmentsByStatus.map(\.total).reduce(0, +) == state.commitments.count)
        for row in report.summary.commitmentsByStatus {
            #expect(row.claimed + row.verified + row.unrated == row.total)
        }
        for row in report.summary.demandsByStatus {
            #expect(row.count == state.demands.filter { $0.status.rawValue == row.status }.count)
        }
        #expect(report.summary.overdue == state.commitments.filter { ($0.daysOverdue(on: Self.october.lastDay) ?? 0) > 0 }.count)
        #expect(report.summary.overdue == 1, "the illustrative first session, due 30 September")
        #expect(report.overdue.first?.daysOverdue == 31)
        #expect(report.changes.map(\.seq) == state.events.filter { Self.october.contains($0.effective.day) && $0.type != .actorRegistered }.map(\.seq))
        #expect(report.demands.count == state.demands.count)
        // Claimed and verified apart: the CNDH recommendation is rated in progress, verified, by then.
        let cndh = try #require(report.demands.flatMap(\.commitments).first { $0.id == "cndh-rec-juarez" })
        #expect(cndh.basis == "verified")
    }

    @Test func nothingDatedAfterTheMonthAppears() async throws {
        let directory = try TemporaryDirectory()
        let later = Story.followup("justice-juarez-fire", on: "2023-08-01", note: "Vigil held on the first of August")
        let ledger = try await demoLedger(directory, extra: [later])
        for format in ReportFormat.allCases {
            #expect(!(try await report(ledger, Self.july).render(format)).contains("first of August"), "\(format)")
            #expect(try await report(ledger, ReportMonth("2023-08")!).render(format).contains("first of August"), "\(format)")
        }
    }

    @Test func theSameLedgerGivesTheSameBytes() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await demoLedger(directory)
        for format in ReportFormat.allCases {
            for language in ReportLanguage.allCases {
                let first = try await report(ledger, Self.october, language, .internal).render(format, paper: .letter)
                let second = try await report(ledger, Self.october, language, .internal).render(format, paper: .letter)
                #expect(first == second, "\(format) \(language)")
            }
        }
    }

    @Test func untrustedTextIsEscapedInEveryFormat() async throws {
        let directory = try TemporaryDirectory()
        let hostile = #"<script>alert("x")</script> *bold* _it_ | pipe [link](https://evil.example) & 'quote' # \ `tick`"#
        let ledger = try await demoLedger(directory, extra: [
            Story.followup("justice-juarez-fire", on: "2023-07-15", note: hostile),
        ])
        var report = try await report(ledger)
        // Validation refuses control characters on the way in; an imported ledger could still carry them.
        report.demands[0].title = hostile + "\u{1B}[31m red \u{202E}reversed"
        // Validation refuses such sources on the way in; an imported ledger could still carry one.
        report.sources.append(MonthlyReport.Source(number: report.sources.count + 1, url: "javascript:alert(1)", isLink: SafeURL.isLink("javascript:alert(1)")))
        report.demands[0].sources.append(report.sources.count)

        let html = report.html()
        #expect(!html.contains("<script"))
        #expect(html.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;"))
        #expect(!html.contains("href=\"javascript:"))
        #expect(html.contains("<span class=\"not-a-link\">javascript:alert(1)</span>"))
        #expect(!html.contains("\u{1B}") && !html.contains("\u{202E}"))

        let markdown = report.markdown()
        #expect(markdown.contains(#"\<script\>"#))
        #expect(markdown.contains(#"\*bold\* \_it\_ \| pipe \[link\]\(https\:"#))
        #expect(!markdown.contains("[link](") && !markdown.contains("](<javascript"))
        #expect(!markdown.contains("\u{1B}"))

        let text = report.text()
        #expect(text.contains("<script>alert(\"x\")</script>"), "plain text is not markup: shown as written")
        #expect(!text.contains("\u{1B}") && !text.contains("\u{202E}"), "no terminal escapes or bidi overrides")

        let json = try report.render(.json)
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        let decoded = try decoder.decode(MonthlyReport.self, from: Data(json.utf8))
        #expect(decoded.demands[0].title == report.demands[0].title)
        #expect(decoded.changes.contains { $0.detail == hostile })
    }

    @Test(arguments: ReportFormat.allCases)
    func thePublicEditionLeavesNoTraceOfInternalEntries(_ format: ReportFormat) async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await demoLedger(directory)
        let publicOutput = try await report(ledger, Self.october, .en, .public).render(format)
        let internalOutput = try await report(ledger, Self.october, .en, .internal).render(format)
        for trace in ["Illustrative", "first session"] + (format == .json ? ["segob-first-session"] : []) {
            #expect(!publicOutput.contains(trace), "\(format): '\(trace)'")
            #expect(internalOutput.contains(trace), "\(format): '\(trace)'")
        }
        let publicReport = try await report(ledger, Self.october, .en, .public)
        #expect(publicReport.summary.overdue == 0)
        #expect(publicReport.summary.commitmentsByStatus.allSatisfy { $0.claimed == 0 && $0.verified == 0 }, "the ratings are internal")
        #expect(!publicReport.changes.contains { $0.internal })
        if format != .json { #expect(internalOutput.contains("internal")) }
    }

    @Test func theReportSaysHowToRebuildItself() async throws {
        let directory = try TemporaryDirectory()
        let ledger = try await demoLedger(directory)
        let records = try await ledger.records(audience: .public)
        let report = MonthlyReport(state: LedgerState(records: records, asOf: Self.july.lastDay), month: Self.july,
                                   language: .es, organisation: "Rosa O'Brien; rm -rf /")
        #expect(report.html(paper: .letter).contains(
            "ledgerctl report monthly 2023-07 --known-at 28 --lang es --audience public --format html --paper letter --organisation &#39;Rosa O&#39;\\&#39;&#39;Brien; rm -rf /&#39;"))
        #expect(report.text().split(whereSeparator: \.isWhitespace).joined(separator: " ").contains(
            "ledgerctl report monthly 2023-07 --known-at 28 --lang es --audience public --format text --organisation 'Rosa O'\\''Brien; rm -rf /'"))
    }

    @Test func monthsAndWrappingAreExact() {
        #expect(ReportMonth("2023-7") == nil && ReportMonth("2023-13") == nil && ReportMonth("July") == nil)
        #expect(ReportMonth("2024-02")!.lastDay.description == "2024-02-29")
        #expect(ReportLanguage.es.date(CalendarDay("2023-06-30")!) == "30 de junio de 2023")
        #expect(ReportLanguage.en.date(CalendarDay("2023-06-30")!) == "30 June 2023")
        let wrapped = PlainText.wrapped("aaa bbb ccc " + String(repeating: "x", count: 25), width: 10, first: "- ", rest: "  ")
        #expect(wrapped == "- aaa bbb\n  ccc\n  xxxxxxxx\n  xxxxxxxx\n  xxxxxxxx\n  x")
    }
}
