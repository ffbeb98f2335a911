import ArgumentParser
import Foundation
import Ledger
import RemoteVerifier
import Reports
import Transparency

/// `--as-of` and `--known-at`: which world and which ledger a read describes.
struct TimeOptions: ParsableArguments {
    @Option(name: .customLong("as-of"), help: ArgumentHelp(
        "Show the world as of this date (YYYY-MM-DD; default today): nothing dated later counts.", valueName: "date"))
    var asOf: String?

    @Option(name: .customLong("known-at"), help: ArgumentHelp(
        "Show what the ledger said when it ended at this seq: later entries, corrections included, are ignored.", valueName: "seq"))
    var knownAt: Int64?

    @Flag(name: .customLong("public"), help: "Show only what the public sees: internal entries leave no trace.")
    var publicOnly = false

    func day() throws -> CalendarDay { try asOf.map { try parseDay($0, flag: "--as-of") } ?? .today() }

    func records(_ ledger: Ledger, detail: LedgerRecords.Detail = .full) async throws -> LedgerRecords {
        if let knownAt, knownAt < 0 { throw LedgerError(field: "--known-at", "must be a seq, 0 or more") }
        return try await ledger.records(knownAt: knownAt, audience: publicOnly ? .public : .internal, detail: detail)
    }
}

struct Status: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show every demand and commitment with its status; overdue commitments are marked.",
        discussion: """
            A demand's status is derived from its commitments: no-response, committed, partially-met, \
            met (only when the coalition verified the commitments fulfilled) or unmet (all broken or withdrawn).
            """)

    @OptionGroup var options: LedgerOptions
    @OptionGroup var output: OutputOptions
    @OptionGroup var time: TimeOptions

    func run() async throws {
        try await options.withLedger { ledger in
            _ = try await warnAboutGuards(ledger)
            // The overview shows no note or rationale, and of follow-ups only how many.
            let state = LedgerState(records: try await time.records(ledger, detail: .counts), asOf: try time.day())
            let overview = StatusOverview(state: state)
            printLine(output.json ? try overview.jsonText() : "Ledger: \(ledger.store.displayName)\n" + overview.text())
        }
    }
}

struct Show: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Show one actor, demand or commitment with its full timeline.")

    @OptionGroup var options: LedgerOptions
    @OptionGroup var output: OutputOptions
    @Argument(help: "The id of the actor, demand or commitment.") var id: String
    @OptionGroup var time: TimeOptions

    func run() async throws {
        try await options.withLedger { ledger in
            // The counts of everything, and this subject's entries whole.
            let records = try await ledger.withText(try await time.records(ledger, detail: .counts), about: [id])
            let state = LedgerState(records: records, asOf: try time.day())
            guard let detail = SubjectDetail(id: id, state: state, records: records) else {
                if let seq = records.definitions[id], let retraction = records.record(seq: seq)?.retractedBy {
                    throw LedgerError(kind: .notFound, field: "ID", "'\(id)' was retracted at seq \(retraction); `ledgerctl log --subject \(id)` shows its entries")
                }
                throw LedgerError(kind: .notFound, field: "ID", "nothing with id '\(PlainText.oneLine(id))' in the ledger as of \(state.asOf)")
            }
            printLine(output.json ? try detail.jsonText() : detail.text(state: state))
        }
    }
}

struct Log: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List ledger entries, newest first.")

    @OptionGroup var options: LedgerOptions
    @OptionGroup var output: OutputOptions
    @Option(help: ArgumentHelp("Only entries dated on or after this date (YYYY-MM-DD).", valueName: "date")) var since: String?
    @Option(help: ArgumentHelp("Only entries about this demand, commitment or actor.", valueName: "id")) var subject: String?
    @Option(help: "At most this many entries.") var limit: Int = 50
    @Flag(name: .customLong("public"), help: "Only public entries.") var publicOnly = false

    func validate() throws {
        if limit < 1 { throw ValidationError("--limit: must be 1 or more") }
    }

    func run() async throws {
        let since = try since.map { try parseDay($0, flag: "--since") }
        try await options.withLedger { ledger in
            // Chosen from the counts of the chain; only the entries listed are read whole.
            let counts = try await ledger.records(audience: publicOnly ? .public : .internal, detail: .counts)
            func matches(_ about: String, _ effective: EffectiveTime) -> Bool {
                (since.map { effective.day >= $0 } ?? true) && (subject.map { about == $0 } ?? true)
            }
            // Lazily: the newest `limit` that match of the records and of the follow-ups, not a copy of every match.
            let newestRecords = counts.records.reversed().lazy.filter { matches($0.subject, $0.effective) }.prefix(limit).map(\.seq)
            let chosen = (Array(newestRecords) + counts.followupCounts.newest(limit, where: matches)).sorted(by: >).prefix(limit)
            let records = try await ledger.withText(consume counts, ofSeqs: chosen)
            let selected = chosen.compactMap { records.record(seq: $0) }
            // Names and titles as of the head, for the sentences.
            let state = LedgerState(records: records, asOf: .today())
            if output.json {
                printLine(try ReportJSON.encode(selected.map { RecordJSON($0, in: state) }))
            } else if selected.isEmpty {
                printLine("No entries match.")
            } else {
                printLine(selected.map { "\(EntryDescription.line(for: $0, in: state))\n" + String(repeating: " ", count: 22) + "subject \($0.subject), by \(PlainText.oneLine($0.author)), recorded \($0.recordedAt)" }.joined(separator: "\n"))
            }
        }
    }
}

struct Verify: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check the hash chain and every signed checkpoint: exit 0 if intact, 1 naming the first bad seq.",
        discussion: """
            Without options, checks the ledger in --database: every entry's hash and link from \
            seq 1, then that the chain still hashes to the root of every checkpoint ever signed \
            (so a rewrite with recomputed hashes, or deleted entries, is caught). Then, when the \
            database keeps snapshots of the fold (`ledgerctl snapshot`), that each is the fold of \
            the chain it claims to be: reads trust them (--skip-snapshots skips this; it folds \
            the chain once per view, the team's and the public's).

            From outside, with only the log's published verifier key (--key):
              --remote URL     a server's signed checkpoint, tiles and public entries; the \
            checkpoint must extend the last one this command accepted from that log (kept in \
            --state, by default under ~/.local/state/ledgerctl/).
              --receipt FILE   a receipt from `ledgerctl receipt` or /log/receipt/SEQ, offline; \
            with --entry ENTRY.json (one exported entry), that the entry is the one it proves.
              --since-report FILE --remote URL   the checkpoint printed in a report (any \
            format) is still contained in the log served today.
            """)

    @OptionGroup var options: LedgerOptions
    @OptionGroup var progress: ProgressOptions
    @OptionGroup var output: OutputOptions
    @Option(help: ArgumentHelp("The log's verifier key (as `ledgerctl key generate` printed it), or a file holding it.", valueName: "key"))
    var key: String?
    @Option(help: ArgumentHelp("Check a served ledger from outside: the address `ledgerctl serve` answers on.", valueName: "url"))
    var remote: String?
    @Option(help: ArgumentHelp("With --remote: where the last accepted checkpoint is kept.", valueName: "file"))
    var state: String?
    @Option(help: ArgumentHelp("Check a receipt (C2SP tlog-proof) offline.", valueName: "file"))
    var receipt: String?
    @Option(help: ArgumentHelp("With --receipt: the entry it is for, as `ledgerctl export` writes it (one line).", valueName: "file"))
    var entry: String?
    @Option(name: .customLong("since-report"), help: ArgumentHelp("With --remote: a report (HTML, Markdown, text or JSON) whose signed checkpoint the log must still contain.", valueName: "file"))
    var sinceReport: String?
    @Flag(name: .customLong("skip-snapshots"), help: "Check the chain only, not the stored snapshots of the fold.")
    var skipSnapshots = false

    func validate() throws {
        if remote != nil && receipt != nil { throw ValidationError("give --remote or --receipt, not both") }
        if (remote != nil || receipt != nil) && key == nil { throw ValidationError("--key is required with --remote and --receipt: the log's published verifier key") }
        if entry != nil && receipt == nil { throw ValidationError("--entry goes with --receipt") }
        if state != nil && remote == nil { throw ValidationError("--state goes with --remote") }
        if sinceReport != nil && remote == nil { throw ValidationError("--since-report needs --remote: the log to check the report against") }
        if sinceReport != nil && state != nil { throw ValidationError("--since-report checks against the report, not --state") }
    }

    func run() async throws {
        let verifier = try key.map(verifierKey)
        if let receipt, let verifier {
            printLine(try checkReceipt(path: receipt, verifier: verifier, entryPath: entry))
            return
        }
        if let remote, let verifier {
            try await verifyRemote(remote, verifier: verifier)
            return
        }
        let verification = try await options.withLedger { ledger in
            let line = progress.line("Verifying")
            let total = try await ledger.store.head().seq
            let report: (@Sendable (Int64) -> Void)? = line.map { line in { @Sendable done in line.update(done, of: total) } }
            var verification = try await ledger.verify(verifier: verifier, progress: report)
            line?.finish()
            verification.guardProblems = try await warnAboutGuards(ledger)
            if verification.isIntact && !skipSnapshots {
                let lines = (team: progress.line("Checking the team's snapshot"), public: progress.line("Checking the public snapshot"))
                defer { lines.team?.finish(); lines.public?.finish() }
                verification.snapshotProblems = try await ledger.snapshotProblems(progress: progress.isShown ? { @Sendable audience, seq in
                    if audience == .internal { lines.team?.update(seq, of: total) } else { lines.team?.finish(); lines.public?.update(seq, of: total) }
                } : nil)
            }
            return verification
        }
        for problem in verification.snapshotProblems {
            FileHandle.standardError.write(Data("ledgerctl: \(problem)\n".utf8))
        }
        if output.json {
            printLine(try ReportJSON.encode(verification))
        } else if verification.isIntact {
            printLine("Chain intact: \(verification.entries) entries; head seq \(verification.head.seq), hash \(verification.head.hash).")
            if verification.checkpointsChecked > 0 {
                printLine("It still hashes to every signed checkpoint (\(verification.checkpointsChecked); the largest covers \(verification.signedSize) entries)"
                          + (verifier == nil ? ", each signature checked with the key stored beside it; give --key to check them against the published key." : ", each signed by \(verifier!.name)."))
            } else {
                printLine("No checkpoint is signed yet: someone able to write to the database could rewrite it unnoticed. Sign one with `ledgerctl checkpoint --signing-key FILE`.")
            }
        } else {
            FileHandle.standardError.write(Data("ledgerctl: chain broken at seq \(verification.firstBadSeq ?? 0): \(verification.problem ?? "")\n".utf8))
            let intact = verification.head.seq == 0 ? "No entry before it can be trusted." : verification.head.seq == 1 ? "Entry 1 is intact." : "Entries 1-\(verification.head.seq) are intact."
            printLine("Chain BROKEN at seq \(verification.firstBadSeq ?? 0): \(verification.problem ?? ""). \(intact)")
        }
        if !verification.isIntact || !verification.snapshotProblems.isEmpty { throw ExitCode(1) }
    }

    func verifyRemote(_ address: String, verifier: SignedNote.Verifier) async throws {
        guard var base = URL(string: address), let scheme = base.scheme, ["http", "https"].contains(scheme), base.host != nil else {
            throw LedgerError(field: "--remote", "is not an http:// or https:// address: \(address)")
        }
        if !base.absoluteString.hasSuffix("/") { base = URL(string: base.absoluteString + "/")! }
        var checker = RemoteVerification(base: base, verifier: verifier)
        let line = progress.line("Checking \(base.host ?? "the log")")
        if let line { checker.pageChecked = { line.advance($0, of: $1) } }
        defer { line?.finish() }
        if let sinceReport {
            let note = ReportCheckpoint.signedNote(inReport: try readInput(sinceReport))
            guard let note else { throw LedgerError(field: "--since-report", "\(sinceReport) carries no signed checkpoint (none of its size was signed when it was built)") }
            let printed: Checkpoint
            do { printed = try Checkpoint(signedNote: note, verifier: verifier) } catch {
                throw LedgerError(kind: .integrity, field: "--since-report", "the checkpoint in \(sinceReport) does not verify with the key: \(error.message)")
            }
            let outcome = try await checker.run(previous: RemoteVerification.State(origin: printed.origin, size: printed.size, root: printed.root.base64,
                                                                                  checkpoint: printed.text, seenAt: ""),
                                                seen: "printed in \(sinceReport)")
            printLine("The log \(printed.origin) still contains the \(printed.size) entries the report was built from (root \(printed.root)); "
                      + "today it has \(outcome.checkpoint.size), every tile and public entry checked.")
            return
        }
        let statePath = state ?? RemoteVerification.defaultStatePath(origin: verifier.name)
        let previous = try RemoteVerification.readState(statePath)
        let outcome = try await checker.run(previous: previous)
        let checkpoint = outcome.checkpoint
        try RemoteVerification.writeState(RemoteVerification.State(
            origin: checkpoint.origin, size: checkpoint.size, root: checkpoint.root.base64, checkpoint: checkpoint.text,
            seenAt: RecordedAt.string(from: Date())), to: statePath)
        if output.json {
            struct Answer: Encodable {
                var origin: String; var size: Int64; var root: String
                var publicEntries: Int; var internalEntries: Int; var previousSize: Int64?; var state: String
            }
            printLine(try ReportJSON.encode(Answer(origin: checkpoint.origin, size: checkpoint.size, root: checkpoint.root.base64,
                                                   publicEntries: outcome.publicEntries, internalEntries: outcome.internalEntries,
                                                   previousSize: outcome.previous?.size, state: statePath)))
            return
        }
        printLine("Log \(checkpoint.origin) verified: checkpoint of \(checkpoint.size) entries signed by the key; \(outcome.tiles) tiles and bundles hash to its root; "
                  + "\(outcome.publicEntries) public entries hash to their leaves and link to the entries before them; \(outcome.internalEntries) internal entries match their leaves.")
        if let previous = outcome.previous {
            printLine("It extends the checkpoint of \(previous.size) entries seen on \(previous.seenAt): nothing seen then was rewritten.")
        } else {
            printLine("First check of this log from here: kept in \(statePath); the next check proves the log only grew.")
        }
    }
}
