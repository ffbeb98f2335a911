import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Ledger
import LedgerStores
import LedgerTestSupport
import Testing
@testable import Reports

/// Every text field of every kind of entry carries markup; every page, report and feed
/// shows it as text, never as markup.
@Suite("Hostile text")
struct HostileTextTests {
    /// Markup a careless renderer would run, with both quote kinds and an ampersand.
    static let markup = #"<script>alert("x")</script><img src=x onerror='y'>&amp;"#
    static let today = CalendarDay("2026-01-01")!

    /// A text for one field, saying which field it is, so a miss is easy to find.
    static func hostile(_ field: String) -> JSONValue { .string("\(field) \(markup)") }
    /// A source may not hold `<` or `"` (the ledger refuses them) but may hold `'` and `&`.
    static let source: JSONValue = .array([.string("https://example.org/a?b='c'&d=<x>".replacingOccurrences(of: "<x>", with: "%3Cx%3E"))])

    static func drafts(_ records: LedgerRecords) -> [EntryDraft] {
        func draft(_ type: EntryType, _ subject: String, _ date: String, _ payload: [String: JSONValue]) -> EntryDraft {
            EntryDraft(type: type, subject: subject, effective: EffectiveTime(date)!, author: "author \(markup)",
                       visibility: .public, payload: .object(payload))
        }
        return [
            draft(.actorRegistered, "hostile-actor", "2023-07-01", ["name": hostile("name"), "name_es": hostile("name_es"), "kind": .string("institution")]),
            draft(.demandRecorded, "hostile-demand", "2023-07-02", [
                "title": hostile("title"), "title_es": hostile("title_es"), "summary": hostile("summary"), "summary_es": hostile("summary_es"),
                "by": .array([.string("hostile-actor")]), "targets": .array([.string("hostile-actor")]), "sources": source]),
            draft(.commitmentRecorded, "hostile-commitment", "2023-07-03", [
                "demands": .array([.string("hostile-demand")]), "actor": .string("hostile-actor"), "kind": .string("pledge"),
                "summary": hostile("commitment summary"), "summary_es": hostile("commitment summary_es"), "due": .string("2023-07-20"), "sources": source]),
            draft(.statusChanged, "hostile-commitment", "2023-07-05", [
                "status": .string("in-progress"), "basis": .string("claimed"), "rationale": hostile("rationale"), "rationale_es": hostile("rationale_es"), "sources": source]),
            draft(.followupLogged, "hostile-demand", "2023-07-06", ["note": hostile("note"), "note_es": hostile("note_es"), "kind": .string("meeting"), "sources": source]),
            draft(.followupLogged, "hostile-commitment", "2023-07-07", ["note": hostile("retracted note"), "sources": source]),
        ]
    }

    static func amendments(_ records: LedgerRecords) throws -> [EntryDraft] {
        let status = try #require(records.records.last { $0.type == .statusChanged && $0.subject == "hostile-commitment" })
        let followup = try #require(records.records.last { $0.type == .followupLogged && $0.subject == "hostile-commitment" })
        return [
            EntryDraft(type: .entryCorrected, subject: status.subject, effective: EffectiveTime("2023-07-08")!, author: "corrector \(markup)",
                       visibility: .public, payload: .object(["target_seq": .int(status.seq), "reason": hostile("reason"),
                                                      "fields": .object(["rationale": hostile("corrected rationale")])])),
            EntryDraft(type: .entryRetracted, subject: followup.subject, effective: EffectiveTime("2023-07-08")!, author: "retractor \(markup)",
                       visibility: .public, payload: .object(["target_seq": .int(followup.seq), "reason": hostile("retraction reason")])),
        ]
    }

    /// Every rendered output in both languages: the public pages (status, each demand and
    /// commitment, errors), the monthly report in every format and edition, both feeds.
    static func outputs() async throws -> [(name: String, format: String, text: String)] {
        let directory = try TemporaryDirectory()
        let ledger = try await Ledger.open(.sqlite(path: directory.path("hostile.sqlite")), create: true)
        defer { Task { await ledger.close() } }
        _ = try await ledger.append(DemoLedger.drafts, today: today)
        _ = try await ledger.append(drafts(try await ledger.records()), today: today)
        _ = try await ledger.append(try amendments(try await ledger.records()), today: today)
        let month = ReportMonth("2023-07")!
        var outputs: [(String, String, String)] = []
        for language in ReportLanguage.allCases {
            for audience in Visibility.allCases {
                let records = try await ledger.records(audience: audience)
                let report = MonthlyReport(state: LedgerState(records: records, asOf: month.lastDay), month: month, language: language)
                for format in ReportFormat.allCases {
                    outputs.append(("report \(audience) \(language)", format.rawValue, try report.render(format)))
                }
            }
            let records = try await ledger.records(audience: .public)
            let state = LedgerState(records: records, asOf: today)
            let site = PublicSite(state: state, language: language, months: [month], warning: IntegrityWarning(failedAtSeq: 3))
            outputs.append(("status page \(language)", "html", try #require(site.statusPage())))
            for demand in state.demands { outputs.append(("demand \(demand.id) \(language)", "html", try #require(site.demandPage(demand.id)))) }
            for commitment in state.commitments {
                outputs.append(("commitment \(commitment.id) \(language)", "html", try #require(site.commitmentPage(commitment.id))))
            }
            outputs.append(("bad request \(language)", "html", site.badRequestPage(message: "message \(markup)")))
            let feed = LedgerFeed(state: state, records: LedgerFeed.latest(records), hashes: [:], language: language,
                                  baseURL: "https://ledger.example.org", warning: IntegrityWarning(failedAtSeq: nil))
            outputs.append(("atom \(language)", "atom", feed.atom()))
            outputs.append(("json feed \(language)", "json", try feed.json()))
        }
        return outputs
    }

    /// Escaping goes by scalar: a combining mark after `<` or `&` makes one `Character`
    /// of them, and must not carry the markup through unescaped.
    @Test func aMarkAfterMarkupDoesNotHideIt() {
        let escaped = HTMLText.escape("<\u{301}script>&\u{301}amp;\"'\u{202E}\u{7}\nok")
        #expect(escaped == "&lt;\u{301}script&gt;&amp;\u{301}amp;&quot;&#39;\u{FFFD}\u{FFFD}\nok")
        #expect(!escaped.unicodeScalars.contains("<") && !escaped.unicodeScalars.contains(">"))
    }

    /// Printable ASCII with nothing to escape comes back as it is; one byte of anything
    /// else (markup, a control, a scalar outside ASCII) takes the scalar path.
    @Test func plainTextPassesAndAnyOtherByteIsLookedAt() {
        let plain = "Plain text, 100% ASCII: (a+b)=c; [x] {y} ~`|\\/?!@#$^*_-\n\tend"
        #expect(HTMLText.escape(plain) == plain)
        for (inserted, expected) in [("<", "&lt;"), (">", "&gt;"), ("&", "&amp;"), ("\"", "&quot;"), ("'", "&#39;"), ("\u{7}", "\u{FFFD}"),
                                     ("\u{7F}", "\u{FFFD}"), ("\r", "\u{FFFD}"), ("\u{202E}", "\u{FFFD}"), ("é", "é"), ("\u{85}", "\u{FFFD}")] {
            #expect(HTMLText.escape("ab" + inserted + "cd") == "ab" + expected + "cd", "\(inserted.unicodeScalars.map(\.value))")
        }
    }

    /// The same for a terminal: printable ASCII comes back as it is, and one byte of
    /// anything else still has every scalar looked at.
    @Test func plainTextLinesPassAndAnyOtherByteIsLookedAt() {
        let plain = "Plain text, 100% ASCII: (a+b)=c; [x] {y} ~`|\\/?!@#$^*_- <b>&amp;"
        #expect(PlainText.oneLine(plain) == plain)
        #expect(PlainText.multiline(plain + "\n\tend") == plain + "\n\tend")
        for (inserted, oneLine, multiline) in [("\n", " ", "\n"), ("\t", " ", "\t"), ("\r", " ", "\u{FFFD}"), ("\u{1B}", "\u{FFFD}", "\u{FFFD}"),
                                               ("\u{7F}", "\u{FFFD}", "\u{FFFD}"), ("\u{202E}", "\u{FFFD}", "\u{FFFD}"), ("é", "é", "é")] {
            #expect(PlainText.oneLine("ab" + inserted + "cd") == "ab" + oneLine + "cd", "\(inserted.unicodeScalars.map(\.value))")
            #expect(PlainText.multiline("ab" + inserted + "cd") == "ab" + multiline + "cd", "\(inserted.unicodeScalars.map(\.value))")
        }
    }

    @Test func everyTextFieldIsEscapedInEveryOutput() async throws {
        let outputs = try await Self.outputs()
        #expect(outputs.count > 40)
        var seen: Set<String> = []
        for (name, format, text) in outputs {
            switch format {
            case "html", "atom":
                // The markup never appears as markup; it does appear, escaped.
                #expect(!text.contains("<script") && !text.contains("<img") && !text.contains("onerror='"), "\(name)")
                #expect(!text.contains("href=\"https://example.org/a?b='c'"), "\(name): the quote in a source is escaped in the link")
                if text.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;img src=x onerror=&#39;y&#39;&gt;&amp;amp;") {
                    seen.insert(name)
                }
                if format == "atom" {
                    let parser = XMLParser(data: Data(text.utf8))
                    #expect(parser.parse(), "\(name) is well-formed XML")
                }
            case "md":
                // Markdown shows `\<` as `<`: only an unescaped `<` would open a tag.
                #expect(text.range(of: #"(?<!\\)<(script|img)"#, options: .regularExpression) == nil, "\(name)")
                if text.contains(#"\<script\>"#) { seen.insert(name) }
            case "json":
                // JSON carries the text as data: parsed back, it is the text as written.
                let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8))
                if "\(parsed)".contains("script") { seen.insert(name) }
            default:
                // Plain text has no markup to escape; it must still carry the words.
                if text.contains("alert(\"x\")") { seen.insert(name) }
            }
        }
        // Every output carried some hostile text (so the checks above checked something).
        let unseen = outputs.map(\.name).filter { !seen.contains($0) && !$0.hasPrefix("demand ") && !$0.hasPrefix("commitment ") }
        #expect(unseen.isEmpty, "no hostile text reached: \(unseen)")
        for field in ["name", "title", "summary", "commitment summary", "rationale", "corrected rationale", "note", "retraction reason"] {
            let marker = "\(field) &lt;script&gt;"
            #expect(outputs.contains { $0.format == "html" && $0.text.contains(marker) }, "the \(field) field reached an HTML output")
        }
        for field in ["title_es", "summary_es", "commitment summary_es", "rationale_es", "note_es", "name_es"] {
            #expect(outputs.contains { $0.name.hasSuffix("es") && $0.format == "html" && $0.text.contains("\(field) &lt;script&gt;") },
                    "the Spanish \(field) reached a Spanish HTML output")
        }
        let hostileDemand = try #require(outputs.first { $0.name == "demand hostile-demand en" })
        #expect(hostileDemand.text.contains("title &lt;script&gt;"))
        #expect(hostileDemand.text.contains("href=\"https://example.org/a?b=&#39;c&#39;&amp;d=%3Cx%3E\""))
    }
}
