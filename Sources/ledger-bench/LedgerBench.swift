import ArgumentParser
import Foundation
import GRDB
import Ledger
import Logging
import PostgresNIO
import Reports
import LedgerStores
import LedgerSynthetic
import LedgerSQLite
import LedgerPostgres

@main
struct LedgerBench: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger-bench",
        abstract: "Measure the ledger against raw SQLite, raw PostgreSQL, sha256sum and nginx, side by side, as ratios.",
        discussion: "Run it through scripts/bench, which builds in release mode and provides a throwaway PostgreSQL cluster.",
        subcommands: [Run.self, Generate.self],
        defaultSubcommand: Run.self)
}

struct Generate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Write a synthetic ledger as exported JSON Lines (and, with --csv, the same rows as CSV).")

    @Argument(help: "How many entries.") var count: Int
    @Option(help: "The seed: the same seed and count give the same bytes.") var seed: UInt64 = 2023
    @Option(help: "The JSON Lines file to write.") var output: String
    @Option(help: "Also write the rows as CSV, in the table's column order.") var csv: String?

    func run() throws {
        try Workload.write(count: count, seed: seed, jsonl: output, csv: csv)
    }
}

/// Writes the synthetic ledger once as `ledgerctl import` reads it and once as the raw
/// baselines load it, so both sides store the same rows.
enum Workload {
    static func write(count: Int, seed: UInt64, jsonl: String, csv: String?) throws {
        let lines = try Writer(jsonl)
        let rows = try csv.map(Writer.init)
        for entry in SyntheticLedger(count: count, seed: seed) {
            try lines.write(entry.exchangeLine + "\n")
            try rows?.write([String(entry.seq), entry.id.uuidString.lowercased(), entry.type.rawValue, String(entry.schema),
                             entry.subject, entry.effective.description, entry.recordedAt, entry.author,
                             entry.visibility.rawValue, entry.payload.canonicalText, entry.salt, entry.prevHash, entry.hash]
                .map(csvField).joined(separator: ",") + "\n")
        }
        try lines.close()
        try rows?.close()
    }

    static func csvField(_ text: String) -> String {
        text.contains(where: { $0 == "," || $0 == "\"" || $0 == "\n" || $0 == "\r" })
            ? "\"" + text.replacingOccurrences(of: "\"", with: "\"\"") + "\"" : text
    }

    /// Buffered, so writing a million lines is not a million system calls.
    final class Writer {
        let handle: FileHandle
        var buffer = Data()

        init(_ path: String) throws {
            guard FileManager.default.createFile(atPath: path, contents: nil), let handle = FileHandle(forWritingAtPath: path) else {
                throw BenchError("cannot write \(path)")
            }
            self.handle = handle
        }

        func write(_ text: String) throws {
            buffer.append(contentsOf: text.utf8)
            if buffer.count > 1 << 20 { try flush() }
        }

        func flush() throws {
            try handle.write(contentsOf: buffer)
            buffer.removeAll(keepingCapacity: true)
        }

        func close() throws {
            try flush()
            try handle.close()
        }
    }

    /// The table the raw baselines write: the ledger's columns and types, a primary key,
    /// no triggers, no other index.
    static let sqliteTable = """
        CREATE TABLE raw (seq INTEGER PRIMARY KEY, id TEXT NOT NULL, type TEXT NOT NULL, schema_version INTEGER NOT NULL,
            subject TEXT NOT NULL, effective TEXT NOT NULL, recorded_at TEXT NOT NULL, author TEXT NOT NULL,
            visibility TEXT NOT NULL, payload TEXT NOT NULL, salt TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL) STRICT
        """
    static let postgresTable = """
        CREATE TABLE raw (seq bigint PRIMARY KEY, id uuid NOT NULL, type text NOT NULL, schema_version integer NOT NULL,
            subject text NOT NULL, effective text NOT NULL, recorded_at text NOT NULL, author text NOT NULL,
            visibility text NOT NULL, payload text NOT NULL, salt text NOT NULL, prev_hash text NOT NULL, hash text NOT NULL)
        """
}

struct Run: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run every scenario at each size and print one table (and --json).")

    @Option(help: "Ledger sizes, comma-separated.") var sizes = "10000,100000,1000000"
    @Option(help: "Runs per measurement; the median is reported.") var runs = 3
    @Option(help: "Single appends timed per store (median and p99).") var appends = 1_000
    @Option(name: .customLong("wrk-seconds"), help: "How long each wrk load lasts.") var wrkSeconds = 5
    @Option(help: "The ledgerctl binary (default: next to this one).") var ledgerctl: String?
    @Option(help: "A PostgreSQL server URL where databases may be created (default LEDGER_TEST_POSTGRES_URL).") var postgres: String?
    @Option(help: "Where the ledgers and files go (default: a new temporary folder, removed afterwards).") var work: String?
    @Option(help: "Write the figures as JSON to this file.") var json: String?
    @Option(help: "The month reported on (YYYY-MM).") var month = "2026-10"
    @Flag(help: "A quick run that checks every scenario works (10k entries, one run, short loads): for the test suite.") var smoke = false
    @Option(help: ArgumentHelp("Only these groups, comma-separated: \(Scenarios.groups.joined(separator: ", ")) (the SQLite import always runs: the others need its ledger).",
                               valueName: "groups"))
    var only: String?

    func validate() throws {
        let unknown = (only ?? "").split(separator: ",").map(String.init).filter { !Scenarios.groups.contains($0) }
        if !unknown.isEmpty { throw ValidationError("--only: unknown \(unknown.joined(separator: ", ")); the groups are \(Scenarios.groups.joined(separator: ", "))") }
        if smoke && only != nil { throw ValidationError("--only: a smoke run measures every scenario") }
    }

    func run() async throws {
        let sizes = smoke ? [10_000] : try sizes.split(separator: ",").map {
            guard let size = Int($0.trimmingCharacters(in: .whitespaces)), size >= 1_000 else { throw ValidationError("--sizes: '\($0)' is not a size of 1000 or more") }
            return size
        }
        let binary = ledgerctl ?? URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath().deletingLastPathComponent().appendingPathComponent("ledgerctl").path
        guard FileManager.default.isExecutableFile(atPath: binary) else { throw ValidationError("--ledgerctl: no executable at \(binary)") }
        guard let postgres = postgres ?? ProcessInfo.processInfo.environment["LEDGER_TEST_POSTGRES_URL"] else {
            throw ValidationError("--postgres: give a PostgreSQL URL (scripts/bench starts a throwaway cluster)")
        }
        guard let month = ReportMonth(month) else { throw ValidationError("--month: must be YYYY-MM") }
        let folder = work.map { URL(fileURLWithPath: $0) } ?? FileManager.default.temporaryDirectory.appendingPathComponent("ledger-bench-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { if work == nil { try? FileManager.default.removeItem(at: folder) } }

        var bench = Scenarios(ledgerctl: binary, postgres: postgres, folder: folder, runs: smoke ? 1 : runs,
                              appends: smoke ? 50 : appends, wrkSeconds: smoke ? 1 : wrkSeconds, month: month,
                              only: only.map { Set($0.split(separator: ",").map(String.init)) })
        for size in sizes { try await bench.measure(size: size) }

        print("")
        print(Report.table(bench.figures))
        if let json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
            let document = BenchDocument(date: ISO8601DateFormatter().string(from: Date()), machine: BenchDocument.machine(),
                                         runs: smoke ? 1 : runs, figures: bench.figures)
            try encoder.encode(document).write(to: URL(fileURLWithPath: json))
            print("\nFigures written to \(json).")
        }
        if smoke {
            let expected = Set(Scenarios.names)
            let measured = Set(bench.figures.filter { $0.ours > 0 && $0.ours.isFinite && ($0.baseline ?? 1) > 0 }.map(\.scenario))
            guard measured.isSuperset(of: expected) else {
                throw BenchError("smoke run: no valid figure for \(expected.subtracting(measured).sorted().joined(separator: ", "))")
            }
            print("Smoke run: every scenario measured.")
        }
    }
}

struct BenchDocument: Codable {
    var date: String
    var machine: String
    var runs: Int
    var figures: [Figure]

    static func machine() -> String {
        let cpu = (try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8))?.split(separator: "\n")
            .first { $0.hasPrefix("model name") }?.split(separator: ":").last?.trimmingCharacters(in: .whitespaces) ?? "unknown CPU"
        return "\(ProcessInfo.processInfo.activeProcessorCount) × \(cpu), \(ProcessInfo.processInfo.physicalMemory >> 30) GiB"
    }
}
