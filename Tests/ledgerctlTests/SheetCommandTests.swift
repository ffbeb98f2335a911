import Foundation
import LedgerTestSupport
import Sheets
import Testing

/// `ledgerctl sheet`: spreadsheets in, spreadsheets out, written by tools no one on the team
/// wrote (Python's csv module, LibreOffice), on both stores.
@Suite("ledgerctl sheet")
struct SheetCommandTests {
    static let python = ExternalTools(["python3"])
    static let libreOffice = ExternalTools(["soffice"])
    static var fixtures: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures") }

    func write(_ text: String, _ name: String, in cli: CLI) throws -> String {
        let path = cli.directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(arguments: StoreKind.allCases)
    func anExportedSheetReadsBackUnchangedAndTwiceWritesNothing(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let before = try await cli.snapshot()
        for item in ["actor", "demand", "commitment"] {
            let sheet = try await cli.ok("sheet", "export", "--kind", item).stdout
            #expect(sheet.hasPrefix("id,"))
            let path = try write(sheet, "\(item).csv", in: cli)
            let result = try await cli.ok("sheet", "import", path, "--kind", item)
            #expect(result.stdout.contains("nothing written"), "\(result.stdout)")
            #expect(!result.stdout.contains("correct"), "\(result.stdout)")
        }
        #expect(try await cli.snapshot() == before)
        // The public sheet leaves internal items out.
        #expect(try await cli.ok("sheet", "export", "--kind", "commitment").stdout.contains("segob-first-session"))
        #expect(!(try await cli.ok("sheet", "export", "--kind", "commitment", "--public").stdout.contains("segob-first-session")))
    }

    @Test(.enabled(if: python.isEnabled, "\(python.skipMessage)"), arguments: StoreKind.allCases)
    func aSpanishSemicolonSheetFromPythonsCSVModuleUpdatesByID(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let sheet = cli.directory.appendingPathComponent("compromisos.csv").path
        let written = try await ExternalTools.run("python3", [Self.fixtures.appendingPathComponent("write_sheet.py").path, sheet])
        try #require(written.status == 0, "\(written.output)")
        let raw = try Data(contentsOf: URL(fileURLWithPath: sheet))
        #expect(raw.prefix(3) == Data([0xEF, 0xBB, 0xBF]))

        let preview = try await cli.ok("sheet", "import", sheet, "--kind", "commitment", "--dry-run")
        #expect(preview.stdout.contains("row 2 segob-arms-registry: new commitment (public, 2023-08-01); status announced → in-progress (claimed) on 2023-08-05, public"),
                "the preview says when each entry happened and who sees it: \(preview.stdout)")
        #expect(preview.stdout.contains("Would write 3 entries"))
        let before = try await cli.snapshot()
        #expect(try await cli.snapshot() == before, "a dry run writes nothing")
        try await cli.ok("sheet", "import", sheet, "--kind", "commitment")
        let shown = try await cli.ok("show", "segob-arms-registry").stdout
        #expect(shown.contains("SEGOB pledged a public registry of seized weapons; \"every one traced\""))
        #expect(shown.contains("in progress"))
        // The formula-looking rationale is kept as the text it is.
        #expect(try await cli.snapshot().contains(#"=HYPERLINK(\"https://evil.example\",\"click\")"#))
        // The same sheet again: nothing.
        let again = try await cli.snapshot()
        #expect(try await cli.ok("sheet", "import", sheet, "--kind", "commitment").stdout.contains("nothing written"))
        #expect(try await cli.snapshot() == again)

        // A changed status and a changed summary: a status change, and a correction with its reason.
        var text = try String(contentsOfFile: sheet, encoding: .utf8)
        text = text.replacingOccurrences(of: "in-progress;claimed", with: "fulfilled;verified").replacingOccurrences(of: "2023-08-05", with: "2023-09-01")
            .replacingOccurrences(of: "CNDH; a report on arms trafficking", with: "CNDH: a report on arms trafficking")
        try text.write(toFile: sheet, atomically: true, encoding: .utf8)
        let noReason = try await cli.run(["sheet", "import", sheet, "--kind", "commitment"])
        #expect(noReason.status == 65)
        #expect(noReason.stderr.contains("row 3, column summary: differs from the ledger"), "\(noReason.stderr)")
        #expect(try await cli.snapshot() == again, "all or nothing: the status change was not written either")
        let changed = try await cli.ok("sheet", "import", sheet, "--kind", "commitment", "--reason", "The colon, as in the CNDH's statement")
        #expect(changed.stdout.contains("row 2 segob-arms-registry: status in-progress → fulfilled (verified) on 2023-09-01, public"), "\(changed.stdout)")
        #expect(changed.stdout.contains("row 3 cndh-arms-report: correct summary of seq"), "\(changed.stdout)")
        #expect(try await cli.ok("sheet", "import", sheet, "--kind", "commitment").stdout.contains("nothing written"))
        #expect(try await cli.ok("verify").status == 0)
        // Exported again, the formula-looking cell is neutralised for spreadsheets.
        let exported = try await cli.ok("sheet", "export", "--kind", "commitment").stdout
        #expect(exported.contains("\"'=HYPERLINK(\"\"https://evil.example\"\",\"\"click\"\")\""), "\(exported)")
    }

    @Test(arguments: StoreKind.allCases)
    func everyBadCellIsNamedByRowAndColumnAndNothingIsWritten(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let before = try await cli.snapshot()
        let rows = """
            id,demands,actor,kind,summary,due,sources,visibility
            good-one,stop-arms-flow,segob,pledge,A good row,2023-12-31,https://example.org/a,public
            bad-date,stop-arms-flow,segob,pledge,A bad date,2023-02-30,https://example.org/b,public
            no-visibility,stop-arms-flow,segob,pledge,No visibility,,https://example.org/c,
            unknown-actor,stop-arms-flow,nobody,pledge,An actor nobody registered,,https://example.org/d,public
            Bad Id,stop-arms-flow,segob,pledge,An id with capitals,,https://example.org/e,public
            """
        let sheet = try write(rows + "\n\"unclosed,stop-arms-flow", "bad.csv", in: cli)
        let result = try await cli.run(["sheet", "import", sheet, "--kind", "commitment"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("row 7: a quoted field is not closed"), "\(result.stderr)")
        let unquoted = try write(rows, "bad2.csv", in: cli)
        let named = try await cli.run(["sheet", "import", unquoted, "--kind", "commitment"])
        #expect(named.status == 65)
        for expected in ["row 3, column due: '2023-02-30' is not a real date", "row 4, column visibility: is empty",
                         "row 5, column actor: no actor 'nobody' in the ledger", "row 6, column id: 'Bad Id' must be lowercase",
                         "5 problems in the sheet; nothing was written"] {
            #expect(named.stderr.contains(expected), "\(expected) in \(named.stderr)")
        }
        let header = try write("id,title,colour\nx,y,z\n", "header.csv", in: cli)
        let badHeader = try await cli.run(["sheet", "import", header, "--kind", "demand"])
        #expect(badHeader.stderr.contains("row 1, column colour: is not a column of a demand sheet"), "\(badHeader.stderr)")
        #expect(try await cli.snapshot() == before)
    }

    @Test(arguments: StoreKind.allCases)
    func awkwardTextComesBackExactlyAndAnUneditedSheetWritesNothing(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let titles = ["   Three leading spaces", "\u{00A0}A no-break space first", "\u{3000}An ideographic space first", "\u{200B}A zero-width space first",
                      "'A genuine leading apostrophe", "'=An apostrophe before an equals sign", "Trailing spaces   ", "=SUM(1,2) as plain text"]
        let lines = titles.enumerated().map { index, title in
            let escaped = title.replacingOccurrences(of: "\"", with: "\\\"")
            return #"{"type":"demand.recorded","subject":"awkward-\#(index)","effective":"2023-08-01","payload":{"title":"\#(escaped)","by":["pmpj"]}}"#
        }
        try await cli.ok("append", "-", stdin: lines.joined(separator: "\n"))
        let before = try await cli.snapshot()
        let sheet = try await cli.ok("sheet", "export", "--kind", "demand").stdout
        let path = try write(sheet, "demands.csv", in: cli)
        let again = try await cli.ok("sheet", "import", path, "--kind", "demand")
        #expect(again.stdout.contains("nothing written") && !again.stdout.contains("correct"), "\(again.stdout)")
        #expect(try await cli.snapshot() == before)
        // Each title, as the sheet holds it and read back, is the title stored.
        let table = try CSV.parse(sheet).rows
        let titleColumn = try #require(table.first?.firstIndex(of: "title"))
        for (index, title) in titles.enumerated() {
            let cells = try #require(table.first { $0.first == "awkward-\(index)" })
            #expect(CSV.restored(cells[titleColumn]) == title, "\(title.debugDescription) came back as \(cells[titleColumn].debugDescription)")
        }
        #expect(CSV.neutralised("'=x") == "''=x" && CSV.restored("''=x") == "'=x", "the apostrophe a text starts with is kept")
    }

    @Test(arguments: StoreKind.allCases)
    func aStatusChangeFromASheetSaysWhenItHappened(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let before = try await cli.snapshot()
        let header = "id,demands,actor,kind,summary,sources,effective,visibility,status,basis,rationale,status_sources"
        let row = "segob-arms-registry,stop-arms-flow,segob,pledge,A registry,https://example.org/a,2023-08-01,public,in-progress,claimed,SEGOB said so,https://example.org/b"
        let undated = try await cli.run(["sheet", "import", try write(header + "\n" + row + "\n", "undated.csv", in: cli), "--kind", "commitment"])
        #expect(undated.status == 65)
        #expect(undated.stderr.contains("row 2, column status_effective: is required with a new status"), "\(undated.stderr)")
        #expect(try await cli.snapshot() == before, "today's date was not recorded in its place")
        // In Spanish, the column is "fecha del estado"; the day given is the day recorded.
        let spanish = "id,demandas,compromiso de,tipo,resumen,fuentes,fecha,visibilidad,estado,base,justificación,fuentes del estado,fecha del estado"
        let dated = try write(spanish + "\n" + row + ",2023-08-05\n", "dated.csv", in: cli)
        let preview = try await cli.ok("sheet", "import", dated, "--kind", "commitment", "--dry-run")
        #expect(preview.stdout.contains("status announced → in-progress (claimed) on 2023-08-05, public"), "\(preview.stdout)")
        try await cli.ok("sheet", "import", dated, "--kind", "commitment")
        let exported = try await cli.ok("export").stdout.split(separator: "\n").last.map(String.init) ?? ""
        #expect(exported.contains(#""type":"status.changed""#) && exported.contains(#""effective":"2023-08-05""#), "\(exported)")
        // Exported again, the sheet carries the day, and reads back writing nothing.
        let sheet = try await cli.ok("sheet", "export", "--kind", "commitment").stdout
        #expect(sheet.split(separator: "\r\n").first?.hasSuffix(",status_effective") == true)
        #expect(try await cli.ok("sheet", "import", try write(sheet, "again.csv", in: cli), "--kind", "commitment").stdout.contains("nothing written"))
    }

    @Test func thousandsOfBadCellsAreAnsweredWithTheFirstHundredAndACount() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let rows = (0..<5_000).map { "Bad Id \($0),A title,pmpj,,,2023-08-01,public" }
        let sheet = try write("id,title,by,targets,sources,effective,visibility\n" + rows.joined(separator: "\n"), "bad.csv", in: cli)
        let result = try await cli.run(["sheet", "import", sheet, "--kind", "demand"])
        #expect(result.status == 65)
        #expect(result.stderr.contains("5000 problems in the sheet; nothing was written"), "\(result.stderr.suffix(300))")
        #expect(result.stderr.contains("and 4900 more"))
        #expect(result.stderr.split(separator: "\n").count < 110, "the first hundred, a count, and the error: \(result.stderr.count) bytes")
    }

    @Test(.enabled(if: libreOffice.isEnabled, "\(libreOffice.skipMessage)"))
    func aSheetSavedByLibreOfficeImports() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        // A spreadsheet as LibreOffice keeps it (flat OpenDocument), with Spanish headers, a
        // cell with a line break and a formula, converted to CSV by LibreOffice itself.
        let cells: [[String]] = [
            ["id", "título", "título en español", "presentada por", "dirigida a", "fuentes", "fecha", "visibilidad"],
            ["ban-assault-weapons", "Ban the sale of assault weapons", "Prohibir la venta de armas de asalto", "pmpj", "gov-us",
             "https://example.org/ban\nhttps://example.org/prohibir", "2023-09-01", "public"],
        ]
        func cell(_ text: String) -> String {
            let paragraphs = text.split(separator: "\n", omittingEmptySubsequences: false).map {
                "<text:p>\($0.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;"))</text:p>"
            }
            return "<table:table-cell office:value-type=\"string\">\(paragraphs.joined())</table:table-cell>"
        }
        let rows = cells.map { "<table:table-row>\($0.map(cell).joined())</table:table-row>" }.joined()
            + "<table:table-row><table:table-cell table:formula=\"of:=LOWER(&quot;FORMULA-ROW&quot;)\" office:value-type=\"string\" office:string-value=\"formula-row\"><text:p>formula-row</text:p></table:table-cell></table:table-row>"
        let document = """
            <?xml version="1.0" encoding="UTF-8"?>
            <office:document xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0"
              xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" xmlns:of="urn:oasis:names:tc:opendocument:xmlns:of:1.2" office:version="1.2" office:mimetype="application/vnd.oasis.opendocument.spreadsheet">
            <office:body><office:spreadsheet><table:table table:name="demandas">\(rows)</table:table></office:spreadsheet></office:body></office:document>
            """
        let source = try write(document, "demandas.fods", in: cli)
        let outDirectory = cli.directory.appendingPathComponent("converted")
        let converted = try await ExternalTools.run("soffice", ["--headless", "--convert-to", "csv:Text - txt - csv (StarCalc):59,34,76,1", "--outdir", outDirectory.path, source],
                                              environment: ["HOME": cli.directory.path])
        try #require(converted.status == 0, "\(converted.output)")
        let csv = outDirectory.appendingPathComponent("demandas.csv").path
        let text = try String(contentsOfFile: csv, encoding: .utf8)
        #expect(text.contains(";"), "\(text)")
        // The formula's row (a computed id, nothing else): refused by name, nothing written.
        let before = try await cli.snapshot()
        let refused = try await cli.run(["sheet", "import", csv, "--kind", "demand"])
        #expect(refused.status == 65)
        #expect(refused.stderr.contains("row 3, column visibility"), "\(refused.stderr)")
        #expect(try await cli.snapshot() == before)
        // Without that row, the sheet imports, and again writes nothing.
        #expect(text.contains("\"formula-row\""), "LibreOffice wrote the formula's value: \(text)")
        let lines = text.components(separatedBy: "\n").filter { !$0.contains("formula-row") }
        try lines.joined(separator: "\n").write(toFile: csv, atomically: true, encoding: .utf8)
        try await cli.ok("sheet", "import", csv, "--kind", "demand")
        let shown = try await cli.ok("show", "ban-assault-weapons").stdout
        #expect(shown.contains("Ban the sale of assault weapons"))
        #expect(shown.contains("https://example.org/prohibir"))
        #expect(try await cli.ok("sheet", "import", csv, "--kind", "demand").stdout.contains("nothing written"))
    }
}
