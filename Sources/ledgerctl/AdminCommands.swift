import ArgumentParser
import Foundation
import Ledger
import LedgerStores
import Reports

struct Init: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Create the ledger if it does not exist and bring its schema up to date (safe to repeat).")

    @OptionGroup var options: LedgerOptions

    func run() async throws {
        try await options.withLedger(.create) { ledger in
            let head = try await ledger.store.head()
            printLine("Ledger ready at \(ledger.store.displayName): \(head.seq) entries.")
        }
    }
}

struct Demo: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load the sample ledger (the People's Movement for Peace and Justice, 2023) and show its status.",
        discussion: "Creates the ledger if needed. Safe to repeat: entries already loaded are not added again.")

    @OptionGroup var options: LedgerOptions

    func run() async throws {
        try await options.withLedger(.create) { ledger in
            let result = try await ledger.append(DemoLedger.drafts)
            if result.added == 0 {
                printLine("The sample ledger is already in \(ledger.store.displayName); nothing added.\n")
            } else {
                printLine("Loaded the sample ledger into \(ledger.store.displayName): \(result.added) entries added.\n")
            }
            let state = try await ledger.state(asOf: .today())
            printLine(StatusOverview(state: state).text())
            printLine("""
                Entries marked [internal] are illustrative, not from the public record; they show
                due dates, overdue commitments and claimed vs verified ratings.

                Try next:
                  ledgerctl show justice-juarez-fire          a demand, its commitments and timeline
                  ledgerctl show cndh-rec-juarez              claimed vs verified ratings
                  ledgerctl status --as-of 2023-07-31         the world as of the end of July 2023
                  ledgerctl status --public                   what the public sees
                  ledgerctl log --limit 5                     the latest entries
                  ledgerctl verify                            check the hash chain
                  ledgerctl report monthly 2023-07 --output july-2023.html
                                                              July 2023's report; print it to PDF
                  ledgerctl report monthly 2023-07 --lang es --format text
                                                              the same, in Spanish, for an email
                  ledgerctl serve                             the public status page and feeds on
                                                              http://127.0.0.1:8080/
                  ledgerctl user add you --role admin         a link to the team workspace, where the
                                                              policy team logs and reviews in the browser
                  ledgerctl --help                            every command
                """)
        }
    }
}

struct Append: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Append entries from JSON Lines: all are validated first, then written atomically.",
        discussion: """
            One JSON object per line: {"type": ..., "subject": ..., "effective": ..., "payload": {...}} \
            with optional "id" (a UUID: retrying the same id never writes twice), "visibility" \
            (public or internal), "author" and "schema". docs/json-and-api.md lists every type's payload fields.
            """)

    @OptionGroup var options: LedgerOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var progress: ProgressOptions
    @Argument(help: "The file to read, or - for standard input.") var file: String

    func run() async throws {
        let text = try readInput(file)
        let batch = try DraftBatch(jsonLines: text, defaultAuthor: options.authorName, source: "FILE")
        let drafts = batch.drafts
        // One atomic batch: how many, while it is checked and written.
        let line = drafts.count >= 1_000 ? progress.line("Checking and writing") : nil
        line?.update(0, of: Int64(drafts.count))
        let result = try await options.withLedger(.write) { try await $0.append(drafts, labels: batch.labels) }
        line?.update(Int64(drafts.count), of: Int64(drafts.count))
        line?.finish()
        if output.json {
            printLine(try ReportJSON.encode(AppendReceipt(result)))
        } else {
            let added = Array(Set(result.entries.map(\.seq))).sorted().suffix(result.added)
            let range = added.isEmpty ? "" : added.count == 1 ? " (seq \(added.first!))" : " (seq \(added.first!)-\(added.last!))"
            printLine("Appended \(result.added) entr\(result.added == 1 ? "y" : "ies")\(range); \(drafts.count - result.added) already present.")
        }
    }
}

struct Export: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write every entry, with its hashes, as JSON Lines (one canonical JSON object per line).")

    @OptionGroup var options: LedgerOptions
    @OptionGroup var progress: ProgressOptions
    @Option(help: "Write to this file instead of standard output (replaced only when the export is complete).") var output: String?

    func run() async throws {
        try await options.withLedger { ledger in
            let line = progress.line("Exporting")
            let total = try await ledger.store.head().seq
            defer { line?.finish() }
            guard let output else {
                var count: Int64 = 0
                try await ledger.export { text in
                    printLine(text)
                    count += 1
                    if count % 1_024 == 0 || count == total { line?.update(count, of: total) }
                }
                return
            }
            let temporary = output + ".partial"
            guard FileManager.default.createFile(atPath: temporary, contents: nil), let handle = FileHandle(forWritingAtPath: temporary) else {
                throw LedgerError(kind: .storage, field: "--output", "cannot write \(output)")
            }
            var count = 0
            do {
                try await ledger.export { text in
                    try handle.write(contentsOf: Data((text + "\n").utf8))
                    count += 1
                    if count % 1_024 == 0 || count == total { line?.update(Int64(count), of: total) }
                }
                try handle.close()
                _ = try? FileManager.default.removeItem(atPath: output)
                try FileManager.default.moveItem(atPath: temporary, toPath: output)
            } catch {
                try? FileManager.default.removeItem(atPath: temporary)
                throw error
            }
            FileHandle.standardError.write(Data("Exported \(count) entries to \(output).\n".utf8))
        }
    }
}

struct Import: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Import exported JSON Lines into an empty ledger, or one they continue exactly.",
        discussion: "Every hash and link is checked first; the import is all-or-nothing.")

    @OptionGroup var options: LedgerOptions
    @OptionGroup var progress: ProgressOptions
    @Argument(help: "The file to read, or - for standard input.") var file: String

    func run() async throws {
        let source: LineBatches
        if file == "-" {
            source = LineBatches(handle: .standardInput, name: "standard input")
        } else {
            guard let handle = FileHandle(forReadingAtPath: file) else {
                throw LedgerError(kind: .notFound, field: "FILE", "cannot read \(file)")
            }
            source = LineBatches(handle: handle, name: file)
        }
        let location = try options.location
        // A failed import into a new file must not leave an empty ledger behind.
        var createdPath: String?
        if case .sqlite(let path) = location, !FileManager.default.fileExists(atPath: path) { createdPath = path }
        try await options.withLedger(.create) { ledger in
            let count: Int
            let line = progress.line("Checking")
            do {
                let report: (@Sendable (Int64, Int64?) -> Void)? = line.map { line in { @Sendable done, total in line.update(done, of: total) } }
                count = try await ledger.importLines(from: source, progress: report)
                line?.finish()
            } catch {
                line?.finish()
                if let createdPath {
                    for suffix in ["", "-wal", "-shm"] { try? FileManager.default.removeItem(atPath: createdPath + suffix) }
                }
                throw error
            }
            let head = try await ledger.store.head()
            printLine("Imported \(count) entries; head seq \(head.seq), hash \(head.hash).")
        }
    }
}

struct SnapshotCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "snapshot",
        abstract: "Keep the fold of the chain in the database, so that reads fold only what is newer.",
        discussion: """
            Every read (status, show, log, reports, the server's pages) folds the chain into the world it describes. \
            A snapshot keeps that fold at the head, the team's view and the public's; the next read loads it and folds \
            only the entries written since. Each view is kept twice: in full, which the server's pages read; and its \
            counts (every actor, demand, commitment, rating, correction and retraction, without the text of ratings, \
            and follow-ups only counted by subject and date), which status, show, log and the monthly report read, \
            taking from the chain whole only the entries they show. A snapshot is used only while the \
            chain still holds the entry it was built up to, with the same hash; otherwise it is ignored and the chain folded from seq 1. It is a cache, never \
            evidence: deleting it changes nothing but speed. `verify` checks that each is the fold of the chain it \
            claims to be (reads trust it); --rebuild replaces one that is not.

            `ledgerctl serve` keeps the snapshots current on its own. Run this after a large import, or from a nightly job \
            on a ledger only the command line writes to.
            """)

    @OptionGroup var options: LedgerOptions
    @OptionGroup var progress: ProgressOptions
    @Flag(help: "Fold from seq 1, ignoring the snapshots kept (to replace one `verify` found wrong).") var rebuild = false

    func run() async throws {
        try await options.withLedger(.write) { ledger in
            let started = Date()
            let head = try await ledger.store.head().seq
            let lines = (team: progress.line("Folding the team's view"), public: progress.line("Folding the public view"))
            let saved: [Ledger.SnapshotSaving]
            defer { lines.team?.finish(); lines.public?.finish() }  // on failure; finished before the answer otherwise
            saved = try await ledger.saveSnapshots(fromChain: rebuild, progress: progress.isShown ? { @Sendable audience, seq in
                if audience == .internal {
                    lines.team?.update(seq, of: head)
                } else {
                    lines.team?.finish()
                    lines.public?.update(seq, of: head)
                }
            } : nil)
            lines.team?.finish()
            lines.public?.finish()
            guard let seq = saved.first?.seq else {
                printLine("The ledger is empty: there is nothing to keep yet.")
                return
            }
            let sizes = saved.map {
                "\($0.audience == .public ? "public view" : "team's view")\($0.detail == .full ? "" : " (\($0.detail.rawValue))") \(Self.megabytes($0.bytes))"
            }
            printLine("Kept the snapshots at seq \(seq) (\(sizes.joined(separator: ", "))) in \(String(format: "%.1f", Date().timeIntervalSince(started))) s.")
        }
    }

    static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_000_000) }
}
