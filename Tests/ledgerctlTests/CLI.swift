import Foundation
import Ledger
import LedgerStores
import LedgerSynthetic
import LedgerTestSupport
import Testing

/// Runs the built `ledgerctl` as a real process against a ledger file of its own.
struct CLI {
    struct Result {
        var status: Int32
        var stdout: String
        var stderr: String
    }

    let directory: URL
    /// What LEDGER_DATABASE_URL names: a file in `directory`, or a PostgreSQL database.
    let database: String
    /// When set (tests run as root), ledgerctl runs from this copy as the `nobody` user, for
    /// whom a file's permissions really bind.
    var nobodyBinary: URL?

    init(directory: URL, database: String, nobodyBinary: URL? = nil) {
        self.directory = directory
        self.database = database
        self.nobodyBinary = nobodyBinary
    }

    init(database: String? = nil) throws {
        directory = FileManager.default.temporaryDirectory.appendingPathComponent("ledgerctl-tests-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        self.database = database ?? directory.appendingPathComponent("ledger.sqlite").path
    }

    /// Waits out the last `margin` before midnight (UTC, the CLI's day): reads say what holds
    /// today, and a test that compares two rounds of them must not see the day change between
    /// them (seen in CI: `status --json` said 2026-12-07, then 2026-12-08).
    static func awayFromMidnight(margin: TimeInterval = 600) async throws {
        let untilMidnight = 86_400 - Date().timeIntervalSince1970.truncatingRemainder(dividingBy: 86_400)
        if untilMidnight < margin { try await Task.sleep(for: .seconds(untilMidnight + 2)) }
    }

    /// A CLI over a new, empty ledger of this kind (for PostgreSQL, a database of its own).
    static func on(_ kind: StoreKind) async throws -> CLI {
        switch kind {
        case .sqlite: return try CLI()
        case .postgres: return try CLI(database: try await PostgresTestServer.createDatabase())
        }
    }

    /// The binary SwiftPM built next to the test bundle (or LEDGERCTL_PATH).
    static let binary: URL = {
        if let path = ProcessInfo.processInfo.environment["LEDGERCTL_PATH"] { return URL(fileURLWithPath: path) }
        var candidates = [URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()]
        candidates.append(Bundle.main.bundleURL)
        candidates.append(Bundle.main.bundleURL.deletingLastPathComponent())
        for folder in candidates {
            let url = folder.appendingPathComponent("ledgerctl")
            if FileManager.default.isExecutableFile(atPath: url.path) { return url }
        }
        return URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .deletingLastPathComponent().appendingPathComponent(".build/debug/ledgerctl")
    }()

    /// Starts ledgerctl; output goes to files so a large output cannot block the pipe.
    func start(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) throws -> (Process, URL, URL) {
        let process = Process()
        if let nobodyBinary {
            process.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            process.arguments = ["-u", "nobody", "--", nobodyBinary.path] + arguments
        } else {
            process.executableURL = Self.binary
            process.arguments = arguments
        }
        process.currentDirectoryURL = directory
        var env = ProcessInfo.processInfo.environment
        env["LEDGER_DATABASE_URL"] = database
        env["LEDGER_AUTHOR"] = "policy-team"
        for (key, value) in environment { env[key] = value }
        process.environment = env
        let outURL = directory.appendingPathComponent("out-\(UUID().uuidString)")
        let errURL = directory.appendingPathComponent("err-\(UUID().uuidString)")
        try Data().write(to: outURL)
        try Data().write(to: errURL)
        process.standardOutput = try FileHandle(forWritingTo: outURL)
        process.standardError = try FileHandle(forWritingTo: errURL)
        if let stdin {
            let input = directory.appendingPathComponent("in-\(UUID().uuidString)")
            try stdin.write(to: input, atomically: true, encoding: .utf8)
            process.standardInput = try FileHandle(forReadingFrom: input)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        return (process, outURL, errURL)
    }

    /// Longer than any command of the suite takes on a loaded machine.
    static let exitLimit = Duration.seconds(600)

    static func finish(_ started: (Process, URL, URL)) async throws -> Result {
        // A command that never ended held the whole run until CI's limit, saying nothing:
        // it fails its test instead, with what it had printed.
        guard await started.0.exited(within: exitLimit) else {
            kill(started.0.processIdentifier, SIGKILL)
            await started.0.exited()
            let result = try finishBlocking(started)
            Issue.record("ledgerctl \((started.0.arguments ?? []).joined(separator: " ")) had not exited after \(exitLimit) and was killed; it printed: \(result.stderr.suffix(2_000))")
            return result
        }
        return try finishBlocking(started)
    }

    /// `finish` for a thread of the test's own, off Swift's cooperative pool.
    static func finishBlocking(_ started: (Process, URL, URL)) throws -> Result {
        let (process, outURL, errURL) = started
        process.waitUntilExit()
        return Result(status: process.terminationStatus,
                      stdout: try String(contentsOf: outURL, encoding: .utf8),
                      stderr: try String(contentsOf: errURL, encoding: .utf8))
    }

    @discardableResult
    func run(_ arguments: String..., stdin: String? = nil, environment: [String: String] = [:]) async throws -> Result {
        try await run(arguments, stdin: stdin, environment: environment)
    }

    @discardableResult
    func run(_ arguments: [String], stdin: String? = nil, environment: [String: String] = [:]) async throws -> Result {
        try await Self.finish(try start(arguments, stdin: stdin, environment: environment))
    }

    /// Runs a command that must succeed, failing the test with its stderr otherwise.
    @discardableResult
    func ok(_ arguments: String..., stdin: String? = nil, sourceLocation: SourceLocation = #_sourceLocation) async throws -> Result {
        let result = try await Self.finish(try start(arguments, stdin: stdin))
        #expect(result.status == 0, "ledgerctl \(arguments.joined(separator: " ")) failed: \(result.stderr)", sourceLocation: sourceLocation)
        return result
    }

    func json(_ arguments: String..., sourceLocation: SourceLocation = #_sourceLocation) async throws -> Any {
        let result = try await Self.finish(try start(arguments + ["--json"]))
        #expect(result.status == 0, "ledgerctl \(arguments.joined(separator: " ")) --json failed: \(result.stderr)", sourceLocation: sourceLocation)
        return try JSONSerialization.jsonObject(with: Data(result.stdout.utf8))
    }

    /// The demo with its snapshots kept, then the public one forged as someone with the
    /// database's grants could (`Forgery`); returns the note the forgery replaced.
    func demoWithAForgedSnapshot(note: String) async throws -> String {
        try await ok("demo")
        try await ok("snapshot")
        return try await Ledger.withLedger(at: try LedgerLocation(database), access: .write) { ledger in
            try await Forgery.rewriteNoteInPublicSnapshot(of: ledger, note: note)
        }
    }

    /// The head's seq, as `status --json` gives it.
    func headSeq() async throws -> Int64 {
        let status = try #require(try await json("status") as? [String: Any])
        return Int64(try #require((status["head"] as? [String: Any])?["seq"] as? Int))
    }

    /// The whole ledger as exported: equal snapshots mean nothing was written.
    func snapshot() async throws -> String {
        try await ok("export").stdout
    }

    func cleanUp() {
        try? FileManager.default.removeItem(at: directory)
        if database.hasPrefix("postgres") {
            let database = database
            Task.detached { await PostgresTestServer.drop(database) }
        }
    }
}

extension CLI {
    /// A synthetic ledger of `count` entries as an export file in `directory`, with `alter`
    /// applied to line `line` (counted from 1).
    func syntheticExport(count: Int, seed: UInt64, alter: ((inout String) -> Void)? = nil, line: Int = 0) throws -> String {
        var lines = SyntheticLedger(count: count, seed: seed).map { $0.exchangeJSON.canonicalText }
        if let alter { alter(&lines[line - 1]) }
        let path = directory.appendingPathComponent("synthetic.jsonl").path
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }
}
