import ArgumentParser
import Foundation
import Ledger
import Reports

/// Appends one entry built from command-line flags and reports the outcome.
private func appendOne(
    _ options: LedgerOptions, _ output: OutputOptions, entry: EntryStamp,
    subject: String, payload: some EntryPayload, what: String
) async throws {
    try await options.withLedger(.write) { ledger in
        try await appendOne(to: ledger, options, output, entry: entry, subject: subject, payload: payload, what: what)
    }
}

private func appendOne<Payload: EntryPayload>(
    to ledger: Ledger, _ options: LedgerOptions, _ output: OutputOptions, entry: EntryStamp,
    subject: String, payload: Payload, what: String
) async throws {
    let draft = EntryDraft(
        id: entry.id, type: Payload.entryType, subject: subject, effective: entry.effective,
        author: options.authorName, visibility: entry.visibility, payload: payload.json)
    try reportWritten(try await ledger.append([draft]), what: what, output: output)
}

struct ActorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "actor", abstract: "Register governments, institutions and organisations.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Register an actor: a government, ministry, institution, organisation or coalition.",
            discussion: "Kinds: \(ActorKind.choices).")

        @OptionGroup var options: LedgerOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "A short id people can type, e.g. cndh or gov-mexico.") var id: String
        @Option(help: "The actor's name.") var name: String
        @Option(name: .customLong("name-es"), help: "The name in Spanish, when it differs.") var nameES: String?
        @Option(help: "What kind of actor it is.") var kind: ActorKind
        @Option(help: "Two-letter country code (MX, US).") var country: String?
        @Option(name: .customLong("on"), help: "When the actor entered the record (YYYY-MM-DD; defaults to today).") var on: String?
        @Flag(name: .long, help: "Keep the actor off public reports and feeds.") var `internal` = false

        func run() async throws {
            let entry = EntryStamp(effective: try on.map { try parseEffective($0, flag: "--on") } ?? EffectiveTime(day: .today()),
                                   id: UUID(), visibility: `internal` ? .internal : .public)
            try await appendOne(options, output, entry: entry, subject: id,
                                payload: ActorPayload(name: name, nameES: nameES, kind: kind, country: country), what: "actor \(id)")
        }
    }
}

struct DemandCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demand", abstract: "Record what the coalition demands.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Record a demand made of governments or institutions.")

        @OptionGroup var options: LedgerOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "A short id people can type, e.g. stop-arms-flow.") var id: String
        @Option(help: "The demand, in one line.") var title: String
        @Option(name: .customLong("title-es"), help: "The demand in Spanish.") var titleES: String?
        @Option(help: "A longer description.") var summary: String?
        @Option(name: .customLong("summary-es"), help: "The description in Spanish.") var summaryES: String?
        @OptionGroup var entry: EntryOptions
        @Option(help: "An actor making the demand (repeat for several).") var by: [String] = []
        @Option(help: "An actor the demand is made of (repeat for several).") var target: [String] = []
        @Option(help: "A link to the demand's source (repeat for several).") var source: [String] = []

        func run() async throws {
            try await appendOne(options, output, entry: try entry.stamp(), subject: id, payload: DemandPayload(
                title: title, titleES: titleES, summary: summary, summaryES: summaryES, by: by, targets: target, sources: source),
                what: "demand \(id)")
        }
    }
}

struct CommitmentCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "commitment", abstract: "Record commitments and rate how they are kept.",
        subcommands: [Add.self, SetStatus.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Record a commitment a government or institution made in answer to demands.",
            discussion: "Kinds: \(CommitmentKind.choices). A new commitment's status is announced.")

        @OptionGroup var options: LedgerOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "A short id people can type, e.g. cndh-rec-juarez.") var id: String
        @Option(help: "A demand this commitment answers (repeat for several).") var demand: [String] = []
        @Option(help: "The actor who committed.") var actor: String
        @Option(help: "What kind of commitment.") var kind: CommitmentKind
        @Option(help: "What was committed, in a sentence or two.") var summary: String
        @Option(name: .customLong("summary-es"), help: "The summary in Spanish.") var summaryES: String?
        @Option(help: "When it is due (YYYY-MM-DD); past it, an open commitment is overdue.") var due: String?
        @OptionGroup var entry: EntryOptions
        @Option(help: "A link to the evidence of the commitment (at least one; repeat for several).") var source: [String] = []

        func run() async throws {
            try await appendOne(options, output, entry: try entry.stamp(), subject: id, payload: CommitmentPayload(
                demands: demand, actor: actor, kind: kind, summary: summary, summaryES: summaryES,
                due: try due.map { try parseDay($0, flag: "--due") }, sources: source),
                what: "commitment \(id)")
        }
    }

    struct SetStatus: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "set-status",
            abstract: "Rate a commitment: \(CommitmentStatus.choices).",
            discussion: """
                Every rating says its basis: claimed (the government says so) or verified (the \
                coalition checked the evidence). They are shown apart: a reported action is not compliance.
                """)

        @OptionGroup var options: LedgerOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The commitment's id.") var id: String
        @Argument(help: "The new status.") var status: CommitmentStatus
        @OptionGroup var entry: EntryOptions
        @Option(help: "claimed (the government says so) or verified (the coalition checked).") var basis: Basis
        @Option(help: "Why the status changed.") var rationale: String
        @Option(name: .customLong("rationale-es"), help: "The rationale in Spanish.") var rationaleES: String?
        @Option(help: "A link to the evidence (at least one; repeat for several).") var source: [String] = []

        func run() async throws {
            try await appendOne(options, output, entry: try entry.stamp(), subject: id, payload: StatusPayload(
                status: status, basis: basis, rationale: rationale, rationaleES: rationaleES, sources: source),
                what: "status \(status.rawValue) of \(id)")
        }
    }
}

struct FollowupCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "followup", abstract: "Log what happened next on a demand or commitment.", subcommands: [Add.self])

    struct Add: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Log a follow-up: a meeting held, a deadline missed, a statement, evidence.",
            discussion: "Kinds: \(FollowupKind.choices) (default note).")

        @OptionGroup var options: LedgerOptions
        @OptionGroup var output: OutputOptions
        @Argument(help: "The demand or commitment it is about.") var subject: String
        @OptionGroup var entry: EntryOptions
        @Option(help: "What happened.") var note: String
        @Option(name: .customLong("note-es"), help: "The note in Spanish.") var noteES: String?
        @Option(help: "What kind of follow-up (default note).") var kind: FollowupKind?
        @Option(help: "A link to the evidence (repeat for several).") var source: [String] = []

        func run() async throws {
            try await appendOne(options, output, entry: try entry.stamp(), subject: subject,
                                payload: FollowupPayload(note: note, noteES: noteES, kind: kind, sources: source), what: "follow-up on \(subject)")
        }
    }
}

struct EntryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "entry", abstract: "Correct or retract an earlier entry (by adding a new one).",
        subcommands: [Correct.self, Retract.self])

    /// What corrections and retractions share: the entry they amend, a reason, and the
    /// amendment's visibility (internal when the entry is, so nothing internal turns public).
    struct AmendmentOptions: ParsableArguments {
        @Argument(help: "The seq of the entry to amend.") var seq: Int64
        @Option(help: "Why the entry is amended.") var reason: String
        @Flag(name: .long, help: "Make the amendment internal even if the entry is public.") var `internal` = false
        @Option(name: .customLong("entry-id"), help: ArgumentHelp("A UUID for the amendment, for safe retries.", valueName: "uuid")) var entryID: String?

        func target(in ledger: Ledger) async throws -> Record {
            guard let record = try await ledger.records().record(seq: seq) else {
                throw LedgerError(kind: .notFound, field: "SEQ", "no entry with seq \(seq)")
            }
            return record
        }

        func append(about target: Record, payload: some EntryPayload, to ledger: Ledger,
                    options: LedgerOptions, output: OutputOptions, what: String) async throws {
            // An amendment is dated the day it is made, and internal when its entry is, so
            // nothing internal turns public.
            let entry = EntryStamp(effective: EffectiveTime(day: .today()), id: try parseEntryID(entryID),
                                   visibility: `internal` || target.visibility == .internal ? .internal : .public)
            try await appendOne(to: ledger, options, output, entry: entry, subject: target.subject, payload: payload, what: what)
        }
    }

    struct Correct: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Correct fields of an earlier entry; the original stays in the ledger.",
            discussion: """
                Each --set names a field of the original entry (or `effective`, its date) and its new \
                value; an empty value removes an optional field. For list fields (sources, demands, by, \
                targets) repeat --set to give every item of the new list. Example:
                  ledgerctl entry correct 21 --reason "Due date misread" --set due=2023-10-31
                """)

        @OptionGroup var options: LedgerOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var amendment: AmendmentOptions
        @Option(name: .customLong("set"), help: ArgumentHelp("A new field value.", valueName: "field=value")) var assignments: [String] = []

        func run() async throws {
            if assignments.isEmpty { throw LedgerError(field: "--set", "give at least one field=value to correct") }
            try await options.withLedger(.write) { ledger in
                let target = try await amendment.target(in: ledger)
                var fields: [String: JSONValue] = [:]
                for assignment in assignments {
                    guard let equals = assignment.firstIndex(of: "="), equals != assignment.startIndex else {
                        throw LedgerError(field: "--set", "'\(assignment)' must be field=value")
                    }
                    let name = String(assignment[..<equals])
                    let value = String(assignment[assignment.index(after: equals)...])
                    if target.type.field(named: name)?.isList == true {
                        if case .array(let items)? = fields[name] {
                            fields[name] = .array(items + [.string(value)])
                        } else {
                            fields[name] = .array(value.isEmpty ? [] : [.string(value)])
                        }
                    } else {
                        if fields[name] != nil { throw LedgerError(field: "--set", "\(name) is given twice") }
                        fields[name] = value.isEmpty ? .null : .string(value)
                    }
                }
                try await amendment.append(about: target, payload: CorrectionPayload(targetSeq: amendment.seq, fields: fields, reason: amendment.reason), to: ledger,
                                           options: options, output: output, what: "correction of seq \(amendment.seq)")
            }
        }
    }

    struct Retract: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Retract an earlier entry: it stops counting, but stays in the ledger with the reason.")

        @OptionGroup var options: LedgerOptions
        @OptionGroup var output: OutputOptions
        @OptionGroup var amendment: AmendmentOptions

        func run() async throws {
            try await options.withLedger(.write) { ledger in
                let target = try await amendment.target(in: ledger)
                try await amendment.append(about: target, payload: RetractionPayload(targetSeq: amendment.seq, reason: amendment.reason), to: ledger,
                                           options: options, output: output, what: "retraction of seq \(amendment.seq)")
            }
        }
    }
}
