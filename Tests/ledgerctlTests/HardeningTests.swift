import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import GRDB
import Ledger
import LedgerTestSupport
import Testing

/// Every way into the ledger obeys the rules `append` obeys, reads never write, and a
/// ledger that fails verification says so everywhere. Over 400 lines on purpose: one door
/// per test, side by side, so that a door added is checked the way its neighbours are.
@Suite("Every door holds")
struct HardeningTests {
    /// One crafted file: what was done to the demo's export, which line and field the
    /// refusal must name.
    struct Attack: CustomStringConvertible, Sendable {
        let description: String
        let field: String
        let craft: @Sendable ([Entry]) -> [Entry]
    }

    /// The demo's entries from seq 4 on are the file; seqs 1-3 are already in the target.
    static let prefixLength = 3

    static func index(_ entries: [Entry], _ predicate: (Entry) -> Bool) -> Int {
        entries.indices.first { $0 >= prefixLength && predicate(entries[$0]) }!
    }

    static func replacing(_ entries: [Entry], at index: Int, _ change: (Entry) -> Entry) -> [Entry] {
        var changed = entries
        changed[index] = change(entries[index])
        return changed
    }

    static func firstDemand(_ entries: [Entry]) -> Int { index(entries) { $0.type == .demandRecorded } }
    static func firstCommitment(_ entries: [Entry]) -> Int { index(entries) { $0.type == .commitmentRecorded } }

    static let attacks: [Attack] = [
        Attack(description: "a javascript: source", field: "sources[0]") { entries in
            replacing(entries, at: firstDemand(entries)) { Crafted.with($0, "sources", .array([.string("javascript:alert(document.cookie)")])) }
        },
        Attack(description: "a data: source", field: "sources[0]") { entries in
            replacing(entries, at: firstDemand(entries)) { Crafted.with($0, "sources", .array([.string("data:text/html,<script>alert(1)</script>")])) }
        },
        Attack(description: "a file: source", field: "sources[0]") { entries in
            replacing(entries, at: firstCommitment(entries)) { Crafted.with($0, "sources", .array([.string("file:///etc/passwd")])) }
        },
        Attack(description: "a source with < in its query", field: "sources[0]") { entries in
            replacing(entries, at: firstCommitment(entries)) { Crafted.with($0, "sources", .array([.string("https://example.org/x?a=1&b=<2>")])) }
        },
        Attack(description: "a control character in a title", field: "title") { entries in
            replacing(entries, at: firstDemand(entries)) { Crafted.with($0, "title", .string("Stop the flow\u{1B}[2J of weapons")) }
        },
        Attack(description: "a control character in an author", field: "author") { entries in
            replacing(entries, at: firstDemand(entries)) { entry in
                var changed = entry
                changed.author = "ana\u{07}"
                return changed
            }
        },
        Attack(description: "an empty title", field: "title") { entries in
            replacing(entries, at: firstDemand(entries)) { Crafted.with($0, "title", .string("")) }
        },
        Attack(description: "a title of only U+202E", field: "title") { entries in
            replacing(entries, at: firstDemand(entries)) { Crafted.with($0, "title", .string("\u{202E}")) }
        },
        Attack(description: "a line separator in a note", field: "note") { entries in
            replacing(entries, at: index(entries) { $0.type == .followupLogged }) { Crafted.with($0, "note", .string("first\u{2028}second")) }
        },
        Attack(description: "a reference to an actor that does not exist", field: "actor") { entries in
            replacing(entries, at: firstCommitment(entries)) { Crafted.with($0, "actor", .string("ghost-ministry")) }
        },
        Attack(description: "an effective date in 2099", field: "effective") { entries in
            replacing(entries, at: index(entries) { $0.type == .followupLogged }) { entry in
                var changed = entry
                changed.effective = EffectiveTime("2099-01-01")!
                return changed
            }
        },
        Attack(description: "schema 2", field: "schema") { entries in
            replacing(entries, at: firstDemand(entries)) { entry in
                var changed = entry
                changed.schema = 2
                return changed
            }
        },
        Attack(description: "an actor registered twice", field: "subject") { entries in
            let actor = entries.first { $0.type == .actorRegistered }!
            return entries + [Crafted.following(entries.last!, EntryDraft(
                type: .actorRegistered, subject: actor.subject, effective: actor.effective, author: actor.author, payload: actor.payload))]
        },
        Attack(description: "a public status change on an internal commitment", field: "visibility") { entries in
            let hidden = entries.first { $0.type == .commitmentRecorded && $0.visibility == .internal }!
            return entries + [Crafted.following(entries.last!, EntryDraft(
                type: .statusChanged, subject: hidden.subject, effective: EffectiveTime("2023-10-05")!, author: "policy-team",
                visibility: .public, payload: .object([
                    "status": .string("fulfilled"), "basis": .string("verified"),
                    "rationale": .string("qqleakqq"), "sources": .array([.string("https://example.org/")]),
                ])))]
        },
        Attack(description: "a recording time in the future", field: "recorded_at") { entries in
            replacing(entries, at: entries.count - 1) { entry in
                var changed = entry
                changed.recordedAt = "2099-01-01T00:00:00.000Z"
                return changed
            }
        },
        Attack(description: "a recording time before the previous entry's", field: "recorded_at") { entries in
            replacing(entries, at: entries.count - 1) { entry in
                var changed = entry
                changed.recordedAt = "2020-01-01T00:00:00.000Z"
                return changed
            }
        },
    ]

    /// Which line of the file (the entries after the prefix) differs from the honest export.
    static func changedLine(_ crafted: [Entry], _ honest: [Entry]) -> Int {
        let body = Array(crafted.dropFirst(prefixLength))
        let original = Array(honest.dropFirst(prefixLength))
        let index = body.indices.first { $0 >= original.count || body[$0].payload != original[$0].payload
            || body[$0].author != original[$0].author || body[$0].effective != original[$0].effective
            || body[$0].schema != original[$0].schema || body[$0].recordedAt != original[$0].recordedAt }!
        return index + 1
    }

    @Test(arguments: StoreKind.allCases)
    func craftedFilesWithConsistentHashesAreRefusedLineAndField(_ kind: StoreKind) async throws {
        let demo = try CLI()
        defer { demo.cleanUp() }
        try await demo.ok("demo")
        let honest = try Crafted.entries(exported: try await demo.snapshot())
        let target = try await CLI.on(kind)
        defer { target.cleanUp() }
        let prefix = target.directory.appendingPathComponent("prefix.jsonl")
        try Crafted.file(Array(honest.prefix(Self.prefixLength))).write(to: prefix, atomically: true, encoding: .utf8)
        try await target.ok("import", prefix.path)
        let before = try await target.snapshot()
        let checksum = kind == .sqlite ? try fileChecksum(target.database) : nil

        // The honest rest imports into a copy, so the files differ from it only in the attack.
        let control = try await CLI.on(kind)
        defer { control.cleanUp() }
        let whole = control.directory.appendingPathComponent("whole.jsonl")
        try Crafted.file(honest).write(to: whole, atomically: true, encoding: .utf8)
        try await control.ok("import", whole.path)

        for attack in Self.attacks {
            let crafted = Crafted.rechained(attack.craft(honest))
            let line = Self.changedLine(crafted, honest)
            let file = target.directory.appendingPathComponent("attack.jsonl")
            try Crafted.file(Array(crafted.dropFirst(Self.prefixLength))).write(to: file, atomically: true, encoding: .utf8)
            let result = try await target.run("import", file.path)
            #expect(result.status == 65, "\(attack) was not refused as bad input: \(result.stderr)")
            #expect(result.stderr.contains("line \(line): \(attack.field)"), "\(attack): \(result.stderr)")
            #expect(try await target.snapshot() == before, "\(attack) wrote something")
            if let checksum { #expect(try fileChecksum(target.database) == checksum, "\(attack) changed the file") }
        }
    }

    @Test(arguments: StoreKind.allCases)
    func aCorrectionMustLeaveAPossibleTimeline(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let entries = try Crafted.entries(exported: try await cli.snapshot())
        let commitment = try #require(entries.first { $0.subject == "cndh-rec-juarez" && $0.type == .commitmentRecorded })
        let status = try #require(entries.first { $0.subject == "cndh-rec-juarez" && $0.type == .statusChanged })
        let before = try await cli.snapshot()
        for (seq, date, words) in [
            (commitment.seq, "2099-01-01", "is in the future"),
            (commitment.seq, "2023-09-01", "is after the"),
            (status.seq, "2023-01-01", "is before commitment 'cndh-rec-juarez' was recorded"),
        ] {
            let result = try await cli.run("entry", "correct", "\(seq)", "--set", "effective=\(date)", "--reason", "Typo")
            #expect(result.status == 65)
            #expect(result.stderr.contains("fields.effective: \(date) \(words)"), "\(result.stderr)")
        }
        #expect(try await cli.snapshot() == before)
        // A date that keeps the timeline possible is still a correction like any other.
        try await cli.ok("entry", "correct", "\(commitment.seq)", "--set", "effective=2023-07-09", "--reason", "The recommendation is dated the 9th")
        #expect(try await cli.ok("show", "cndh-rec-juarez").stdout.contains("2023-07-09"))
    }

    // MARK: Reads are reads

    /// Runs ledgerctl as `nobody` (when this is root, so the file's mode really binds), from a
    /// copy of the binary that user can execute.
    static let nobodyBinary: URL? = {
        guard getuid() == 0 else { return nil }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("ledgerctl-nobody-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o755])
        let copy = folder.appendingPathComponent("ledgerctl")
        try? FileManager.default.copyItem(at: CLI.binary, to: copy)
        try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: copy.path)
        return copy
    }()

    /// The same ledger, used by someone who may only read it.
    static func reader(_ cli: CLI) -> CLI {
        CLI(directory: cli.directory, database: cli.database, nobodyBinary: nobodyBinary)
    }

    static func runReadOnly(_ cli: CLI, _ arguments: [String]) async throws -> CLI.Result {
        try await reader(cli).run(arguments)
    }

    @Test func aFileTheUserMayOnlyReadServesEveryRead() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: cli.database + suffix) }
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: cli.database)
        // Run as nobody, who cannot write the folder either, so SQLite cannot create the
        // WAL's shared-memory file next to the ledger.
        if Self.nobodyBinary != nil {
            try FileManager.default.setAttributes([.posixPermissions: 0o555], ofItemAtPath: cli.directory.path)
        }
        defer { try? FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: cli.directory.path) }
        let checksum = try fileChecksum(cli.database)
        let export = try await cli.snapshot()
        for arguments in [["status"], ["status", "--public", "--json"], ["show", "cndh-rec-juarez"], ["log", "--limit", "5"],
                          ["report", "monthly", "2023-07"], ["verify"], ["export"]] {
            let result = try await Self.runReadOnly(cli, arguments + ["--database", cli.database])
            #expect(result.status == 0, "\(arguments) on a read-only file: \(result.stderr)")
            #expect(try fileChecksum(cli.database) == checksum, "\(arguments) changed the file")
        }
        #expect(try await Self.runReadOnly(cli, ["export", "--database", cli.database]).stdout == export)
        let write = try await Self.runReadOnly(cli, ["followup", "add", "justice-juarez-fire", "--on", "2023-08-01", "--note", "x", "--database", cli.database])
        #expect(write.status != 0, "a write on a read-only file must fail")
        #expect(try fileChecksum(cli.database) == checksum)
    }

    @Test func aReadOnlyFileIsServedWithoutWrites() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let token = try #require(try await cli.ok("token", "add", "maria").stdout.split(separator: "\n").first { $0.hasPrefix("ldg_") }.map(String.init))
        for suffix in ["-wal", "-shm"] { try? FileManager.default.removeItem(atPath: cli.database + suffix) }
        try FileManager.default.setAttributes([.posixPermissions: 0o444], ofItemAtPath: cli.database)
        let checksum = try fileChecksum(cli.database)
        let server = try await ServeCommandTests.Server.start(Self.reader(cli))
        let (status, page) = try await ServeCommandTests.request(server.base + "/?lang=es")
        #expect(status == 200)
        #expect(page.contains("Justicia"))
        let (written, body) = try await ServeCommandTests.request(server.base + "/api/v1/entries", method: "POST",
            body: #"{"type":"followup.logged","subject":"justice-juarez-fire","effective":"2023-08-01","payload":{"note":"x"}}"#,
            headers: ["Authorization": "Bearer \(token)"])
        #expect(written == 503, "\(body)")
        #expect(body.contains("reading only"))
        _ = try await server.stop()
        #expect(try fileChecksum(cli.database) == checksum)
    }

    static let postgres = ConditionTrait.enabled(if: PostgresTestServer.isEnabled, Comment(rawValue: PostgresTestServer.skipMessage))

    static func databaseName(_ cli: CLI) throws -> String {
        try #require(URLComponents(string: cli.database)?.path.dropFirst().description)
    }

    @Test(postgres)
    func aReadOnlyPostgresRoleCanReadEverything() async throws {
        let cli = try await CLI.on(.postgres)
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let before = try await cli.snapshot()
        let name = try Self.databaseName(cli)
        let role = "ledger_reader_" + name.suffix(8)
        try await PostgresTestServer.execute([
            "CREATE ROLE \(role) LOGIN",
            "GRANT CONNECT ON DATABASE \(name) TO \(role)",
            "GRANT USAGE ON SCHEMA public TO \(role)",
            "GRANT SELECT ON ledger_entries, schema_migrations, api_tokens, log_checkpoints, report_editions, team_members, team_sessions, sign_in_failures, mail_deliveries, webhooks, webhook_deliveries TO \(role)",
        ], database: name)
        defer {
            // Roles belong to the whole server, not the test's database.
            Task.detached {
                try? await PostgresTestServer.execute(["DROP OWNED BY \(role)", "REVOKE CONNECT ON DATABASE \(name) FROM \(role)", "DROP ROLE \(role)"], database: name)
            }
        }
        let reader = try PostgresTestServer.databaseURL(PostgresTestServer.url!, name: name, user: role)
        for arguments in [["status"], ["show", "cndh-rec-juarez"], ["log", "--limit", "5"], ["report", "monthly", "2023-07"], ["verify"], ["export"]] {
            let result = try await cli.run(arguments + ["--database", reader])
            #expect(result.status == 0, "\(arguments) as a read-only role: \(result.stderr)")
            #expect(!result.stderr.contains("warning"), "\(arguments): \(result.stderr)")
        }
        let write = try await cli.run("followup", "add", "justice-juarez-fire", "--on", "2023-08-01", "--note", "x", "--database", reader)
        #expect(write.status == 74, "\(write.stderr)")
        let reading = CLI(directory: cli.directory, database: reader)
        let server = try await ServeCommandTests.Server.start(reading)
        let (served, _) = try await ServeCommandTests.request(server.base + "/")
        #expect(served == 200)
        _ = try await server.stop()
        #expect(try await cli.snapshot() == before)
    }

    @Test(arguments: StoreKind.allCases)
    func anEmptyOrForeignDatabaseIsNotALedgerAndStaysAsItWas(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        if kind == .sqlite {
            try Data().write(to: URL(fileURLWithPath: cli.database))
            let foreign = cli.directory.appendingPathComponent("foreign.sqlite").path
            try behindTheLedger(foreign, "CREATE TABLE contacts (name TEXT)")
            let foreignSum = try fileChecksum(foreign)
            for command in [["verify"], ["status"], ["log"], ["followup", "add", "x", "--on", "2023-08-01", "--note", "n"]] {
                let empty = try await cli.run(command)
                #expect(empty.status == 66, "\(command): \(empty.stderr)")
                #expect(empty.stderr.contains("is not a ledger (an empty database)"))
                #expect(try Data(contentsOf: URL(fileURLWithPath: cli.database)).isEmpty, "\(command) wrote to the empty file")
                let other = try await cli.run(command + ["--database", foreign])
                #expect(other.status == 66)
                #expect(other.stderr.contains("not a ledger: it is a SQLite database with other tables (contacts)"), "\(other.stderr)")
                #expect(try fileChecksum(foreign) == foreignSum)
            }
            let initialised = try await cli.run("init", "--database", foreign)
            #expect(initialised.status == 66, "init does not take over another program's database")
            #expect(try fileChecksum(foreign) == foreignSum)
        } else {
            for command in [["verify"], ["status"]] {
                let result = try await cli.run(command)
                #expect(result.status == 66, "\(command): \(result.stderr)")
                #expect(result.stderr.contains("no ledger in"))
            }
        }
        try await cli.ok("init")
        try await cli.ok("verify")
    }

    // MARK: A broken ledger is loud

    /// Changes one character of seq 20's payload with the triggers out of the way, as a
    /// database administrator could.
    static func tamper(_ path: String) throws {
        let changed = try behindTheLedger(path,
            "DROP TRIGGER ledger_entries_no_update",
            "UPDATE ledger_entries SET payload = replace(payload, 'Expand asylum', 'Expand asyluM') WHERE seq = 20")
        #expect(changed == 1)
        // The trigger back exactly as it was, so only the chain can tell.
        try behindTheLedger(path, """
            CREATE TRIGGER ledger_entries_no_update BEFORE UPDATE ON ledger_entries
            BEGIN
                SELECT RAISE(ABORT, 'ledger_entries is append-only: UPDATE is not allowed');
            END
            """)
    }

    @Test func serveShowsAndRefusesATamperedLedger() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let token = try #require(try await cli.ok("token", "add", "maria").stdout.split(separator: "\n").first { $0.hasPrefix("ldg_") }.map(String.init))
        try Self.tamper(cli.database)
        let verify = try await cli.run("verify")
        #expect(verify.status == 1)
        #expect(verify.stdout.contains("Chain BROKEN at seq 20"))
        let before = try await cli.snapshot()

        let server = try await ServeCommandTests.Server.start(cli)
        for (path, words) in [("/", "failed verification at seq 20"), ("/?lang=es", "no pasó la verificación en la entrada 20"),
                              ("/demands/stop-arms-flow", "failed verification at seq 20"), ("/reports/2023-07", "failed verification at seq 20"),
                              ("/feed.atom", "urn:x-accountability-ledger:integrity:seq-20"), ("/feed.json", "failed verification at seq 20")] {
            let (status, body) = try await ServeCommandTests.request(server.base + path)
            #expect(status == 200, "\(path)")
            #expect(body.contains(words), "\(path) does not warn")
        }
        let (statusCode, statusBody) = try await ServeCommandTests.request(server.base + "/api/v1/status")
        #expect(statusCode == 503)
        let failure = try #require((try JSONSerialization.jsonObject(with: Data(statusBody.utf8)) as? [String: Any])?["error"] as? [String: Any])
        #expect(failure["failed_at_seq"] as? Int == 20)
        let (written, body) = try await ServeCommandTests.request(server.base + "/api/v1/entries", method: "POST",
            body: #"{"type":"followup.logged","subject":"justice-juarez-fire","effective":"2023-08-01","payload":{"note":"x"}}"#,
            headers: ["Authorization": "Bearer \(token)"])
        #expect(written == 503, "\(body)")
        #expect(body.contains("writes are refused"))
        #expect(try await server.stop() == 0)
        #expect(server.log.contains("FAILED verification"))
        #expect(server.log.contains("seq=20"))
        #expect(try await cli.snapshot() == before, "nothing was written")
    }

    /// A server with a stored snapshot answers its status page before the chain is verified;
    /// a write waits for the verification and is refused, the pages warn once it ends, and
    /// with `--verify-first` the very first page warns.
    @Test func aServerStartedFromTheCountsStillRefusesATamperedLedger() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let token = try #require(try await cli.ok("token", "add", "maria").stdout.split(separator: "\n").first { $0.hasPrefix("ldg_") }.map(String.init))
        try await cli.ok("snapshot")
        try Self.tamper(cli.database)
        let before = try await cli.snapshot()

        let server = try await ServeCommandTests.Server.start(cli)
        let (written, body) = try await ServeCommandTests.request(server.base + "/api/v1/entries", method: "POST",
            body: #"{"type":"followup.logged","subject":"justice-juarez-fire","effective":"2023-08-01","payload":{"note":"x"}}"#,
            headers: ["Authorization": "Bearer \(token)"])
        #expect(written == 503 && body.contains("failed verification at seq 20"), "\(body)")
        // By then the verification has ended: every page warns.
        for path in ["/", "/demands/stop-arms-flow"] {
            #expect(try await ServeCommandTests.request(server.base + path).1.contains("failed verification at seq 20"), "\(path)")
        }
        #expect(try await ServeCommandTests.request(server.base + "/api/v1/status").0 == 503)
        #expect(try await server.stop() == 0)

        let first = try await ServeCommandTests.Server.start(cli, ["--verify-first"])
        #expect(try await ServeCommandTests.request(first.base + "/").1.contains("failed verification at seq 20"), "the first page warns")
        #expect(try await first.stop() == 0)
        #expect(try await cli.snapshot() == before, "nothing was written")
    }

    @Test(postgres)
    func postgresTriggersAreComparedWithTheMigrations() async throws {
        let cli = try await CLI.on(.postgres)
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let name = try Self.databaseName(cli)
        #expect(!(try await cli.run("verify").stderr.contains("warning")), "an intact database raises no warning")
        for (statements, problem) in [
            (["ALTER TABLE ledger_entries DISABLE TRIGGER ledger_entries_append_only"], "ledger_entries_append_only on ledger_entries is disabled"),
            (["ALTER TABLE ledger_entries ENABLE TRIGGER ledger_entries_append_only",
              "CREATE OR REPLACE FUNCTION ledger_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN NULL; END; $$"],
             "the function ledger_refuse_change behind the trigger"),
            (["DROP TRIGGER ledger_entries_chain ON ledger_entries"], "ledger_entries_chain on ledger_entries is missing"),
        ] {
            try await PostgresTestServer.execute(statements, database: name)
            for command in ["status", "verify"] {
                let result = try await cli.run(command)
                #expect(result.status == 0)
                #expect(result.stderr.contains("warning: \(problem)") || result.stderr.contains(problem), "\(command): \(result.stderr)")
            }
        }
    }

    @Test func serveNoticesABadEntryWrittenWhileItRuns() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let server = try await ServeCommandTests.Server.start(cli)
        let (before, _) = try await ServeCommandTests.request(server.base + "/api/v1/status")
        #expect(before == 200)
        // Seq 29 linked to seq 28 but carrying seq 28's hash, slipped in past the chain trigger.
        try behindTheLedger(cli.database, "DROP TRIGGER ledger_entries_chain", """
            INSERT INTO ledger_entries SELECT 29, '00000000-0000-4000-8000-000000000029', type, schema_version, subject, effective,
                recorded_at, author, visibility, payload, salt, hash, hash FROM ledger_entries WHERE seq = 28
            """)
        // Bounded by attempts, not by the clock: under the full suite, other tests block the
        // runner's threads for seconds at a time, and a sleeping loop would miss its deadline.
        var failure: [String: Any]?
        for _ in 0..<100 where failure == nil {
            let (status, body) = try await ServeCommandTests.request(server.base + "/api/v1/status")
            if status == 503 { failure = (try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])?["error"] as? [String: Any] }
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(failure?["failed_at_seq"] as? Int == 29, "the server never noticed: \(String(describing: failure))\n\(server.log)")
        let (_, page) = try await ServeCommandTests.request(server.base + "/")
        #expect(page.contains("failed verification at seq 29"))
        _ = try await server.stop()
        #expect(server.log.contains("FAILED verification"))
    }

    @Test func missingTriggersAreReportedByStatusVerifyAndServe() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        try behindTheLedger(cli.database, "DROP TRIGGER ledger_entries_no_delete")
        for command in ["status", "verify"] {
            let result = try await cli.run(command)
            #expect(result.status == 0, "the chain itself is intact")
            #expect(result.stderr.contains("warning: the append-only trigger ledger_entries_no_delete is missing"), "\(command): \(result.stderr)")
        }
        let server = try await ServeCommandTests.Server.start(cli)
        let (_, page) = try await ServeCommandTests.request(server.base + "/")
        #expect(page.contains("lost its append-only protection"))
        let (status, _) = try await ServeCommandTests.request(server.base + "/api/v1/status")
        #expect(status == 503)
        _ = try await server.stop()
        #expect(server.log.contains("ledger_entries_no_delete is missing"))
    }

    // MARK: Smaller doors

    @Test func sharedOptionsMayComeBeforeTheCommand() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let elsewhere = try CLI(database: "/nonexistent/ledger.sqlite")
        defer { elsewhere.cleanUp() }
        for arguments in [["--database", cli.database, "status"], ["--database=\(cli.database)", "verify"],
                          ["--author", "ana", "--database", cli.database, "log", "--limit", "1"]] {
            let result = try await elsewhere.run(arguments)
            #expect(result.status == 0, "\(arguments): \(result.stderr)")
        }
        let written = try await elsewhere.run("--database", cli.database, "--author", "ana", "followup", "add", "justice-juarez-fire",
                                        "--on", "2023-08-01", "--note", "Reunión")
        #expect(written.status == 0, "\(written.stderr)")
        #expect(try await cli.ok("log", "--limit", "1").stdout.contains("by ana"))
        #expect(try await cli.ok("--help").stdout.contains("--database and --author may come before the command"))
    }

    @Test func verifySaysPlainlyWhereTheChainBreaks() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        try behindTheLedger(cli.database, "DROP TRIGGER ledger_entries_no_update", "UPDATE ledger_entries SET author = 'someone else' WHERE seq = 1")
        let first = try await cli.run("verify")
        #expect(first.status == 1)
        #expect(first.stdout.contains("Chain BROKEN at seq 1"))
        #expect(first.stdout.contains("No entry before it can be trusted."), "\(first.stdout)")
        #expect(!first.stdout.contains("1-0"))

        // A row copied under a new seq is a duplicate, not a gap.
        let copy = try CLI()
        defer { copy.cleanUp() }
        try await copy.ok("demo")
        try behindTheLedger(copy.database, "DROP TRIGGER ledger_entries_chain", """
            INSERT INTO ledger_entries SELECT seq + 1, id || '-copy', type, schema_version, subject, effective, recorded_at,
                author, visibility, payload, salt, prev_hash, hash FROM ledger_entries WHERE seq = (SELECT max(seq) FROM ledger_entries)
            """)
        let duplicate = try await copy.run("verify")
        #expect(duplicate.status == 1)
        #expect(duplicate.stdout.contains("is a copy of seq 28 (the same hash): a row was duplicated"), "\(duplicate.stdout)")
        #expect(duplicate.stderr.contains("warning: the append-only trigger ledger_entries_chain is missing"))
    }

    @Test func anHTTP10ConnectionClosesAfterItsAnswer() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let server = try await ServeCommandTests.Server.start(cli)
        let port = try #require(server.base.split(separator: ":").last.map(String.init))
        let client = """
            import socket, sys, time
            s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.settimeout(5)
            s.sendall(b"GET /api/v1/status HTTP/1.0\\r\\nHost: x\\r\\n\\r\\n")
            data = b""
            try:
                while True:
                    chunk = s.recv(65536)
                    if not chunk: print("closed", data.split(b" ")[1].decode()); break
                    data += chunk
            except socket.timeout:
                print("still open")
            """
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", client, port]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        await process.exited()
        let said = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(said.trimmingCharacters(in: .whitespacesAndNewlines) == "closed 200")
        _ = try await server.stop()
    }
}
