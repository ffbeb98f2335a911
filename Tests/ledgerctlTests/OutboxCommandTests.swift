import Foundation
import LedgerTestSupport
import Testing

/// Reminders through a real sendmail (msmtp) to a local SMTP sink (Python's aiosmtpd), read
/// back with Python's `email` package; webhooks to a local receiver that checks signatures.
@Suite("Reminders and webhooks", .serialized)
struct OutboxCommandTests {
    static let mailTools = ExternalTools(["msmtp", "python3"], pythonModules: ["aiosmtpd"])
    static let python = ExternalTools(["python3"])
    static var fixtures: URL { URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures") }

    /// A port nobody listens on now.
    static func freePort() async throws -> Int {
        let found = try await ExternalTools.run("python3", ["-c", "import socket; s = socket.socket(); s.bind(('127.0.0.1', 0)); print(s.getsockname()[1])"])
        return try #require(Int(found.output.trimmingCharacters(in: .whitespacesAndNewlines)))
    }

    /// Stops a program `background` started. SIGKILL, not `terminate()`: a child can inherit
    /// a signal mask with SIGTERM blocked from the thread that spawned it, and then outlives
    /// the test run (seen: SMTP sinks and receivers left running after the suite).
    static func stop(_ processes: Process...) {
        for process in processes where process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
        }
    }

    /// Starts a Python program in the background; stopped by the caller with `stop`.
    static func background(_ arguments: [String]) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: try #require(ExternalTools.path("python3")))
        process.arguments = arguments
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    static func waitForPort(_ port: Int) async throws {
        for _ in 0..<100 {
            let probe = try await ExternalTools.run("python3", ["-c", "import socket; socket.create_connection(('127.0.0.1', \(port)), 1)"])
            if probe.status == 0 { return }
            try await Task.sleep(for: .milliseconds(100))
        }
        throw PostgresTestServer.SetupError(description: "nothing listens on port \(port)")
    }

    /// Every message in the sink, parsed by Python's email package.
    static func mailbox(_ folder: URL) async throws -> [[String: Any]] {
        let script = """
            import email, email.policy, json, mailbox, sys
            out = []
            for key, message in mailbox.Maildir(sys.argv[1], create=False).items():
                parsed = email.message_from_bytes(message.as_bytes(), policy=email.policy.default)
                parts = {part.get_content_type(): part.get_content() for part in parsed.iter_parts()}
                out.append({"to": str(parsed["To"]), "from": str(parsed["From"]), "subject": str(parsed["Subject"]).strip(),
                            "type": parsed.get_content_type(), "defects": len(parsed.defects), "id": str(parsed["Message-ID"]),
                            "plain": parts.get("text/plain", ""), "html": parts.get("text/html", "")})
            print(json.dumps(out))
            """
        let read = try await ExternalTools.run("python3", ["-c", script, folder.path])
        try #require(read.status == 0, "\(read.output)")
        return try #require(try JSONSerialization.jsonObject(with: Data(read.output.utf8)) as? [[String: Any]])
    }

    @Test(.enabled(if: mailTools.isEnabled, "\(mailTools.skipMessage)"), arguments: StoreKind.allCases)
    func remindersGoOutThroughSendmailOnceAndFailuresAreRetried(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let today = Date()
        let day = { (offset: Int) in String(ISO8601DateFormatter().string(from: today.addingTimeInterval(Double(offset) * 86_400)).prefix(10)) }
        try await cli.ok("user", "add", "maria", "--role", "editor", "--email", "maria@example.org")
        try await cli.ok("user", "add", "lucía", "--role", "admin", "--email", "lucia@example.org")
        try await cli.ok("user", "add", "ana", "--role", "viewer", "--email", "ana@example.org")
        try await cli.ok("user", "notify", "maria", "--weekly", "--overdue")
        try await cli.ok("user", "notify", "lucía", "--weekly", "--language", "es")
        // Viewers get no reminders, even asked: the issue's "each editor who opted in".
        try await cli.ok("user", "notify", "ana", "--weekly")
        // A commitment that fell due yesterday: news for maria, who opted in before.
        try await cli.ok("commitment", "add", "segob-registry", "--demand", "justice-juarez-fire", "--actor", "segob", "--kind", "pledge",
                   "--summary", "A registry of seized weapons", "--summary-es", "Un registro de armas incautadas", "--on", day(-5),
                   "--due", day(-1), "--source", "https://www.gob.mx/segob")

        let port = try await Self.freePort()
        let maildir = cli.directory.appendingPathComponent("maildir")
        let sink = try Self.background(["-m", "aiosmtpd", "-n", "-l", "127.0.0.1:\(port)", "-c", "aiosmtpd.handlers.Mailbox", maildir.path])
        defer { Self.stop(sink) }
        try await Self.waitForPort(port)
        let config = cli.directory.appendingPathComponent("msmtprc")
        try "account default\nhost 127.0.0.1\nport \(port)\nfrom ledger@example.org\n".write(to: config, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: config.path)
        // The machine's sendmail: msmtp, as Debian installs it, pointed at the sink.
        let sendmail = cli.directory.appendingPathComponent("sendmail")
        try "#!/bin/sh\nexec msmtp -C '\(config.path)' \"$@\"\n".write(to: sendmail, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: sendmail.path)

        let first = try await cli.ok("remind", "--sendmail", sendmail.path, "--public-url", "https://ledger.example.org")
        #expect(first.stdout.contains("3 new, 3 sent, 0 to retry"), "\(first.stdout)")
        var messages = try await Self.mailbox(maildir)
        #expect(messages.count == 3)
        for message in messages {
            #expect(message["type"] as? String == "multipart/alternative")
            #expect(message["defects"] as? Int == 0)
            #expect((message["plain"] as? String)?.isEmpty == false && (message["html"] as? String)?.contains("<h1>") == true)
        }
        let toMaria = messages.filter { ($0["to"] as? String)?.contains("maria@example.org") == true }
        #expect(toMaria.count == 2, "the digest and the overdue notice")
        #expect(toMaria.contains { ($0["subject"] as? String) == "Overdue: Ministry of the Interior of Mexico (SEGOB): A registry of seized weapons" }, "\(toMaria)")
        let toLucia = try #require(messages.first { ($0["to"] as? String)?.contains("lucia@example.org") == true })
        #expect((toLucia["to"] as? String)?.contains("lucía") == true, "a UTF-8 display name, encoded: \(toLucia)")
        #expect((toLucia["subject"] as? String)?.hasPrefix("Lo que requiere atención esta semana") == true)
        #expect((toLucia["plain"] as? String)?.contains("Un registro de armas incautadas") == true)
        #expect((toLucia["plain"] as? String)?.contains("https://ledger.example.org/team/commitments?q=segob-registry&lang=es") == true)
        #expect(!messages.contains { ($0["to"] as? String)?.contains("ana@") == true })
        // The digest has what the home page has, down to the team's latest entries.
        let digest = try #require(toMaria.first { ($0["subject"] as? String)?.hasPrefix("What needs attention this week") == true })
        for heading in ["Overdue commitments", "Due in the next 30 days", "Demands with no response", "Latest entries by the team"] {
            #expect((digest["plain"] as? String)?.contains(heading) == true, "\(heading)")
        }
        #expect((digest["html"] as? String)?.contains("/team/entries/") == true)

        // A restart (another process): nothing twice.
        let second = try await cli.ok("remind", "--sendmail", sendmail.path)
        #expect(second.stdout.contains("0 new, 0 sent"), "\(second.stdout)")
        #expect(try await Self.mailbox(maildir).count == 3)

        // A sendmail that fails: kept, logged, retried later, then sent.
        try await cli.ok("user", "add", "jo", "--role", "editor", "--email", "jo@example.org")
        try await cli.ok("user", "notify", "jo", "--weekly")
        let failing = cli.directory.appendingPathComponent("failing-sendmail")
        try "#!/bin/sh\necho 'relay unreachable' >&2\nexit 75\n".write(to: failing, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: failing.path)
        let failed = try await cli.run(["remind", "--sendmail", failing.path])
        #expect(failed.status == 75)
        #expect(failed.stdout.contains("1 new, 0 sent, 1 to retry"), "\(failed.stdout)")
        #expect(failed.stderr.contains("relay unreachable"), "\(failed.stderr)")
        // Not yet: the next attempt waits.
        #expect(try await cli.ok("remind", "--sendmail", sendmail.path).stdout.contains("0 sent"))
        // Time passes (the wait is over), and it goes.
        try await RawDatabase.at(cli.database).run("UPDATE mail_deliveries SET next_attempt_at = 0 WHERE sent_at IS NULL")
        #expect(try await cli.ok("remind", "--sendmail", sendmail.path).stdout.contains("0 new, 1 sent"))
        messages = try await Self.mailbox(maildir)
        #expect(messages.filter { ($0["to"] as? String)?.contains("jo@example.org") == true }.count == 1)
        #expect(Set(messages.compactMap { $0["id"] as? String }).count == messages.count)
    }

    @Test(arguments: StoreKind.allCases)
    func anAddressKeptBeforeAddressesWereCheckedGetsNoMail(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        try await cli.ok("user", "add", "maria", "--role", "editor", "--email", "maria@example.org")
        try await cli.ok("user", "notify", "maria", "--weekly")
        // As an older version let it be stored.
        try await RawDatabase.at(cli.database).run("UPDATE team_members SET email = 'maria@example.org>, attacker@evil.example' WHERE name = 'maria'")
        let called = cli.directory.appendingPathComponent("sendmail-called")
        let sendmail = cli.directory.appendingPathComponent("sendmail")
        try "#!/bin/sh\necho \"$@\" >> '\(called.path)'\ncat > /dev/null\n".write(to: sendmail, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: sendmail.path)
        let round = try await cli.run(["remind", "--sendmail", sendmail.path, "--public-url", "https://ledger.example.org"])
        #expect(round.status == 75 && round.stdout.contains("0 sent, 1 to retry"), "\(round.stdout) \(round.stderr)")
        #expect(round.stderr.contains("email"), "the log names the field: \(round.stderr)")
        #expect(!FileManager.default.fileExists(atPath: called.path), "sendmail was never run")
    }

    @Test(.enabled(if: python.isEnabled, "\(python.skipMessage)"), arguments: StoreKind.allCases)
    func webhooksGetEveryEntrySignedInOrderAndPublicOnlyHooksNothingInternal(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let (allPort, publicPort) = (try await Self.freePort(), try await Self.freePort())
        let allSecret = try await cli.ok("webhook", "add", "http://127.0.0.1:\(allPort)/hook", "--allow-private").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let publicSecret = try await cli.ok("webhook", "add", "http://127.0.0.1:\(publicPort)/hook", "--public-only", "--allow-private").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let allLog = cli.directory.appendingPathComponent("all.jsonl").path, publicLog = cli.directory.appendingPathComponent("public.jsonl").path
        // The first receiver is down for its first two requests.
        let receiver = Self.fixtures.appendingPathComponent("webhook_receiver.py").path
        let allReceiver = try Self.background([receiver, String(allPort), allSecret, "2", allLog])
        let publicReceiver = try Self.background([receiver, String(publicPort), publicSecret, "0", publicLog])
        defer { Self.stop(allReceiver, publicReceiver) }
        try await Self.waitForPort(allPort)
        try await Self.waitForPort(publicPort)

        try await cli.ok("followup", "add", "justice-juarez-fire", "--on", "2023-08-01", "--note", "Families met the prosecutor.", "--kind", "meeting")
        try await cli.ok("followup", "add", "justice-juarez-fire", "--on", "2023-08-02", "--note", "Internal: the prosecutor's draft", "--internal")
        try await cli.ok("followup", "add", "justice-juarez-fire", "--on", "2023-08-03", "--note", "A public statement.", "--kind", "statement")

        let first = try await cli.run(["webhook", "deliver"])
        #expect(first.status == 75, "one receiver failed: \(first.stdout)")
        #expect(first.stdout.contains("2 delivered, 1 to retry"), "the public-only hook took both public entries: \(first.stdout)")
        let nudged = RawDatabase.at(cli.database)
        for _ in 0..<2 {
            try await nudged.run("UPDATE webhooks SET next_attempt_at = 0")
            _ = try await cli.run(["webhook", "deliver"])
        }
        #expect(try await cli.ok("webhook", "deliver").stdout.contains("0 delivered, 0 to retry"))

        func received(_ path: String) throws -> [[String: Any]] {
            try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
                try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])
            }
        }
        let all = try received(allLog), publicOnly = try received(publicLog)
        #expect(all.compactMap { $0["seq"] as? Int } == [29, 30, 31], "in order, once each, after the retries")
        #expect(all.allSatisfy { $0["signature_ok"] as? Bool == true })
        #expect(publicOnly.compactMap { $0["seq"] as? Int } == [29, 31], "the internal entry never went to the public-only hook")
        #expect(!(try String(contentsOfFile: publicLog, encoding: .utf8).contains("prosecutor's draft")))
        // What was sent is the entry as exported: anyone can check its hash.
        let exported = try await cli.ok("export").stdout.split(separator: "\n")
        let sent = try #require(all.first?["entry"] as? [String: Any])
        #expect(exported[28].contains("\"hash\":\"\(sent["hash"] as? String ?? "?")\""))
        let listed = try await cli.ok("webhook", "list").stdout
        #expect(listed.contains("delivered up to seq 31"))
        try await cli.ok("webhook", "remove", "1")
        #expect(try await cli.ok("webhook", "list").stdout.contains("removed"))
        #expect(try await cli.run(["webhook", "add", "not a url"]).status == 65)
    }

    @Test(.enabled(if: python.isEnabled, "\(python.skipMessage)"))
    func serveDeliversNewEntriesOnItsOwn() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let port = try await Self.freePort()
        let secret = try await cli.ok("webhook", "add", "http://127.0.0.1:\(port)/hook", "--allow-private").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let log = cli.directory.appendingPathComponent("received.jsonl").path
        let receiver = try Self.background([Self.fixtures.appendingPathComponent("webhook_receiver.py").path, String(port), secret, "0", log])
        defer { Self.stop(receiver) }
        try await Self.waitForPort(port)
        let server = try await ServeCommandTests.Server.start(cli)
        let (status, _) = try await ServeCommandTests.request(server.base + "/api/v1/status")
        #expect(status == 200)
        try await cli.ok("followup", "add", "justice-juarez-fire", "--on", "2023-08-01", "--note", "Written while serve runs.")
        var delivered = false
        for _ in 0..<600 where !delivered {
            try await Task.sleep(for: .milliseconds(100))
            delivered = (try? String(contentsOfFile: log, encoding: .utf8))?.contains("Written while serve runs.") == true
        }
        #expect(try await server.stop() == 0)
        #expect(delivered, "serve delivered the entry to the webhook within 60 s: \(server.log)")
    }
}
