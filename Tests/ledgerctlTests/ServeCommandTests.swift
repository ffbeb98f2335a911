import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import LedgerTestSupport
import Testing

/// `ledgerctl serve` as a real process on a real port.
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
            let deadline = ContinuousClock.now + .seconds(60)
            while ContinuousClock.now < deadline {
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
            throw PostgresTestServer.SetupError(description: "serve did not start within 60 s")
        }

        /// SIGTERM, then the exit status (the server finishes in-flight requests first).
        func stop() async throws -> Int32 {
            process.terminate()
            let deadline = ContinuousClock.now + .seconds(20)
            while process.isRunning && ContinuousClock.now < deadline { try await Task.sleep(for: .milliseconds(50)) }
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            process.waitUntilExit()
            return process.terminationStatus
        }

        var log: String { (try? String(contentsOf: stderr, encoding: .utf8)) ?? "" }
    }

    static func request(_ url: String, method: String = "GET", body: String? = nil, headers: [String: String] = [:]) async throws -> (Int, String) {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        request.httpBody = body.map { Data($0.utf8) }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await URLSession.shared.data(for: request)
        return ((response as? HTTPURLResponse)?.statusCode ?? 0, String(decoding: data, as: UTF8.self))
    }

    static func headSeq(_ base: String) async throws -> Int {
        let (_, body) = try await request(base + "/api/v1/status")
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
        try cli.ok("demo")
        let token = try cli.ok("token", "add", "maria").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let first = try await Server.start(cli)
        let second = try await Server.start(cli)
        let before = try await Self.headSeq(second.base)

        // Timed by a separate process: this test process shares its threads with tests that
        // block them, which would time the test runner rather than the servers.
        let line = #"{"type":"followup.logged","subject":"justice-juarez-fire","effective":"2023-08-02","payload":{"note":"Written through the first server.","kind":"meeting"}}"#
        let timing = try ExternalTools.run("python3", ["-c", Self.writeThenWatch, first.base, second.base, token, line, String(before)])
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
        try cli.ok("demo")
        let head = try cli.headSeq()
        let server = try await Server.start(cli, ["--snapshot-every", "1"])
        var kept: [String] = []
        // Bounded by attempts rather than by the clock: the suite's other tests block threads.
        for _ in 0..<300 where kept.count < 2 {
            try await Task.sleep(for: .milliseconds(200))
            kept = try await RawDatabase.at(cli.database).strings("SELECT audience || ' ' || seq FROM projection_snapshots ORDER BY audience")
        }
        #expect(kept == ["internal \(head)", "public \(head)"], "\(server.log)")
        let (_, before) = try await Self.request(server.base + "/")
        #expect(try await server.stop() == 0)
        #expect(server.log.contains("kept the snapshots of the fold"))

        let again = try await Server.start(cli, ["--snapshot-every", "0"])
        let (_, after) = try await Self.request(again.base + "/")
        #expect(after == before, "the page from the snapshot is the page from the chain")
        #expect(try await again.stop() == 0)
        let wrong = try cli.run("serve", "--snapshot-every=-1")
        #expect(wrong.status != 0 && wrong.stderr.contains("--snapshot-every: must be 0 or more"))
    }

    @Test func badFlagsAreNamed() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try cli.ok("demo")
        for (arguments, flag) in [(["--port", "70000"], "--port"), (["--public-url", "ftp://example.org"], "--public-url"),
                                  (["--max-body", "0"], "--max-body"), (["--log-level", "loud"], "--log-level")] {
            let result = try cli.run(["serve"] + arguments)
            #expect(result.status == 64, "a usage error: \(arguments)")
            #expect(result.stderr.contains(flag), "\(result.stderr)")
        }
        let missing = try CLI()
        defer { missing.cleanUp() }
        #expect(try missing.run(["serve"]).status == 66, "serve never creates a ledger")

        let server = try await Server.start(cli)
        let port = try #require(server.base.split(separator: ":").last.map(String.init))
        let taken = try cli.run(["serve", "--port", port])
        #expect(taken.status != 0)
        #expect(taken.stderr.contains("cannot serve on 127.0.0.1:\(port)"), "\(taken.stderr)")
        #expect(try await server.stop() == 0)
    }
}
