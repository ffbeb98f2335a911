import ArgumentParser
import Foundation
import Ledger
import Reports
import Transparency

struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report", abstract: "Render status reports.", subcommands: [Monthly.self])

    struct Monthly: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Render the status report for a month: HTML (prints to PDF), Markdown, plain text or JSON.",
            discussion: """
                The report shows the world as of the month's last day: nothing dated later appears. \
                It names the ledger head it was built from; the same ledger, head (--known-at) and \
                options always give the same bytes. Examples:
                  ledgerctl report monthly 2023-07 --output july.html
                  ledgerctl report monthly 2023-07 --lang es --format text
                  ledgerctl report monthly 2023-07 --audience internal --format md
                """)

        @OptionGroup var options: LedgerOptions
        @Argument(help: ArgumentHelp("The month, YYYY-MM.", valueName: "month")) var month: String
        @Option(help: "The output format (md is Markdown).") var format: ReportFormat = .html
        @Option(help: "The report's language.") var lang: ReportLanguage = .en
        @Option(help: "public (internal entries leave no trace) or internal (everything, internal items marked).")
        var audience: Visibility = .public
        @Option(help: "Paper size for printing the HTML.") var paper: PaperSize = .a4
        @Option(name: .customLong("known-at"), help: ArgumentHelp(
            "Build from the ledger as it ended at this seq (default: the head), to rebuild an earlier report.", valueName: "seq"))
        var knownAt: Int64?
        @Option(help: ArgumentHelp("The organisation named on the report (default: the ledger's coalition).", valueName: "name"))
        var organisation: String?
        @Option(help: ArgumentHelp("Write to this file instead of standard output.", valueName: "file")) var output: String?
        @OptionGroup var templates: TemplateOptions
        @OptionGroup var signingKey: SigningKeyOptions

        func validate() throws {
            if let knownAt, knownAt < 0 { throw ValidationError("--known-at: must be a seq, 0 or more") }
            if let organisation, organisation.trimmingCharacters(in: .whitespaces).isEmpty {
                throw ValidationError("--organisation: is empty")
            }
        }

        func run() async throws {
            let templates = try templates.load()
            guard let month = ReportMonth(month) else { throw LedgerError(field: "MONTH", "'\(month)' is not a month (YYYY-MM)") }
            let language = lang
            let signer = try signingKey.load()
            let report = try await options.withLedger(signer == nil ? .read : .write) { ledger in
                let counts = try await ledger.records(knownAt: knownAt, audience: audience, detail: .counts)
                if let knownAt, knownAt > counts.head.seq {
                    throw LedgerError(field: "--known-at", "is \(knownAt), but the ledger ends at seq \(counts.head.seq)")
                }
                // The counts of everything, and what the report describes read whole.
                let described = MonthlyReport.describedSeqs(state: LedgerState(records: counts, asOf: month.lastDay),
                                                            counts: counts.followupCounts, month: month)
                let records = try await ledger.withText(consume counts, ofSeqs: described)
                var report = MonthlyReport(state: LedgerState(records: records, asOf: month.lastDay), month: month,
                                           language: language, organisation: organisation)
                report.checkpoint = try await reportCheckpoint(ledger, size: knownAt ?? records.head.seq, signer: signer)
                return report
            }
            let rendered = try report.render(format, paper: paper, templates: templates)
            if report.checkpoint?.signed == false {
                FileHandle.standardError.write(Data("ledgerctl: warning: no signed checkpoint covers exactly these \(report.checkpoint!.size) entries; give --signing-key to sign one, so readers can check this report later\n".utf8))
            }
            guard let output else {
                FileHandle.standardOutput.write(Data(rendered.utf8))
                return
            }
            do {
                try Data(rendered.utf8).write(to: URL(fileURLWithPath: output), options: .atomic)
            } catch {
                throw LedgerError(kind: .storage, field: "--output", "cannot write \(output): \(error.localizedDescription)")
            }
            FileHandle.standardError.write(Data("Wrote the \(month) report (\(format.rawValue), \(language.rawValue), \(audience.rawValue)) to \(output).\n".utf8))
        }
    }
}

/// The checkpoint a report built from the first `size` entries carries: the one signed of
/// exactly that size, signing it now (after verifying the chain) when a key is given; the
/// unsigned root when the ledger has checkpoints but none of that size; nil for a ledger
/// that has never been signed.
func reportCheckpoint(_ ledger: Ledger, size: Int64, signer: SignedNote.Signer?) async throws -> ReportCheckpoint? {
    var stored = try await ledger.store.checkpoint(ofSize: size)
    if stored == nil, let signer {
        let verification = try await ledger.verify()
        guard verification.isIntact else {
            throw LedgerError(kind: .integrity, "nothing signed: the chain is broken at seq \(verification.firstBadSeq ?? 0): \(verification.problem ?? "")")
        }
        stored = try await ledger.signCheckpoint(with: signer, size: size).checkpoint
    }
    if let stored { return ReportCheckpoint(stored) }
    guard try await ledger.store.latestCheckpoint() != nil else { return nil }
    let root = try await ledger.withMerkleTree { try $0.root(size: size) }
    return ReportCheckpoint(origin: nil, size: size, root: root.base64, note: nil)
}
