import Foundation
import GRDB
import Ledger
import LedgerTestSupport
import Testing

@Suite("ledgerctl as a real process")
struct LedgerctlTests {
    /// A small ledger built through the commands the policy team uses.
    func seededCLI(_ kind: StoreKind = .sqlite) async throws -> CLI {
        let cli = try await CLI.on(kind)
        try await cli.ok("init")
        try await cli.ok("actor", "add", "pmpj", "--name", "People's Movement for Peace and Justice", "--kind", "coalition", "--on", "2023-01-09")
        try await cli.ok("actor", "add", "cndh", "--name", "National Human Rights Commission", "--name-es", "Comisión Nacional de los Derechos Humanos",
                   "--kind", "institution", "--country", "MX", "--on", "2023-01-09")
        try await cli.ok("demand", "add", "justice-juarez-fire", "--title", "Justice for the victims of the Ciudad Juárez fire",
                   "--title-es", "Justicia para las víctimas del incendio de Ciudad Juárez", "--on", "2023-06-30",
                   "--by", "pmpj", "--target", "cndh", "--source", "https://globalexchange.org/")
        try await cli.ok("commitment", "add", "cndh-rec-juarez", "--demand", "justice-juarez-fire", "--actor", "cndh",
                   "--kind", "recommendation", "--on", "2023-07-10", "--due", "2023-09-30",
                   "--summary", "Recommendation in favour of the victims", "--source", "https://www.cndh.org.mx/")
        return cli
    }

    @Test(arguments: StoreKind.allCases)
    func demoLoadsOnceAndShowsWhatToTryNext(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        let first = try await cli.ok("demo")
        #expect(first.stdout.contains("\(DemoLedger.drafts.count) entries added"))
        #expect(first.stdout.contains("justice-juarez-fire"))
        #expect(first.stdout.contains("Try next"))
        let second = try await cli.ok("demo")
        #expect(second.stdout.contains("nothing added"))
        let status = try #require(try await cli.json("status", "--as-of", "2023-07-31") as? [String: Any])
        #expect((status["head"] as? [String: Any])?["seq"] as? Int == DemoLedger.drafts.count)
        #expect((status["demands"] as? [Any])?.count == 8)
        #expect((status["commitments"] as? [Any])?.count == 3, "the illustrative internal pledge of 2023-07-20 included")
        let publicStatus = try #require(try await cli.json("status", "--as-of", "2023-07-31", "--public") as? [String: Any])
        #expect((publicStatus["commitments"] as? [Any])?.count == 2)
        #expect((status["demands_by_status"] as? [String: Int])?["no-response"] == 2)
        #expect(try await cli.ok("verify").stdout.contains("Chain intact: \(DemoLedger.drafts.count) entries"))
    }

    @Test(arguments: StoreKind.allCases)
    func thePolicyTeamsDayOfWork(_ kind: StoreKind) async throws {
        let cli = try await seededCLI(kind)
        defer { cli.cleanUp() }
        try await cli.ok("commitment", "set-status", "cndh-rec-juarez", "in-progress", "--on", "2023-08-15", "--basis", "claimed",
                   "--rationale", "The authorities say they accepted it", "--source", "https://www.cndh.org.mx/")
        try await cli.ok("followup", "add", "cndh-rec-juarez", "--on", "2023-10-02", "--kind", "deadline-missed",
                   "--note", "30 September passed without a report", "--internal")
        var show = try #require(try await cli.json("show", "cndh-rec-juarez", "--as-of", "2023-10-10") as? [String: Any])
        let derived = try #require(show["derived"] as? [String: Any])
        #expect(derived["status"] as? String == "in-progress")
        #expect(derived["overdue_days"] as? Int == 10)
        #expect((show["timeline"] as? [Any])?.count == 3)

        // The due date was misread: correct it; the original entry stays.
        let corrected = try await cli.ok("entry", "correct", "4", "--reason", "Misread the due date", "--set", "due=2023-12-31")
        #expect(corrected.stdout.contains("Recorded correction of seq 4 as seq 7"))
        show = try #require(try await cli.json("show", "cndh-rec-juarez", "--as-of", "2023-10-10") as? [String: Any])
        #expect((show["fields"] as? [String: Any])?["due"] as? String == "2023-12-31")
        #expect((show["derived"] as? [String: Any])?["overdue_days"] == nil)
        let knownBefore = try #require(try await cli.json("status", "--as-of", "2023-10-10", "--known-at", "6") as? [String: Any])
        #expect(((knownBefore["commitments"] as? [[String: Any]])?.first?["overdue_days"]) as? Int == 10)

        try await cli.ok("entry", "retract", "5", "--reason", "Logged against the wrong commitment")
        let status = try #require(try await cli.json("status", "--as-of", "2023-10-10") as? [String: Any])
        #expect(((status["commitments"] as? [[String: Any]])?.first?["status"]) as? String == "announced")

        let log = try #require(try await cli.json("log", "--subject", "cndh-rec-juarez", "--limit", "2") as? [[String: Any]])
        #expect(log.map { $0["seq"] as? Int } == [8, 7])
        let publicLog = try #require(try await cli.json("log", "--public") as? [[String: Any]])
        #expect(!publicLog.contains { $0["visibility"] as? String == "internal" })
        #expect(try await cli.ok("verify").stdout.contains("Chain intact: 8 entries"))
    }

    /// Bad input: one line naming the field, a non-zero exit, and the ledger exactly as before.
    static let badInputs: [([String], String)] = [
        (["demand", "add", "x", "--title", "", "--on", "2023-07-01"], "title: is empty"),
        (["demand", "add", "x", "--title", "T", "--on", "2023-02-30"], "--on: '2023-02-30' is not a real date"),
        (["demand", "add", "Bad Id", "--title", "T", "--on", "2023-07-01"], "subject:"),
        (["demand", "add", "x", "--title", "T", "--on", "2023-07-01", "--by", "nobody"], "by[0]: no actor 'nobody'"),
        (["demand", "add", "x", "--title", "T", "--on", "2023-07-01", "--source", "javascript:alert(1)"], "sources[0]"),
        (["commitment", "add", "c2", "--demand", "nope", "--actor", "cndh", "--kind", "pledge", "--on", "2023-07-10",
          "--summary", "S", "--source", "https://example.org/"], "demands[0]: no demand 'nope'"),
        (["commitment", "add", "c2", "--demand", "justice-juarez-fire", "--actor", "cndh", "--kind", "promise", "--on", "2023-07-10",
          "--summary", "S", "--source", "https://example.org/"], "'promise' is invalid for '--kind <kind>'. Please provide one of the following: recommendation, pledge"),
        (["commitment", "add", "c2", "--demand", "justice-juarez-fire", "--actor", "cndh", "--kind", "pledge", "--on", "2023-07-10",
          "--summary", "S"], "sources: needs at least one item"),
        (["commitment", "set-status", "cndh-rec-juarez", "done", "--on", "2023-08-01", "--basis", "verified",
          "--rationale", "R", "--source", "https://example.org/"], "'done' is invalid for '<status>'"),
        (["commitment", "set-status", "cndh-rec-juarez", "fulfilled", "--on", "2023-08-01", "--basis", "hearsay",
          "--rationale", "R", "--source", "https://example.org/"], "'hearsay' is invalid for '--basis <basis>'. Please provide one of 'claimed' and 'verified'"),
        (["followup", "add", "nothing-here", "--on", "2023-08-01", "--note", "N"], "subject: no demand or commitment 'nothing-here'"),
        (["followup", "add", "cndh-rec-juarez", "--on", "2023-08-01", "--note", String(repeating: "n", count: 5_001)], "note: is 5001 characters"),
        (["entry", "correct", "4", "--reason", "R", "--set", "due=2023-09-31"], "fields.due: '2023-09-31' is not a real date"),
        (["entry", "correct", "4", "--reason", "R", "--set", "colour=red"], "fields.colour: is not a field"),
        (["entry", "correct", "99", "--reason", "R", "--set", "due=2023-10-01"], "SEQ: no entry with seq 99"),
        (["entry", "retract", "4", "--reason", " "], "reason: is empty"),
    ]

    @Test(arguments: StoreKind.allCases, badInputs)
    func badInputLeavesTheLedgerUnchanged(_ kind: StoreKind, _ badInput: ([String], String)) async throws {
        let (arguments, expected) = badInput
        let cli = try await seededCLI(kind)
        defer { cli.cleanUp() }
        let before = try await cli.snapshot()
        let result = try await CLI.finish(try cli.start(arguments))
        #expect(result.status != 0)
        #expect(result.stderr.contains(expected), "stderr was: \(result.stderr)")
        #expect(result.stderr.split(separator: "\n").count == 1, "one clear line")
        #expect(try await cli.snapshot() == before)
    }

    @Test(arguments: StoreKind.allCases)
    func appendValidatesEverythingFirstAndIsIdempotent(_ kind: StoreKind) async throws {
        let cli = try await seededCLI(kind)
        defer { cli.cleanUp() }
        let good = (0..<3).map { index in
            #"{"id":"00000000-0000-4000-8000-00000000000\#(index)","type":"followup.logged","subject":"cndh-rec-juarez","effective":"2023-08-0\#(index + 1)","payload":{"note":"Meeting \#(index)","kind":"meeting"}}"#
        }
        let bad = #"{"type":"status.changed","subject":"cndh-rec-juarez","effective":"2023-08-05","payload":{"status":"fulfilled","basis":"verified","rationale":"R","sources":[]}}"#
        let before = try await cli.snapshot()
        let rejected = try await cli.run("append", "-", stdin: (good + ["", bad]).joined(separator: "\n"))
        #expect(rejected.status == 65)
        #expect(rejected.stderr.contains("line 5: sources: needs at least one item"), "stderr: \(rejected.stderr)")
        #expect(try await cli.snapshot() == before)

        let malformed = try await cli.run("append", "-", stdin: good[0] + "\n{\"type\": ")
        #expect(malformed.stderr.contains("line 2"))
        #expect(try await cli.snapshot() == before)

        #expect(try await cli.ok("append", "-", stdin: good.joined(separator: "\n")).stdout.contains("Appended 3 entries (seq 5-7); 0 already present"))
        #expect(try await cli.ok("append", "-", stdin: good.joined(separator: "\n")).stdout.contains("Appended 0 entries"))
        #expect(try await cli.ok("verify").stdout.contains("7 entries"))
    }

    @Test func verifyCatchesAPayloadChangedBehindTheTriggersBack() async throws {
        let cli = try await seededCLI()
        defer { cli.cleanUp() }
        #expect(try await cli.run("verify").status == 0)
        try behindTheLedger(cli.database, "DROP TRIGGER ledger_entries_no_update",
                            "UPDATE ledger_entries SET payload = replace(payload, 'Justice', 'Amnesty') WHERE seq = 3")
        let result = try await cli.run("verify")
        #expect(result.status == 1)
        #expect(result.stdout.contains("Chain BROKEN at seq 3"))
        #expect(result.stderr.contains("seq 3"))
        let json = try JSONSerialization.jsonObject(with: Data(try await cli.run("verify", "--json").stdout.utf8)) as? [String: Any]
        #expect(json?["first_bad_seq"] as? Int == 3)
    }

    @Test func twoProcessesAppendingAtOnceBothSucceed() async throws {
        let cli = try await seededCLI()
        defer { cli.cleanUp() }
        func batch(_ writer: Int) -> String {
            (0..<150).map { #"{"type":"followup.logged","subject":"cndh-rec-juarez","effective":"2023-08-01","payload":{"note":"writer \#(writer) note \#($0)"}}"# }
                .joined(separator: "\n")
        }
        // Two batch writers and two single-entry writers at once: each waits for SQLite's write
        // lock (BEGIN IMMEDIATE, busy timeout) or validates again when another moved the head.
        let processes = try (0..<2).map { writer in
            try cli.start(["append", "-"], stdin: batch(writer))
        }
        let loops = try (0..<2).map { writer in
            try cli.start(["followup", "add", "cndh-rec-juarez", "--on", "2023-08-02", "--note", "single from \(writer)"])
        }
        for started in processes + loops {
            let result = try await CLI.finish(started)
            #expect(result.status == 0, "stderr: \(result.stderr)")
        }
        let verify = try await cli.ok("verify")
        #expect(verify.stdout.contains("Chain intact: \(4 + 300 + 2) entries"))
    }

    /// A writer killed in the middle of a batch leaves the ledger as before the batch.
    @Test func aWriterKilledMidBatchLeavesNoTrace() async throws {
        let cli = try await seededCLI()
        defer { cli.cleanUp() }
        let lines = (0..<30_000).map { #"{"type":"followup.logged","subject":"cndh-rec-juarez","effective":"2023-08-01","payload":{"note":"bulk note \#($0) with some padding to fill pages quickly"}}"# }
        let started = try cli.start(["append", "-"], stdin: lines.joined(separator: "\n"))
        // Uncommitted pages spill into the WAL during the transaction: kill once they do.
        let wal = cli.database + "-wal"
        let deadline = Date().addingTimeInterval(60)
        while started.0.isRunning, Date() < deadline {
            let size = (try? FileManager.default.attributesOfItem(atPath: wal)[.size] as? Int) ?? 0
            if size > 2_000_000 { break }
            // Blocking on purpose: a task's sleep can resume late under load, when the
            // transaction is already committing.
            usleep(2_000)
        }
        if started.0.isRunning { kill(started.0.processIdentifier, SIGKILL) }
        started.0.waitUntilExit()
        let verify = try await cli.ok("verify")
        if started.0.terminationReason == .uncaughtSignal {
            // All or nothing: the batch left nothing, or its commit beat the kill and it is
            // whole (seen once under load); never a part of it.
            #expect(verify.stdout.contains("Chain intact: 4 entries") || verify.stdout.contains("Chain intact: 30004 entries"),
                    "the killed batch left nothing, or all of it: \(verify.stdout)")
        } else {
            #expect(verify.stdout.contains("Chain intact: 30004 entries"))
        }
        try await cli.ok("followup", "add", "cndh-rec-juarez", "--on", "2023-08-02", "--note", "The ledger still takes entries")
    }

    @Test func exportAndImportRoundTripExactly() async throws {
        let cli = try await seededCLI()
        defer { cli.cleanUp() }
        let exportPath = cli.directory.appendingPathComponent("ledger.jsonl").path
        try await cli.ok("export", "--output", exportPath)
        let exported = try String(contentsOfFile: exportPath, encoding: .utf8)
        #expect(exported.split(separator: "\n").count == 4)

        let copy = cli.directory.appendingPathComponent("copy.sqlite").path
        let imported = try await cli.ok("import", exportPath, "--database", copy)
        let head = try #require(try await cli.json("verify") as? [String: Any])
        let headHash = try #require((head["head"] as? [String: Any])?["hash"] as? String)
        #expect(imported.stdout.contains(headHash))
        #expect(try await cli.ok("export", "--database", copy).stdout == exported)

        // Importing the same entries again does not continue the chain: refused, nothing written.
        let again = try await cli.run("import", exportPath, "--database", copy)
        #expect(again.status != 0)
        #expect(again.stderr.contains("line 1: seq: is 1, expected 5"))

        // A tampered line is named and nothing is written.
        let tampered = exported.replacingOccurrences(of: "Recommendation in favour", with: "Promise in favour")
        let fresh = cli.directory.appendingPathComponent("fresh.sqlite").path
        let result = try await cli.run("import", "-", "--database", fresh, stdin: tampered)
        #expect(result.status == 1)
        #expect(result.stderr.contains("line 4: hash"))
        #expect(!FileManager.default.fileExists(atPath: fresh), "a failed import leaves no empty ledger behind")
    }

    @Test func readsOfAMissingLedgerSayHowToStart() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let result = try await cli.run("status")
        #expect(result.status == 66)
        #expect(result.stderr.contains("ledgerctl init"))
        #expect(!FileManager.default.fileExists(atPath: cli.database), "a read never creates a ledger")
        let unsupported = try await cli.run("status", "--database", "mysql://localhost/ledger")
        #expect(unsupported.stderr.contains("--database: 'mysql' databases are not supported"))
    }

    @Test func aRetractedCommitmentIsExplainedNotHidden() async throws {
        let cli = try await seededCLI()
        defer { cli.cleanUp() }
        try await cli.ok("entry", "retract", "4", "--reason", "Recorded against the wrong institution")
        let show = try await cli.run("show", "cndh-rec-juarez")
        #expect(show.status == 66)
        #expect(show.stderr.contains("was retracted at seq 5"))
        let log = try await cli.ok("log", "--subject", "cndh-rec-juarez").stdout
        #expect(log.contains("RETRACTED by seq 5"))
        #expect(log.contains("Reason: Recorded against the wrong institution"))
        let status = try await cli.run("commitment", "set-status", "cndh-rec-juarez", "fulfilled", "--on", "2023-08-01", "--basis", "verified",
                                 "--rationale", "R", "--source", "https://example.org/")
        #expect(status.status == 65)
        #expect(status.stderr.contains("was retracted at seq 5"))
    }

    @Test func helpExplainsTheCommands() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let help = try await cli.ok("--help").stdout
        for command in ["init", "demo", "actor", "demand", "commitment", "followup", "entry", "status", "show", "log", "verify", "append", "export", "import"] {
            #expect(help.contains("  \(command)"), "--help lists \(command)")
        }
        let setStatus = try await cli.ok("commitment", "set-status", "--help").stdout
        #expect(setStatus.contains("claimed"))
        #expect(setStatus.contains("partially-fulfilled"))
    }

    /// The CLI cannot drift from the payload declarations: every field of every entry type
    /// a command writes has its flag (a list's flag is singular and repeated), and every
    /// closed vocabulary lists its words.
    @Test func everyDeclaredFieldHasItsFlag() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        let commands: [(EntryType, [String], [String: String])] = [
            (.actorRegistered, ["actor", "add"], [:]),
            (.demandRecorded, ["demand", "add"], ["targets": "--target", "sources": "--source"]),
            (.commitmentRecorded, ["commitment", "add"], ["demands": "--demand", "sources": "--source"]),
            (.statusChanged, ["commitment", "set-status"], ["status": "<status>", "sources": "--source"]),
            (.followupLogged, ["followup", "add"], ["sources": "--source"]),
            (.entryCorrected, ["entry", "correct"], ["target_seq": "<seq>", "fields": "--set"]),
            (.entryRetracted, ["entry", "retract"], ["target_seq": "<seq>"]),
        ]
        for (type, command, named) in commands {
            let result = try await cli.run(command + ["--help"])
            #expect(result.status == 0)
            // Help wraps lines anywhere; compare words.
            let help = result.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            for field in type.fields {
                let flag = named[field.name] ?? "--" + field.name.replacingOccurrences(of: "_", with: "-")
                #expect(help.contains(flag), "\(command.joined(separator: " ")) --help has \(flag) for \(field.name)")
                if case .word(let words) = field.shape {
                    #expect(help.contains(words.joined(separator: ", ")), "\(command.joined(separator: " ")) lists every \(field.name)")
                }
            }
        }
    }

    @Test func bidiOverridesAreRefusedAndNothingIsWritten() async throws {
        let cli = try await seededCLI()
        defer { cli.cleanUp() }
        let before = try await cli.snapshot()
        for title in ["Safe \u{202E}txet desrever", "\u{202E}", "a\u{2066}b\u{2069}"] {
            let result = try await cli.run("demand", "add", "bidi", "--title", title, "--on", "2023-07-01")
            #expect(result.status == 65)
            #expect(result.stderr.contains("title: contains a bidirectional override"), "\(result.stderr)")
        }
        #expect(try await cli.snapshot() == before)
    }
}
