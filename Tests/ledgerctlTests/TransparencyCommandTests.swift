import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
import Ledger
import LedgerSynthetic
import LedgerTestSupport
import Testing

/// `key generate`, `checkpoint`, `receipt`, `serve --signing-key` and the three kinds of
/// `verify`, on both stores; then the served log checked by Go's golang.org/x/mod/sumdb
/// (note and tlog), code no one on this team wrote.
@Suite("Verifiable from outside")
struct TransparencyCommandTests {
    static let origin = "ledger.example.org/pmpj"
    static let goSources = "/usr/share/gocode/src/golang.org/x/mod/sumdb/tlog"
    static let go = ExternalTools(["go"])
    static var goEnabled: Bool { PostgresTestServer.isRequired || (go.missing.isEmpty && FileManager.default.fileExists(atPath: goSources)) }

    /// 600 entries: two full level-0 tiles and a partial one, and a level-1 tile.
    static let lines = SyntheticLedger(count: 600, seed: 5).map(\.exchangeLine)

    func write(_ text: String, _ name: String, in cli: CLI) throws -> String {
        let path = cli.directory.appendingPathComponent(name).path
        try text.write(toFile: path, atomically: true, encoding: .utf8)
        return path
    }

    @Test(arguments: StoreKind.allCases)
    func signProveServeAndVerifyFromOutside(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        try await cli.ok("init")
        try await cli.ok("import", try write(Self.lines.prefix(300).joined(separator: "\n") + "\n", "first.jsonl", in: cli))

        // The key: private file 0600, never overwritten; the verifier key on standard output.
        let keyPath = cli.directory.appendingPathComponent("log.key").path
        let generated = try await cli.ok("key", "generate", "--origin", Self.origin, "--output", keyPath)
        let verifierKey = generated.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(verifierKey.hasPrefix(Self.origin + "+"))
        let mode = try FileManager.default.attributesOfItem(atPath: keyPath)[.posixPermissions] as? Int
        #expect(mode == 0o600)
        let keyText = try String(contentsOfFile: keyPath, encoding: .utf8)
        #expect(keyText.hasPrefix("PRIVATE+KEY+\(Self.origin)+"))
        let again = try await cli.run("key", "generate", "--origin", Self.origin, "--output", keyPath)
        #expect(again.status == 65 && again.stderr.contains("is never overwritten"))
        #expect(try String(contentsOfFile: keyPath, encoding: .utf8) == keyText)
        let noKey = try await cli.run("checkpoint")
        #expect(noKey.status == 65 && noKey.stderr.contains("--signing-key: is required"))

        // A checkpoint of the first 300 entries; signing again adds nothing.
        let first = try await cli.ok("checkpoint", "--signing-key", keyPath)
        let firstLines = first.stdout.split(separator: "\n", omittingEmptySubsequences: false)
        #expect(firstLines.prefix(2) == [Substring(Self.origin), "300"])
        let firstRoot = String(firstLines[2])
        let repeated = try await cli.ok("checkpoint", "--signing-key", keyPath)
        #expect(repeated.stdout == first.stdout && repeated.stderr.contains("No new entries"))

        try await cli.ok("import", try write(Self.lines.dropFirst(300).joined(separator: "\n") + "\n", "rest.jsonl", in: cli))
        let tooNew = try await cli.run("receipt", "600")
        #expect(tooNew.status == 66 && tooNew.stderr.contains("newer than the latest signed checkpoint (300 entries)"), "\(tooNew.stderr)")

        // The server signs the new head on its own, within the interval.
        let server = try await ServeCommandTests.Server.start(cli, ["--signing-key", keyPath, "--checkpoint-interval", "0.2"])
        var checkpoint = ""
        for _ in 0..<600 {
            checkpoint = try await ServeCommandTests.request(server.base + "/log/checkpoint").1
            if checkpoint.contains("\n600\n") { break }
            try await Task.sleep(for: .milliseconds(100))
        }
        #expect(checkpoint.hasPrefix(Self.origin + "\n600\n"), "\(checkpoint)\n\(server.log)")

        // Receipts, checked offline with the entry they are for.
        var receipts: [String] = []
        for seq in [1, 257, 600] {
            let path = cli.directory.appendingPathComponent("receipt-\(seq).tlog-proof").path
            try await cli.ok("receipt", String(seq), "--output", path)
            receipts.append(path)
        }
        let entry257 = try write(Self.lines[256] + "\n", "entry-257.json", in: cli)
        let valid = try await cli.ok("verify", "--receipt", receipts[1], "--key", verifierKey, "--entry", entry257)
        #expect(valid.stdout.contains("Receipt valid: seq 257"))
        let wrongEntry = try await cli.run("verify", "--receipt", receipts[2], "--key", verifierKey, "--entry", entry257)
        #expect(wrongEntry.status == 1 && wrongEntry.stderr.contains("is seq 257, but the receipt is for seq 600"))
        let altered = try write(Self.lines[256].replacingOccurrences(of: "\"author\":\"", with: "\"author\":\"x"), "altered.json", in: cli)
        #expect(try await cli.run("verify", "--receipt", receipts[1], "--key", verifierKey, "--entry", altered).status == 1)
        let otherKey = try await cli.run("verify", "--receipt", receipts[1], "--key", "other.example/log+00000000+AekyeRrm56hApGFkyQR4ZCbV54Id2LKaANYcrnKv3U2k")
        #expect(otherKey.status != 0)

        // The log as an outsider sees it, twice: the second run proves it only grew.
        let statePath = cli.directory.appendingPathComponent("state.json").path
        let outside = try await cli.ok("verify", "--remote", server.base, "--key", verifierKey, "--state", statePath)
        #expect(outside.stdout.contains("checkpoint of 600 entries signed by the key"), "\(outside.stdout)")
        #expect(outside.stdout.contains("First check of this log"))
        #expect(!outside.stderr.contains("\u{1B}[K"), "no progress in a script")
        let second = try await cli.ok("verify", "--remote", server.base, "--key", verifierKey, "--state", statePath, "--progress")
        #expect(second.stdout.contains("It extends the checkpoint of 600 entries"))
        #expect(second.stderr.contains("Checking 127.0.0.1: 600 of 600 entries (100%)"), "\(second.stderr)")

        // A server showing this client a fork: same size, another root; or a smaller tree.
        let state = try String(contentsOfFile: statePath, encoding: .utf8)
        let forkedRoot = try JSONSerialization.jsonObject(with: Data(state.utf8)) as! [String: Any]
        var forked = forkedRoot
        forked["root"] = firstRoot
        try JSONSerialization.data(withJSONObject: forked).write(to: URL(fileURLWithPath: statePath))
        let fork = try await cli.run("verify", "--remote", server.base, "--key", verifierKey, "--state", statePath)
        #expect(fork.status == 1 && fork.stderr.contains("checkpoint 600 is not consistent with 600 seen on"), "\(fork.stderr)")
        var larger = forkedRoot
        larger["size"] = 700
        try JSONSerialization.data(withJSONObject: larger).write(to: URL(fileURLWithPath: statePath))
        let stateBefore = try Data(contentsOf: URL(fileURLWithPath: statePath))
        let shrunk = try await cli.run("verify", "--remote", server.base, "--key", verifierKey, "--state", statePath)
        #expect(shrunk.status == 1 && shrunk.stderr.contains("checkpoint 600 is smaller than checkpoint 700 seen on"), "\(shrunk.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: statePath)) == stateBefore, "a failed check leaves the state as it was")

        // Tiles: immutable and cached; anything malformed or beyond the checkpoint refused.
        var request = URLRequest(url: URL(string: server.base + "/log/tile/0/000")!)
        let (tile, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        #expect(http.statusCode == 200 && tile.count == 8_192)
        #expect(http.value(forHTTPHeaderField: "Cache-Control")?.contains("immutable") == true)
        let etag = try #require(http.value(forHTTPHeaderField: "ETag"))
        request.setValue(etag, forHTTPHeaderField: "If-None-Match")
        #expect((try await URLSession.shared.data(for: request).1 as? HTTPURLResponse)?.statusCode == 304)
        for (path, status) in [("/log/tile/0/002.p/88", 200), ("/log/tile/1/000.p/2", 200), ("/log/tile/entries/002.p/88", 200),
                               ("/log/tile/0/002.p/89", 404), ("/log/tile/0/003", 404), ("/log/tile/0/x000/002", 400),
                               ("/log/tile/0/2", 400), ("/log/tile/99/000", 400), ("/log/tile/entries/abc", 400), ("/log/receipt/0", 400),
                               ("/log/receipt/601", 404), ("/log/receipt/x", 400)] {
            #expect(try await ServeCommandTests.request(server.base + path).0 == status, "\(path)")
        }
        let publicSeq = try #require(Self.lines.firstIndex { $0.contains("\"visibility\":\"public\"") }) + 1
        let internalSeq = try #require(Self.lines.firstIndex { $0.contains("\"visibility\":\"internal\"") }) + 1
        let served = try await ServeCommandTests.request(server.base + "/log/receipt/\(publicSeq)")
        #expect(served.0 == 200 && served.1.hasPrefix("c2sp.org/tlog-proof@v1\n"))
        #expect(try await ServeCommandTests.request(server.base + "/log/receipt/\(internalSeq)").0 == 404, "internal entries have no public receipt")

        if Self.goEnabled {
            let result = try await Self.runGoChecker(["-url", server.base, "-vkey", verifierKey, "-skey", keyPath, "-old", "300:\(firstRoot)"] + receipts)
            #expect(result.status == 0, "\(result.output)")
            let report = try JSONSerialization.jsonObject(with: Data(result.output.utf8)) as? [String: Any]
            #expect(report?["leaves_checked"] as? Int == 600)
            #expect(report?["receipts_checked"] as? Int == 3)
            #expect(report?["go_signature_identical"] as? Bool == true)
            #expect(report?["consistent_with"] as? Int == 300)
        } else {
            print("skipped Go's sumdb checks: needs go and golang-golang-x-mod-dev (scripts/test installs them)")
        }
        // A report built at 300 entries, signed then (LEDGER_SIGNING_KEY), checked against
        // today's log in every format; the same arguments give the same bytes.
        let month = "2023-03"
        for format in ["html", "json", "md", "text"] {
            let path = cli.directory.appendingPathComponent("report.\(format)").path
            let built = try await cli.run(["report", "monthly", month, "--known-at", "300", "--format", format, "--output", path], environment: ["LEDGER_SIGNING_KEY": keyPath])
            #expect(built.status == 0, "\(built.stderr)")
            let since = try await cli.run("verify", "--since-report", path, "--remote", server.base, "--key", verifierKey)
            #expect(since.status == 0 && since.stdout.contains("still contains the 300 entries the report was built from"), "\(format): \(since.stdout)\(since.stderr)")
            let again = try await cli.run(["report", "monthly", month, "--known-at", "300", "--format", format], environment: ["LEDGER_SIGNING_KEY": keyPath])
            #expect(again.stdout == (try String(contentsOfFile: path, encoding: .utf8)), "\(format) is the same bytes again")
        }
        let unsigned = try await cli.run("report", "monthly", month, "--known-at", "299", "--format", "md")
        #expect(unsigned.stdout.contains("No signed checkpoint covers exactly these 299 entries") && unsigned.stderr.contains("warning"))
        let unsignedPath = try write(unsigned.stdout, "unsigned.md", in: cli)
        #expect(try await cli.run("verify", "--since-report", unsignedPath, "--remote", server.base, "--key", verifierKey).status == 65)
        #expect(try await server.stop() == 0)
        // The database alone, with the published key: still the chain every checkpoint signed.
        let local = try await cli.ok("verify", "--key", verifierKey)
        #expect(local.stdout.contains("It still hashes to every signed checkpoint"))

        // A server whose database was changed behind its back serves an entry that does not
        // hash to its leaf: an outsider is told which.
        if kind == .sqlite {
            let seq = publicSeq
            try behindTheLedger(cli.database, "DROP TRIGGER ledger_entries_no_update",
                                "UPDATE ledger_entries SET author = 'someone else' WHERE seq = \(seq)")
            let tampered = try await ServeCommandTests.Server.start(cli)
            let caught = try await cli.run("verify", "--remote", tampered.base, "--key", verifierKey, "--state", statePath)
            #expect(caught.status == 1 && caught.stderr.contains("seq \(seq): the public entry does not hash to the hash it states"), "\(caught.stderr)")
            _ = try await tampered.stop()
        }
    }

    /// Go's checker (Fixtures/tlogcheck.go) in GOPATH mode, against Debian's x/mod sources.
    static func runGoChecker(_ arguments: [String]) async throws -> (status: Int32, output: String) {
        let source = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/tlogcheck.go").path
        // CI may run without a HOME, where Go would keep its build cache.
        let cache = FileManager.default.temporaryDirectory.appendingPathComponent("ledger-go-cache").path
        return try await ExternalTools.run("go", ["run", source] + arguments,
                                     environment: ["GO111MODULE": "off", "GOPATH": "/usr/share/gocode", "GOFLAGS": "", "GOCACHE": cache])
    }
}
