import ArgumentParser
import Foundation
import Ledger
import Reports

private func list(_ items: [String]) -> JSONValue { .array(items.map { .string($0) }) }

/// Appends one draft built from command-line flags and reports the outcome.
private func appendOne(
    _ options: LedgerOptions, _ output: OutputOptions, entry: EntryStamp,
    type: EntryType, subject: String, payload: [String: JSONValue?], what: String
) async throws {
    try await options.withLedger(.write) { ledger in
        try await appendOne(to: ledger, options, output, entry: entry, type: type, subject: subject, payload: payload, what: what)
    }
}

private func appendOne(
    to ledger: Ledger, _ options: LedgerOptions, _ output: OutputOptions, entry: EntryStamp,
    type: EntryType, subject: String, payload: [String: JSONValue?], what: String
) async throws {
    let draft = EntryDraft(
        id: entry.id, type: type, subject: subject, effective: entry.effective,
        author: options.authorName, visibility: entry.visibility,
        payload: .object(payload.compactMapValues { $0 }))
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
            try await appendOne(options, output, entry: entry, type: .actorRegistered, subject: id, payload: [
                "name": .string(name), "name_es": nameES.map { .string($0) }, "kind": .string(kind.rawValue),
                "country": country.map { .string($0) },
            ], what: "actor \(id)")
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
            try await appendOne(options, output, entry: try entry.stamp(), type: .demandRecorded, subject: id, payload: [
                "title": .string(title), "title_es": titleES.map { .string($0) },
                "summary": summary.map { .string($0) }, "summary_es": summaryES.map { .string($0) },
                "by": by.isEmpty ? nil : list(by), "targets": target.isEmpty ? nil : list(target),
                "sources": source.isEmpty ? nil : list(source),
            ], what: "demand \(id)")
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
            try await appendOne(options, output, entry: try entry.stamp(), type: .commitmentRecorded, subject: id, payload: [
                "demands": list(demand), "actor": .string(actor), "kind": .string(kind.rawValue),
                "summary": .string(summary), "summary_es": summaryES.map { .string($0) },
                "due": due.map { .string($0) }, "sources": list(source),
            ], what: "commitment \(id)")
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
            try await appendOne(options, output, entry: try entry.stamp(), type: .statusChanged, subject: id, payload: [
                "status": .string(status.rawValue), "basis": .string(basis.rawValue), "rationale": .string(rationale),
                "rationale_es": rationaleES.map { .string($0) }, "sources": list(source),
            ], what: "status \(status.rawValue) of \(id)")
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
            try await appendOne(options, output, entry: try entry.stamp(), type: .followupLogged, subject: subject, payload: [
                "note": .string(note), "note_es": noteES.map { .string($0) }, "kind": kind.map { .string($0.rawValue) },
                "sources": source.isEmpty ? nil : list(source),
            ], what: "follow-up on \(subject)")
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

        func append(_ type: EntryType, about target: Record, payload: [String: JSONValue], to ledger: Ledger,
                    options: LedgerOptions, output: OutputOptions, what: String) async throws {
            // An amendment is dated the day it is made, and internal when its entry is, so
            // nothing internal turns public.
            let entry = EntryStamp(effective: EffectiveTime(day: .today()), id: try parseEntryID(entryID),
                                   visibility: `internal` || target.visibility == .internal ? .internal : .public)
            try await appendOne(to: ledger, options, output, entry: entry, type: type, subject: target.subject,
                                payload: payload.merging(["target_seq": .int(seq), "reason": .string(reason)]) { new, _ in new },
                                what: what)
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
                try await amendment.append(.entryCorrected, about: target, payload: ["fields": .object(fields)], to: ledger,
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
                try await amendment.append(.entryRetracted, about: target, payload: [:], to: ledger,
                                           options: options, output: output, what: "retraction of seq \(amendment.seq)")
            }
        }
    }
}
