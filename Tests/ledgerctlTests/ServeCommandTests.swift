import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LedgerTestSupport
import Testing

/// `ledgerctl serve` as a real process on a real port. Over 400 lines on purpose: each test
/// starts a server, and they share the helpers that do it (one process start per scenario).
@Suite("ledgerctl serve")
struct ServeCommandTests {
    /// A running server: the process, where its output goes, and its address.
    struct Server {
        let process: Process
        let stdout: URL
        let stderr: URL
        let base: String

        static func start(_ cli: CLI, _ extra: [String] = []) async throws -> Server {
            let (process, stdout, stderr) = try cli.start(["serve", "--port", "0"] + extra)
            // Bounded by attempts (at least 60 s), not by the clock: when the suite's other
            // tests block the test threads, a clock runs out while the server's address
            // waits unread in its output.
            for _ in 0..<1200 {
                let printed = try String(contentsOf: stdout, encoding: .utf8)
                if let range = printed.range(of: #"http://127\.0\.0\.1:[0-9]+"#, options: .regularExpression) {
                    return Server(process: process, stdout: stdout, stderr: stderr, base: String(printed[range]))
                }
                if !process.isRunning {
                    throw PostgresTestServer.SetupError(description: "serve exited: \(try String(contentsOf: stderr, encoding: .utf8))")
                }
                try await Task.sleep(for: .milliseconds(50))
            }
            process.terminate()
            // What the server said, without its access log: why it did not start.
            let said = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
            let lines = said.split(separator: "\n").filter { !$0.contains(" info Hummingbird:") && !$0.contains("status=") }
            throw PostgresTestServer.SetupError(description: "serve did not print its address after 1,200 looks (60 s or more); it said: \(lines.suffix(20).joined(separator: "\n"))")
        }

        /// SIGTERM, then the exit status (the server finishes in-flight requests first).
        func stop() async throws -> Int32 {
            process.terminate()
            for _ in 0..<400 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            return process.terminationStatus
        }

        var log: String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }
    }

    static func request(_ url: String, method: String = "GET", body: String? = nil, headers: [String: String] = [:]) async throws -> (Int, String) {
        let (status, body, _) = try await exchange(url, method: method, body: body, headers: headers)
        return (status, body)
    }

    /// Keeps no cookies: every request sends only what the test puts in it (servers of
    /// other tests share 127.0.0.1, and a cookie does not tell ports apart).
    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.httpShouldSetCookies = false
        configuration.httpCookieAcceptPolicy = .never
        return URLSession(configuration: configuration)
    }()

    static func exchange(_ url: String, method: String = "GET", body: String? = nil, headers: [String: String] = [:]) async throws
        -> (status: Int, body: String, headers: [String: String]) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        let http = response as? HTTPURLResponse
        let fields = (http?.allHeaderFields ?? [:]).reduce(into: [String: String]()) { $0["\($1.key)".lowercased()] = "\($1.value)" }
        return (http?.statusCode ?? 0, String(decoding: data, as: UTF8.self), fields)
    }

    static func headSeq(_ base: String, headers: [String: String] = [:]) async throws -> Int {
        let (_, body) = try await request(base + "/api/v1/status", headers: headers)
        let json = try #require(try JSONSerialization.jsonObject(with: Data(body.utf8)) as? [String: Any])
        return try #require((json["head"] as? [String: Any])?["seq"] as? Int)
    }

    /// POSTs a line to the first server, then polls the second's head every 10 ms; prints the
    /// seconds between the write's answer and the new head showing (fails after 5 s).
    static let writeThenWatch = """
        import json, sys, time, urllib.request
        first, second, token, line, before = sys.argv[1:6]
        request = urllib.request.Request(first + "/api/v1/entries", data=line.encode(), method="POST",
                                         headers={"Authorization": "Bearer " + token})
        assert urllib.request.urlopen(request).status == 201
        written = time.monotonic()
        while time.monotonic() - written < 5:
            with urllib.request.urlopen(second + "/api/v1/status") as response:
                if json.load(response)["head"]["seq"] == int(before) + 1:
                    print(f"{time.monotonic() - written:.3f}")
                    sys.exit(0)
            time.sleep(0.01)
        sys.exit("the second server never showed the entry")
        """

    @Test(arguments: StoreKind.allCases)
    func aWriteThroughOneServerShowsOnTheOtherWithinASecond(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let token = try await cli.ok("token", "add", "maria").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let first = try await Server.start(cli)
        let second = try await Server.start(cli)
        let before = try await Self.headSeq(second.base)

        // Timed by a separate process: this test process shares its threads with tests that
        // block them, which would time the test runner rather than the servers.
        let line = #"{"type":"followup.logged","subject":"justice-juarez-fire","effective":"2023-08-02","payload":{"note":"Written through the first server.","kind":"meeting"}}"#
        let timing = try await ExternalTools.run("python3", ["-c", Self.writeThenWatch, first.base, second.base, token, line, String(before)])
        #expect(timing.status == 0, "\(timing.output)")
        let delay = try #require(Double(timing.output.trimmingCharacters(in: .whitespacesAndNewlines)), "\(timing.output)")
        #expect(delay < 1.0, "the second server showed the entry after \(delay) s")
        let (_, page) = try await Self.request(second.base + "/demands/justice-juarez-fire")
        #expect(page.contains("Written through the first server."))

        #expect(try await first.stop() == 0, "a clean stop on SIGTERM")
        #expect(try await second.stop() == 0)
        #expect(first.log.contains("path=/api/v1/entries") && first.log.contains("status=201"), "one access-log line per request")
        #expect(!first.log.contains(token), "the token is never logged")
    }

    /// The server keeps the snapshots current on its own, and starts again from them.
    @Test(arguments: StoreKind.allCases)
    func theServerKeepsSnapshotsAndStartsFromThem(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let head = try await cli.headSeq()
        let server = try await Server.start(cli, ["--snapshot-every", "1"])
        var kept: [String] = []
        // Bounded by attempts rather than by the clock: the suite's other tests block threads.
        for _ in 0..<300 where kept.count < 4 {
            try await Task.sleep(for: .milliseconds(200))
            kept = try await RawDatabase.at(cli.database).strings("SELECT audience || ' ' || detail || ' ' || seq FROM projection_snapshots ORDER BY 1")
        }
        #expect(kept == ["internal counts \(head)", "internal full \(head)", "public counts \(head)", "public full \(head)"], "\(server.log)")
        let (_, before) = try await Self.request(server.base + "/")
        #expect(try await server.stop() == 0)
        #expect(server.log.contains("kept the snapshots of the fold"))

        let again = try await Server.start(cli, ["--snapshot-every", "0"])
        let (_, after) = try await Self.request(again.base + "/")
        #expect(after == before, "the page from the snapshot is the page from the chain")
        #expect(try await again.stop() == 0)
        let wrong = try await cli.run("serve", "--snapshot-every=-1")
        #expect(wrong.status != 0 && wrong.stderr.contains("--snapshot-every: must be 0 or more"))
    }

    /// The head a server of the throwaway cluster's hot standby has replayed for `database`
    /// (nil while the database itself has not reached it).
    static func replicaHead(_ database: String) async -> Int? {
        try? await replicaHeadOrError(database)
    }

    static func replicaHeadOrError(_ database: String) async throws -> Int? {
        guard let replica = PostgresTestServer.replicaURL, let name = URLComponents(string: database)?.path.dropFirst() else { return nil }
        let seq = try await PostgresTestServer.strings("SELECT coalesce(max(seq), 0)::text FROM ledger_entries", database: String(name), server: replica)
        return seq.first.flatMap { Int($0) }
    }

    /// Waits (by attempts, not the clock: other tests block threads) until the standby has
    /// replayed `database` to `seq`; if it never does, says what the standby last answered
    /// and what its log says.
    static func waitForReplica(_ database: String, toReach seq: Int) async throws {
        var answered = "nothing"
        for _ in 0..<600 {
            do {
                let head = try await replicaHeadOrError(database)
                if let head, head >= seq { return }
                answered = "head \(head.map(String.init) ?? "none")"
            } catch {
                answered = "\(String(reflecting: error))"
            }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PostgresTestServer.SetupError(description: "the hot standby never replayed \(database) to seq \(seq); it last answered \(answered); its log ends:\n\(replicaLogTail())")
    }

    /// The last lines of the throwaway standby's server log, for a failure's message.
    static func replicaLogTail() -> String {
        let log = ProcessInfo.processInfo.environment["LEDGER_TEST_POSTGRES_REPLICA_CTL"].map {
            URL(fileURLWithPath: $0).deletingLastPathComponent().appendingPathComponent("replica.log")
        }
        return log.flatMap { try? String(contentsOf: $0, encoding: .utf8) }?.split(separator: "\n").suffix(15).joined(separator: "\n") ?? ""
    }

    static func replayOnReplica(paused: Bool) async throws {
        let replica = try #require(PostgresTestServer.replicaURL, "LEDGER_TEST_POSTGRES_REPLICA_URL names the throwaway cluster's hot standby")
        try await PostgresTestServer.execute([paused ? "SELECT pg_wal_replay_pause()" : "SELECT pg_wal_replay_resume()"], server: replica)
        guard paused else { return }
        // Pausing is asked for; it has happened once the state says so.
        for _ in 0..<600 {
            if try await PostgresTestServer.strings("SELECT pg_get_wal_replay_pause_state()", server: replica) == ["paused"] { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw PostgresTestServer.SetupError(description: "the hot standby never paused its replay")
    }

    /// `serve --read-database` with a real hot standby (`pg_basebackup -R`): the public pages
    /// come from the standby, yet a reader who wrote sees their write.
    @Test(.enabled(if: PostgresTestServer.replicaURL != nil || PostgresTestServer.isRequired,
                   "LEDGER_TEST_POSTGRES_REPLICA_URL is not set: the replica test skipped (scripts/test's throwaway cluster has one)"))
    func publicReadsComeFromTheReplicaAndAReaderSeesTheirOwnWrite() async throws {
        let replicaServer = try #require(PostgresTestServer.replicaURL, "LEDGER_TEST_POSTGRES_REPLICA_URL names the throwaway cluster's hot standby")
        let cli = try await CLI.on(.postgres)
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let token = try await cli.ok("token", "add", "maria").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let demoHead = Int(try await cli.headSeq())
        try await Self.waitForReplica(cli.database, toReach: demoHead)
        let replica = try PostgresTestServer.databaseURL(replicaServer, name: String(URLComponents(string: cli.database)!.path.dropFirst()))

        let server = try await Server.start(cli, ["--read-database", replica])
        #expect(server.log.contains("public pages are read from a replica"), "\(server.log)")
        try await Self.replayOnReplica(paused: true)
        do {
            // Another writer appends to the primary; the standby does not replay it.
            let line = #"{"type":"followup.logged","subject":"justice-juarez-fire","effective":"2023-08-02","visibility":"public","payload":{"note":"Logged while the replica waits.","kind":"meeting"}}"#
            try await cli.ok("append", "-", stdin: line)
            // Longer than the replica's poll: a server reading the primary would show it by now.
            try await Task.sleep(for: .seconds(2))
            #expect(try await Self.headSeq(server.base) == demoHead, "an unmarked read comes from the standby, which has not replayed the write")
            #expect(!(try await Self.request(server.base + "/demands/justice-juarez-fire").1.contains("Logged while the replica waits.")))

            // The writer sends back the head their write returned: the page shows it.
            #expect(try await Self.headSeq(server.base, headers: ["Ledger-Min-Seq": String(demoHead + 1)]) == demoHead + 1)
            let (_, page) = try await Self.request(server.base + "/demands/justice-juarez-fire", headers: ["Cookie": "ledger_seq=\(demoHead + 1)"])
            #expect(page.contains("Logged while the replica waits."))

            // A write through the server answers with its head, as a cookie and a header, and
            // the server shows it at once.
            let written = try await Self.exchange(server.base + "/api/v1/entries", method: "POST", body: line.replacingOccurrences(of: "waits", with: "still waits"),
                                                  headers: ["Authorization": "Bearer \(token)"])
            #expect(written.status == 201, "\(written.body)")
            #expect(written.headers["ledger-head"] == String(demoHead + 2))
            #expect(written.headers["set-cookie"]?.hasPrefix("ledger_seq=\(demoHead + 2); Path=/;") == true, "\(written.headers)")
            #expect(try await Self.headSeq(server.base) == demoHead + 2)
            #expect(await Self.replicaHead(cli.database) == demoHead, "the standby was paused all along")

            // A made-up head beyond the ledger is answered with what there is.
            #expect(try await Self.headSeq(server.base, headers: ["Ledger-Min-Seq": "999999"]) == demoHead + 2)
        } catch {
            try await Self.replayOnReplica(paused: false)
            throw error
        }
        try await Self.replayOnReplica(paused: false)

        // Once the standby replays again, a write the server did not make shows unasked.
        try await cli.ok("append", "-", stdin: #"{"type":"followup.logged","subject":"justice-juarez-fire","effective":"2023-08-03","visibility":"public","payload":{"note":"Replayed.","kind":"meeting"}}"#)
        var shown = 0
        for _ in 0..<600 where shown != demoHead + 3 {
            try await Task.sleep(for: .milliseconds(100))
            shown = try await Self.headSeq(server.base)
        }
        #expect(shown == demoHead + 3)

        // The standby goes away: the public reads go to the primary meanwhile, and back to
        // the standby once it answers again.
        let control = try #require(ProcessInfo.processInfo.environment["LEDGER_TEST_POSTGRES_REPLICA_CTL"], "the throwaway cluster's standby control")
        var secondServer: Server?
        let stopped: (status: Int32, output: String)
        do {
            stopped = try await PostgresTestServer.whileConnected(server: replicaServer) {
                // While it shuts down, a standby refuses new connections (57P03) and waits for
                // its clients, as this one: a server started then starts on the primary.
                let asked = try await ExternalTools.run(control, ["stop-smart"])
                #expect(asked.status == 0, "\(asked.output)")
                var refusal: String?
                for _ in 0..<600 where refusal == nil {
                    do {
                        _ = try await PostgresTestServer.strings("SELECT 1", server: replicaServer)
                        try await Task.sleep(for: .milliseconds(50))
                    } catch {
                        refusal = PostgresTestServer.sqlState(error) ?? String(reflecting: error)
                    }
                }
                #expect(refusal == "57P03", "the standby shutting down refuses with cannot_connect_now")
                let duringShutdown = try await Server.start(cli, ["--read-database", replica])
                #expect(try await Self.headSeq(duringShutdown.base) == demoHead + 3)
                #expect(duringShutdown.log.contains("the replica is unreachable: public reads go to the primary") && duringShutdown.log.contains("57P03"),
                        "\(duringShutdown.log)")
                #expect(try await duringShutdown.stop() == 0)
                // Fast: ends the sessions, this one among them.
                return try await ExternalTools.run(control, ["stop"])
            }
        } catch {
            // The standby must not stay half shut down for the tests after this one.
            _ = try? await ExternalTools.run(control, ["stop"])
            _ = try? await ExternalTools.run(control, ["start"])
            throw error
        }
        #expect(stopped.status == 0, "\(stopped.output)\nthe standby's log ends:\n\(Self.replicaLogTail())")
        do {
            try await cli.ok("append", "-", stdin: #"{"type":"followup.logged","subject":"justice-juarez-fire","effective":"2023-08-05","visibility":"public","payload":{"note":"Written while the replica is down.","kind":"meeting"}}"#)
            for _ in 0..<600 where shown != demoHead + 4 {
                try await Task.sleep(for: .milliseconds(100))
                shown = try await Self.headSeq(server.base)
            }
            #expect(shown == demoHead + 4, "the primary answers while the standby is down")
            let (status, entries) = try await Self.request(server.base + "/api/v1/entries?after=\(demoHead + 3)")
            #expect(status == 200 && entries.contains("Written while the replica is down."), "\(entries)")
            #expect(server.log.contains("the replica is unreachable: public reads go to the primary"))

            // A server started while the standby is down starts all the same, on the primary.
            let restarted = try await Server.start(cli, ["--read-database", replica])
            #expect(try await Self.headSeq(restarted.base) == demoHead + 4)
            #expect(restarted.log.contains("the replica is unreachable: public reads go to the primary"), "\(restarted.log)")
            secondServer = restarted
        } catch {
            _ = try? await ExternalTools.run(control, ["start"])
            _ = try? await secondServer?.stop()
            throw error
        }
        let started = try await ExternalTools.run(control, ["start"])
        #expect(started.status == 0, "\(started.output)\nthe standby's log ends:\n\(Self.replicaLogTail())")
        let restarted = try #require(secondServer)
        for _ in 0..<600 where !(server.log.contains("the replica answers again") && restarted.log.contains("the replica answers again")) {
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(server.log.contains("the replica answers again"))
        // The server that started without it checked it first, then read from it.
        #expect(restarted.log.contains("public pages are read from a replica") && restarted.log.contains("the replica answers again"), "\(restarted.log)")
        #expect(try await Self.headSeq(restarted.base) == demoHead + 4)
        #expect(try await server.stop() == 0)
        #expect(try await restarted.stop() == 0)

        // Wrong replicas are named before anything is served, or read: nothing reads a
        // replica before it is checked (a read cut off by the refusal once hung the server).
        let other = try await CLI.on(.postgres)
        defer { other.cleanUp() }
        try await other.ok("demo")
        try await Self.waitForReplica(other.database, toReach: Int(try other.headSeq()))
        let otherReplica = try PostgresTestServer.databaseURL(replicaServer, name: String(URLComponents(string: other.database)!.path.dropFirst()))
        let wrong = try await cli.run("serve", "--port", "0", "--read-database", otherReplica)
        #expect(wrong.status == 65 && wrong.stderr.contains("--read-database:") && wrong.stderr.contains("is not a replica of"), "\(wrong.stderr)")
        #expect(!wrong.stderr.contains("the replica is unreachable"), "\(wrong.stderr)")
        let sqlite = try CLI()
        defer { sqlite.cleanUp() }
        try await sqlite.ok("demo")
        let fromFile = try await sqlite.run("serve", "--port", "0", "--read-database", replica)
        #expect(fromFile.status == 65 && fromFile.stderr.contains("--read-database: needs a PostgreSQL ledger"), "\(fromFile.stderr)")
        // The standby itself takes no write, and says where writes go.
        let refused = try await cli.run(["append", "--database", replica, "-"], stdin: #"{"type":"followup.logged","subject":"justice-juarez-fire","effective":"2023-08-04","visibility":"public","payload":{"note":"No.","kind":"meeting"}}"#)
        #expect(refused.status != 0 && refused.stderr.contains("is a hot standby"), "\(refused.stderr)")
    }

    /// Stopped while it verifies and folds a chain with no snapshot (a minute or more at a
    /// million entries), a server stops there: it neither finishes the fold nor serves.
    @Test
    func aServerStoppedDuringItsFirstFoldStopsThere() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        // About 5 s to verify and fold in a debug build: the signal lands well inside it.
        try await cli.ok("import", try cli.syntheticExport(count: 50_000, seed: 11), "--quiet")
        let (process, stdout, stderr) = try cli.start(["serve", "--port", "0", "--verify-first"])
        // Said once the signals are trapped and the fold begins.
        var said = ""
        for _ in 0..<1200 where process.isRunning && !said.contains("verifying and folding the whole chain before serving") {
            try await Task.sleep(for: .milliseconds(50))
            said = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
        }
        #expect(said.contains("because=--verify-first"), "\(said)")
        process.terminate()
        for _ in 0..<1200 where process.isRunning { try await Task.sleep(for: .milliseconds(50)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        said = (try? String(contentsOf: stderr, encoding: .utf8)) ?? ""
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "\(said)")
        #expect(said.contains("stopped before the first fold was done: nothing was served"), "\(said)")
        #expect(!said.contains("ledger verified"), "\(said)")
        #expect(try String(contentsOf: stdout, encoding: .utf8).isEmpty, "it never said where it serves")
    }

    /// A server starts from the snapshot for speed, then checks it against the chain: a
    /// forged one is found, said loudly, and the public pages are folded from the chain again.
    @Test(arguments: StoreKind.allCases)
    func aServerFindsAForgedSnapshotAndSaysSo(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        let original = try await cli.demoWithAForgedSnapshot(note: "Forged in the snapshot.")
        let server = try await Server.start(cli, ["--snapshot-every", "1"])
        var (status, body) = (0, "")
        // Bounded by attempts rather than by the clock: the suite's other tests block threads.
        for _ in 0..<600 where status != 503 {
            try await Task.sleep(for: .milliseconds(100))
            (status, body) = try await Self.request(server.base + "/api/v1/status")
        }
        #expect(status == 503 && body.contains("snapshot_problems") && body.contains("is not the fold of the chain"), "\(body)")
        var feed = ""
        for _ in 0..<600 where !feed.contains(String(original.prefix(20))) {
            feed = try await Self.request(server.base + "/feed.json").1
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(!feed.contains("Forged in the snapshot.") && feed.contains(String(original.prefix(20))), "the pages are the chain's again")
        #expect(try await server.stop() == 0)
        #expect(server.log.contains("a stored snapshot of the fold is not the chain's"))
        #expect(try await cli.run("verify").status == 1, "the server kept no snapshot over the forged one")
    }

    @Test func badFlagsAreNamed() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        for (arguments, flag) in [(["--port", "70000"], "--port"), (["--public-url", "ftp://example.org"], "--public-url"),
                                  (["--max-body", "0"], "--max-body"), (["--log-level", "loud"], "--log-level")] {
            let result = try await cli.run(["serve"] + arguments)
            #expect(result.status == 64, "a usage error: \(arguments)")
            #expect(result.stderr.contains(flag), "\(result.stderr)")
        }
        let missing = try CLI()
        defer { missing.cleanUp() }
        #expect(try await missing.run(["serve"]).status == 66, "serve never creates a ledger")

        let server = try await Server.start(cli)
        let port = try #require(server.base.split(separator: ":").last.map(String.init))
        let taken = try await cli.run(["serve", "--port", port])
        #expect(taken.status != 0)
        #expect(taken.stderr.contains("cannot serve on 127.0.0.1:\(port)"), "\(taken.stderr)")
        #expect(try await server.stop() == 0)
    }
}
