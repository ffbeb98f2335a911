import Foundation
import Ledger
import LedgerStores
import LedgerTestSupport
import Reports
import Synchronization
import Testing

/// ledgerctl against both stores: many writing processes at once, and ledgers moved
/// between SQLite and PostgreSQL.
@Suite("ledgerctl on SQLite and PostgreSQL")
struct StoreCommandsTests {
    static let sharedID = "6d1c3a52-0f6e-4c1b-9a57-2f4e1f0c8a11"

    /// One follow-up as an `append` line.
    static func line(id: String? = nil, note: String) -> String {
        let idField = id.map { #""id":"\#($0)","# } ?? ""
        return #"{\#(idField)"type":"followup.logged","subject":"cndh-rec-juarez","effective":"2023-08-01","payload":{"note":"\#(note)","kind":"meeting"}}"#
    }

    /// Eight processes, each appending 1,000 entries in ten batches, all at once. Each also
    /// sends one entry every writer shares (same id, same content), and retries its first
    /// batch at the end, as a script would after a lost reply.
    @Test(arguments: StoreKind.allCases)
    func eightWritersAppendingAtOnceKeepTheChainWhole(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        try await cli.ok("init")
        try await cli.ok("actor", "add", "cndh", "--name", "Comisión Nacional de los Derechos Humanos", "--kind", "institution", "--on", "2023-01-09")
        try await cli.ok("demand", "add", "justice-juarez-fire", "--title", "Justice for the victims of the Ciudad Juárez fire", "--on", "2023-06-30")
        try await cli.ok("commitment", "add", "cndh-rec-juarez", "--demand", "justice-juarez-fire", "--actor", "cndh", "--kind", "recommendation",
                   "--on", "2023-07-10", "--summary", "Recommendation in favour of the victims", "--source", "https://www.cndh.org.mx/")

        let writers = 8, batches = 10, perBatch = 100
        @Sendable func batch(_ writer: Int, _ number: Int) -> String {
            let ids = (0..<perBatch).map { index in
                String(format: "00000000-0000-4000-8000-%04d%08d", writer, number * perBatch + index)
            }
            var lines = zip(ids, 0...).map { Self.line(id: $0, note: "writer \(writer) entry \(number * perBatch + $1)") }
            if number == 0 { lines.append(Self.line(id: Self.sharedID, note: "The same follow-up, sent by every writer")) }
            return lines.joined(separator: "\n")
        }
        let failures = Mutex<[String]>([])
        // Off Swift's cooperative pool: eight threads blocked on processes would stall it.
        await withCheckedContinuation { (done: CheckedContinuation<Void, Never>) in
            Thread.detachNewThread {
                DispatchQueue.concurrentPerform(iterations: writers) { writer in
                    for number in 0..<batches + 1 {
                        // The last run repeats batch 0: a retry that must add nothing.
                        let input = batch(writer, number == batches ? 0 : number)
                        do {
                            let result = try CLI.finishBlocking(try cli.start(["append", "-"], stdin: input))
                            if result.status != 0 { failures.withLock { $0.append("writer \(writer) batch \(number): \(result.stderr)") } }
                            if number == batches, !result.stdout.contains("Appended 0 entries") {
                                failures.withLock { $0.append("writer \(writer)'s retry added entries: \(result.stdout)") }
                            }
                        } catch {
                            failures.withLock { $0.append("writer \(writer): \(error)") }
                        }
                    }
                }
                done.resume()
            }
        }
        #expect(failures.withLock { $0 } == [])

        let expected = 3 + writers * batches * perBatch + 1
        #expect(try await cli.ok("verify").stdout.contains("Chain intact: \(expected) entries"))
        let exported = try await cli.snapshot().split(separator: "\n").map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        #expect(exported.map { $0["seq"] as? Int } == Array(1...expected))
        let ids = exported.compactMap { $0["id"] as? String }
        #expect(Set(ids).count == expected, "no id twice")
        #expect(ids.filter { $0 == Self.sharedID }.count == 1)
    }

    @Test(.enabled(if: PostgresTestServer.isEnabled, Comment(rawValue: PostgresTestServer.skipMessage)))
    func aLedgerMovesBetweenSQLiteAndPostgreSQLUnchanged() async throws {
        let sqlite = try CLI()
        defer { sqlite.cleanUp() }
        try await sqlite.ok("demo")
        try await sqlite.ok("followup", "add", "justice-juarez-fire", "--on", "2023-08-01T18:30:00Z", "--note", "Vigil in Ciudad Juárez: \"¡Justicia!\" <b>")
        let original = try await sqlite.snapshot()
        let head = try #require((try await sqlite.json("verify") as? [String: Any])?["head"] as? [String: Any])

        let postgres = try CLI(database: try await PostgresTestServer.createDatabase())
        defer { postgres.cleanUp() }
        let exportFile = sqlite.directory.appendingPathComponent("ledger.jsonl").path
        try await sqlite.ok("export", "--output", exportFile)
        #expect(try await postgres.ok("import", exportFile).stdout.contains(head["hash"] as! String))
        let onPostgres = try #require((try await postgres.json("verify") as? [String: Any])?["head"] as? [String: Any])
        #expect(onPostgres["hash"] as? String == head["hash"] as? String)
        #expect(onPostgres["seq"] as? Int == head["seq"] as? Int)
        #expect(try await postgres.snapshot() == original)
        // The same projection on both: the status report is byte for byte the same.
        #expect(try await postgres.ok("status", "--as-of", "2023-12-31", "--json").stdout == sqlite.ok("status", "--as-of", "2023-12-31", "--json").stdout)

        // And back, into a new SQLite file.
        let back = try CLI()
        defer { back.cleanUp() }
        try await back.ok("import", "-", stdin: try await postgres.snapshot())
        #expect(try await back.snapshot() == original)
        #expect(try await back.ok("verify").stdout.contains("hash \(head["hash"] as! String)"))

        // Entries written on PostgreSQL after the move continue the same chain.
        try await postgres.ok("followup", "add", "justice-juarez-fire", "--on", "2023-08-02", "--note", "Written on the team server")
        #expect(try await postgres.ok("verify").stdout.contains("Chain intact: \((head["seq"] as! Int) + 1) entries"))
    }

    @Test(.enabled(if: PostgresTestServer.isEnabled, Comment(rawValue: PostgresTestServer.skipMessage)))
    func postgresProblemsAreOneClearLine() async throws {
        let empty = try CLI(database: try await PostgresTestServer.createDatabase())
        defer { empty.cleanUp() }
        let missing = try await empty.run("status")
        #expect(missing.status == 66)
        #expect(missing.stderr.contains("no ledger in postgres://") && missing.stderr.contains("ledgerctl init"), "stderr: \(missing.stderr)")

        let unreachable = try await empty.run("status", "--database", "postgres://ledger:secret@127.0.0.1:1/ledger?sslmode=disable")
        #expect(unreachable.status == 74)
        #expect(unreachable.stderr.contains("could not connect to postgres://ledger@127.0.0.1:1/ledger"), "stderr: \(unreachable.stderr)")
        #expect(!unreachable.stderr.contains("secret"), "the password is never printed")
        #expect(unreachable.stderr.split(separator: "\n").count == 1)

        let badURL = try await empty.run("status", "--database", "postgres://ledger@db/ledger?sslmode=maybe")
        #expect(badURL.status == 65)
        #expect(badURL.stderr.contains("--database: sslmode 'maybe' is not one of"))
    }
}

/// An import streams its file in batches inside one transaction: all or nothing, whatever
/// the batch it fails in, and whenever the process dies.
@Suite("Streaming import")
struct StreamingImportTests {
    static let count = 20_000
    static let python = ExternalTools(["python3"])

    @Test(arguments: StoreKind.allCases)
    func aLineRefusedInALaterBatchLeavesNothingWritten(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let before = try await cli.snapshot()
        // The demo's ledger first, so the file continues it; then a changed note far past the first batch.
        let demo = try await cli.ok("export").stdout
        let target = try await CLI.on(kind)
        defer { target.cleanUp() }
        try await target.ok("init")
        let path = try target.syntheticExport(count: Self.count, seed: 5, alter: { $0 = $0.replacingOccurrences(of: #""note":""#, with: #""note":"Altered: "#) }, line: 15_001)
        let refused = try await target.run("import", path)
        #expect(refused.status != 0 && refused.stderr.contains("line 15001: hash"), "\(refused.stderr)")
        #expect(try await target.snapshot().isEmpty, "nothing of the first 15,000 lines was kept")
        try await target.ok("import", "-", stdin: demo)
        #expect(try await target.snapshot() == before)
    }

    /// Lines are read as bytes and their text checked by the JSON parser: a byte that is not
    /// UTF-8 is still named as such, inside a string or outside one, and blank lines are
    /// still skipped.
    @Test func aLineThatIsNotUTF8IsNamedAndBlankLinesAreSkipped() async throws {
        let source = try await CLI.on(.sqlite)
        defer { source.cleanUp() }
        try await source.ok("demo")
        let lines = try await source.ok("export").stdout.split(separator: "\n").map { Array($0.utf8) }
        let target = try await CLI.on(.sqlite)
        defer { target.cleanUp() }
        try await target.ok("init")
        let path = target.directory.appendingPathComponent("export.jsonl").path
        func write(_ lines: [[UInt8]]) throws {
            try Data(lines.joined(separator: [UInt8(ascii: "\n")])).write(to: URL(fileURLWithPath: path))
        }
        let quote = try #require(lines[2].firstIndex(of: UInt8(ascii: "\"")))
        let inString: [UInt8] = Array(lines[2][...quote]) + [0xFF] + Array(lines[2][(quote + 1)...])
        let outside: [UInt8] = [0xC3] + lines[2]
        for bad in [inString, outside] {
            try write(Array(lines[..<2]) + [bad] + Array(lines[3...]))
            let refused = try await target.run("import", path)
            #expect(refused.status == 65, "\(refused.stderr)")
            #expect(refused.stderr.contains("line 3: is not UTF-8 text (\(path))"), "\(refused.stderr)")
            #expect(try await target.snapshot().isEmpty)
        }
        let blank: [[UInt8]] = [[], Array(" \t\r".utf8)]
        try write(Array(lines[..<2]) + blank + Array(lines[2...]))
        try await target.ok("import", path)
        #expect(try await target.snapshot() == (try await source.snapshot()))
    }

    /// Starts an import and SIGKILLs it once its progress shows `threshold` entries checked
    /// (the batches before are inserted by then, inside the open transaction). Watched by a
    /// separate process: this test process shares its threads with tests that block them.
    static let killAfter = """
        import os, re, signal, subprocess, sys
        binary, database, path, threshold = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
        env = dict(os.environ, LEDGER_DATABASE_URL=database)
        importing = subprocess.Popen([binary, "import", path, "--progress"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
        seen = b""
        while True:
            chunk = os.read(importing.stderr.fileno(), 4096)
            if not chunk:
                break
            seen += chunk
            counts = [int(found.replace(b",", b"")) for found in re.findall(rb"Checking: ([0-9,]+)", seen)]
            if counts and counts[-1] >= threshold:
                importing.send_signal(signal.SIGKILL)
                importing.wait()
                print("killed after", counts[-1])
                sys.exit(0)
        importing.wait()
        print("finished with", importing.returncode)
        """

    /// SIGKILL after each batch in turn: afterwards the ledger holds nothing of the file,
    /// and verifies.
    @Test(.enabled(if: python.isEnabled, "\(python.skipMessage)"), arguments: StoreKind.allCases)
    func anImportKilledAtAnyPointLeavesTheLedgerAsItWas(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        try await cli.ok("init")
        let path = try cli.syntheticExport(count: Self.count, seed: 5)
        var kills = 0
        for threshold in stride(from: LineBatches.batchSize, to: Self.count, by: LineBatches.batchSize) {
            let watched = try await ExternalTools.run("python3", ["-c", Self.killAfter, CLI.binary.path, cli.database, path, String(threshold)])
            #expect(watched.status == 0, "\(watched.output)")
            if watched.output.hasPrefix("killed") { kills += 1 }
            let seq = try await cli.headSeq()
            #expect(seq == 0, "killed after \(threshold) entries checked (\(watched.output)), the ledger holds \(seq) entries")
            #expect(try await cli.run("verify").status == 0)
        }
        #expect(kills >= 3, "the kills landed inside the import")
        try await cli.ok("import", path)
        #expect(try await cli.run("verify").status == 0)
    }
}

/// Snapshots of the fold are a cache: every read answers byte for byte as it would from
/// the chain alone.
@Suite("Snapshots from the command line")
struct SnapshotCommandTests {
    /// What the reads print, each from a new process.
    static func reads(_ cli: CLI) async throws -> [String: String] {
        var commands: [[String]] = [
            ["status", "--json"], ["status"], ["status", "--public", "--json"], ["status", "--as-of", "2023-08-01"],
            ["status", "--known-at", "12", "--json"], ["show", "cndh-rec-juarez"], ["show", "justice-juarez-fire", "--json"],
            ["log", "--json", "--limit", "500"], ["log", "--public"], ["sheet", "export", "--kind", "commitment"],
        ]
        for format in ["html", "md", "json"] {
            commands.append(["report", "monthly", "2023-07", "--format", format])
            commands.append(["report", "monthly", "2023-07", "--format", format, "--audience", "public"])
        }
        var outputs: [String: String] = [:]
        for command in commands {
            let result = try await cli.run(command)
            #expect(result.status == 0, "\(command): \(result.stderr)")
            outputs[command.joined(separator: " ")] = result.stdout
        }
        return outputs
    }

    @Test(arguments: StoreKind.allCases)
    func readsThroughASnapshotAreByteIdenticalToAColdFold(_ kind: StoreKind) async throws {
        try await CLI.awayFromMidnight()
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let cold = try await Self.reads(cli)
        let kept = try await cli.ok("snapshot")
        #expect(kept.stdout.contains("Kept the snapshots at seq \(DemoLedger.drafts.count)"), "\(kept.stdout)")
        #expect(kept.stdout.contains("team's view (counts)") && kept.stdout.contains("public view (counts)"), "\(kept.stdout)")
        #expect(try await RawDatabase.at(cli.database).strings("SELECT DISTINCT audience || ' ' || detail FROM projection_snapshots ORDER BY 1")
                == ["internal counts", "internal full", "public counts", "public full"])
        for (command, output) in try await Self.reads(cli) {
            #expect(output == cold[command], "\(command) differs once a snapshot exists")
        }
        // Written after the snapshot: folded on top of it, the same as from seq 1.
        try await cli.ok("followup", "add", "cndh-rec-juarez", "--on", "2023-07-20", "--kind", "meeting", "--note", "Después de la instantánea <b>")
        try await cli.ok("commitment", "set-status", "cndh-rec-juarez", "in-progress", "--basis", "claimed", "--on", "2023-07-21",
                   "--rationale", "Said so", "--source", "https://www.cndh.org.mx/")
        let warm = try await Self.reads(cli)
        try await RawDatabase.at(cli.database).run("DELETE FROM projection_snapshots")
        for (command, output) in try await Self.reads(cli) {
            #expect(output == warm[command], "\(command) differs between the snapshot and the chain")
        }
        #expect(warm["status --json"] != cold["status --json"], "the new entries show")
    }

    /// `log` chooses its entries from the counts fold and reads whole only those it
    /// lists: the same lines, text and JSON, as listing them from the full fold.
    @Test(arguments: StoreKind.allCases)
    func logListsWhatTheFullFoldHolds(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let followup = try #require(try await cli.json("log", "--subject", "cndh-rec-juarez") as? [[String: Any]])
            .first { $0["type"] as? String == "followup.logged" }
        let seq = try #require(followup?["seq"] as? Int)
        try await cli.ok("entry", "correct", "\(seq)", "--set", "note=The meeting was <postponed>.", "--reason", "Misheard")
        try await cli.ok("snapshot")
        let since = CalendarDay("2023-08-01")!
        for (arguments, audience, subject, after, limit) in [
            ([], Visibility.internal, nil, nil, 500), (["--public"], .public, nil, nil, 500),
            (["--subject", "cndh-rec-juarez"], .internal, "cndh-rec-juarez", nil, 500),
            // Few, so the newest of the follow-ups and of the other entries are interleaved and cut.
            (["--since", since.description], .internal, nil, since, 7), (["--public"], .public, nil, nil, 4),
        ] as [([String], Visibility, String?, CalendarDay?, Int)] {
            let expected = try await Ledger.withLedger(at: try LedgerLocation(cli.database), access: .read) { ledger in
                let records = try await ledger.records(audience: audience)
                let state = LedgerState(records: records, asOf: .today())
                let listed = records.records.reversed().filter { record in
                    (subject == nil || record.subject == subject) && (after.map { record.effective.day >= $0 } ?? true)
                }.prefix(limit)
                return (json: try ReportJSON.encode(listed.map { RecordJSON($0, in: state) }),
                        text: listed.map { EntryDescription.line(for: $0, in: state) }, followups: listed.count(where: { $0.type == .followupLogged }))
            }
            #expect(expected.followups > 0 || subject != nil || limit < 500, "\(arguments): follow-ups are listed")
            let json = try await cli.run(["log", "--json", "--limit", "\(limit)"] + arguments)
            #expect(json.status == 0 && json.stdout == expected.json, "\(arguments): \(json.stderr)")
            let text = try await cli.run(["log", "--limit", "\(limit)"] + arguments).stdout
            #expect(expected.text.allSatisfy { text.contains($0) }, "\(arguments)")
        }
        #expect(try await cli.ok("log", "--subject", "cndh-rec-juarez").stdout.contains("The meeting was <postponed>."))
    }

    /// `verify` finds a snapshot that is not the chain's fold (reads trust it), and
    /// `snapshot --rebuild` replaces it.
    @Test(arguments: StoreKind.allCases)
    func verifyFindsAForgedSnapshotAndRebuildReplacesIt(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        let original = try await cli.demoWithAForgedSnapshot(note: "Forged in the snapshot.")
        // `log` chooses from the counts and reads the entries it lists from the chain.
        #expect(!(try await cli.ok("log", "--public").stdout.contains("Forged in the snapshot.")))
        try await Ledger.withLedger(at: try LedgerLocation(cli.database), access: .write) { ledger in
            _ = try await Forgery.rewritePublicSnapshot(of: ledger, detail: .counts, entryType: .demandRecorded, field: "title",
                                                        to: "Forged in the counts.")
        }
        let trusting = try await cli.ok("status", "--public", "--json").stdout
        #expect(trusting.contains("Forged in the counts."), "status trusts a counts snapshot whose head is the chain's")
        let demand = try #require(DemoLedger.drafts.last { $0.type == .demandRecorded && $0.visibility == .public }).subject
        let shown = try await cli.ok("show", demand, "--public").stdout
        #expect(!shown.contains("Forged"), "show reads its subject's entries from the chain, not from a snapshot: \(shown)")

        let verified = try await cli.run("verify")
        #expect(verified.status == 1, "\(verified.stdout)")
        #expect(verified.stderr.contains("the snapshot of the public view at seq \(DemoLedger.drafts.count) is not the fold of the chain")
                && verified.stderr.contains("the snapshot of the public view (counts) at seq \(DemoLedger.drafts.count) is not the fold")
                && verified.stderr.contains("ledgerctl snapshot --rebuild"), "\(verified.stderr)")
        let verifiedJSON = try await cli.run("verify", "--json").stdout
        let json = try #require(try JSONSerialization.jsonObject(with: Data(verifiedJSON.utf8)) as? [String: Any])
        #expect((json["snapshot_problems"] as? [String])?.count == 2, "\(json)")
        #expect(try await cli.run("verify", "--skip-snapshots").status == 0, "the chain itself is intact")

        try await cli.ok("snapshot", "--rebuild")
        #expect(try await cli.run("verify").status == 0)
        #expect(!(try await cli.ok("status", "--public", "--json").stdout.contains("Forged in the counts.")))
        let log = try await cli.ok("log", "--public").stdout
        #expect(!log.contains("Forged in the snapshot.") && log.contains(String(original.prefix(20))), "\(original)")
    }
}

/// Long commands show how far they are on a terminal, and stay silent in scripts.
@Suite("Progress")
struct ProgressTests {
    @Test func progressIsShownWhenAskedAndNeverInAScriptOtherwise() async throws {
        let source = try CLI()
        defer { source.cleanUp() }
        try await source.ok("demo")
        let exported = try await source.ok("export").stdout
        let cli = try CLI()
        defer { cli.cleanUp() }
        let file = cli.directory.appendingPathComponent("ledger.jsonl").path
        try exported.write(toFile: file, atomically: true, encoding: .utf8)
        let count = exported.split(separator: "\n").count
        let imported = try await cli.run(["import", file, "--progress"])
        #expect(imported.status == 0)
        #expect(imported.stderr.contains("\r\u{1B}[KChecking: \(count) of \(count) entries (100%)"), "\(imported.stderr)")
        for command in [["verify"], ["export"], ["snapshot"]] {
            let shown = try await cli.run(command + ["--progress"])
            #expect(shown.stderr.contains("of \(count) entries (100%)"), "\(command): \(shown.stderr)")
            // Standard error is a file here, as in a script: nothing unless asked.
            let silent = try await cli.run(command)
            #expect(!silent.stderr.contains("\u{1B}[K"), "\(command): \(silent.stderr)")
            #expect(!(try await cli.run(command + ["--quiet"]).stderr.contains("\u{1B}[K")))
        }
        let both = try await cli.run(["verify", "--progress", "--quiet"])
        #expect(both.status != 0 && both.stderr.contains("--progress or --quiet"))
    }
}
