import ArgumentParser
import Foundation
import Ledger
import Reports
import Sheets

extension SubjectKind: ExpressibleByArgument {}

struct SheetCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sheet",
        abstract: "Keep the ledger and a spreadsheet (CSV) of actors, demands or commitments in step.",
        discussion: """
            A sheet has one row per item and a header naming its columns: the JSON field names \
            (id, title, title_es, summary, …, effective, visibility; for commitments also status, \
            basis, rationale, rationale_es, status_sources) or their Spanish labels. Lists (ids, \
            links) go one per line, or separated by spaces, in a cell. Comma- or semicolon-separated, \
            with or without a byte-order mark, as spreadsheets save them.
            """,
        subcommands: [Import.self, Export.self])

    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the difference between a sheet and the ledger as new entries, all or nothing.",
            discussion: """
                The sheet says how things stand; the import writes only what differs: a row with a \
                new id records the item (visibility is then required), a commitment whose status or \
                basis differs gets a status change (basis, rationale, status_sources and status_effective, \
                the day it changed, required), a \
                changed field gets a correction (give --reason), an unchanged row writes nothing. \
                Importing the same sheet twice writes nothing the second time. Every problem is listed \
                by row and column and nothing is written; --dry-run lists what would be written.
                """)

        @OptionGroup var options: LedgerOptions
        @Argument(help: "The CSV file, or - for standard input.") var file: String
        @Option(help: "What the rows are: actor, demand or commitment.") var kind: SubjectKind
        @Option(help: "Why fields are corrected, when a row changes an item's fields.") var reason: String?
        @Flag(name: .customLong("dry-run"), help: "Show what would be written, write nothing.") var dryRun = false

        func run() async throws {
            let text = try readInput(file)
            try await options.withLedger(.write) { ledger in
                let plan = SheetPlan(csv: text, kind: kind, records: try await ledger.records(), author: options.authorName, reason: reason)
                if !plan.problems.isEmpty {
                    for problem in plan.problems { FileHandle.standardError.write(Data("\(file): \(problem)\n".utf8)) }
                    let unshown = plan.problemCount - plan.problems.count
                    if unshown > 0 { FileHandle.standardError.write(Data("\(file): and \(unshown) more (the first \(plan.problems.count) are above)\n".utf8)) }
                    throw LedgerError(field: "FILE", "\(plan.problemCount) problem\(plan.problemCount == 1 ? "" : "s") in the sheet; nothing was written")
                }
                for row in plan.rows {
                    printLine("row \(row.row) \(PlainText.oneLine(row.id)): " + (row.changes.isEmpty ? "unchanged" : row.changes.joined(separator: "; ")))
                }
                if dryRun {
                    printLine("Would write \(plan.drafts.count) entr\(plan.drafts.count == 1 ? "y" : "ies"); nothing written (--dry-run).")
                    return
                }
                let result = try await ledger.append(plan.drafts)
                printLine(plan.drafts.isEmpty ? "The ledger already says what the sheet says; nothing written."
                          : "Wrote \(result.added) entr\(result.added == 1 ? "y" : "ies") (seq \(result.entries.first!.seq)-\(result.entries.last!.seq)).")
            }
        }
    }

    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the current state as a sheet that `sheet import` reads back unchanged.",
            discussion: "Cells a spreadsheet would run as a formula (starting with = + - @) are kept as text with a leading apostrophe.")

        @OptionGroup var options: LedgerOptions
        @Option(help: "What the rows are: actor, demand or commitment.") var kind: SubjectKind
        @Option(name: .customLong("as-of"), help: "The state on this day (YYYY-MM-DD; default today).") var asOf: String?
        @Flag(name: .long, help: "Public entries only, as the public sees them.") var `public` = false
        @Option(help: "Write to this file instead of standard output.") var output: String?

        func run() async throws {
            let day = try asOf.map { try parseDay($0, flag: "--as-of") } ?? .today()
            let csv = try await options.withLedger { ledger in
                let records = try await ledger.records(audience: `public` ? .public : .internal)
                return SheetExport.csv(kind: kind, state: LedgerState(records: records, asOf: day), records: records)
            }
            if let output {
                guard FileManager.default.createFile(atPath: output, contents: Data(csv.utf8)) else {
                    throw LedgerError(kind: .storage, field: "--output", "cannot write \(output)")
                }
            } else {
                FileHandle.standardOutput.write(Data(csv.utf8))
            }
        }
    }
}
