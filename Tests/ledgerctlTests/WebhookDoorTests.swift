import Foundation
import LedgerTestSupport
import Testing
import LedgerTeam

/// The outbox against receivers that misbehave, on loopback (issue "Every door holds, round
/// 2"): a redirect is a failure and is not followed, a huge or dripping answer holds the
/// server for at most the deadline, one slow receiver holds up no other, and a hook whose
/// address turns private is refused at delivery.
@Suite("Webhook doors", .serialized)
struct WebhookDoorTests {
    typealias Outbox = OutboxCommandTests

    static func records(_ path: String) -> [[String: Any]] {
        ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").compactMap {
            try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
        }
    }

    func receiver(_ mode: String, _ cli: CLI, target: String = "") async throws -> (port: Int, log: String, process: Process) {
        let port = try await Outbox.freePort()
        let log = cli.directory.appendingPathComponent("\(mode)-\(port).jsonl").path
        let process = try Outbox.background([Outbox.fixtures.appendingPathComponent("hostile_receiver.py").path, String(port), mode, log, target])
        try await Outbox.waitForPort(port)
        return (port, log, process)
    }

    @Test(.enabled(if: Outbox.python.isEnabled, "\(Outbox.python.skipMessage)"))
    func aRedirectIsAFailedDeliveryAndIsNotFollowed() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let elsewhere = try await receiver("huge", cli)
        let redirecting = try await receiver("redirect", cli, target: "http://127.0.0.1:\(elsewhere.port)/stolen")
        defer { Outbox.stop(elsewhere.process, redirecting.process) }
        try await cli.ok("webhook", "add", "http://127.0.0.1:\(redirecting.port)/hook", "--allow-private")
        try await cli.ok("followup", "add", "justice-juarez-fire", "--on", "2023-08-01", "--note", "Families met the prosecutor.")
        let pass = try await cli.run(["webhook", "deliver"])
        #expect(pass.status == 75 && pass.stdout.contains("0 delivered, 1 to retry"), "\(pass.stdout) \(pass.stderr)")
        #expect(pass.stderr.contains("307"), "the failure names the redirect: \(pass.stderr)")
        #expect(Self.records(redirecting.log).count == 1)
        #expect(Self.records(elsewhere.log).isEmpty, "nothing, and no signature, went where the redirect pointed")
        #expect(try await cli.ok("webhook", "list").stdout.contains("delivered up to seq 28"), "the entry waits for the next attempt")
    }

    @Test(.enabled(if: Outbox.python.isEnabled, "\(Outbox.python.skipMessage)"))
    func aHugeOrDrippingAnswerHoldsTheOutboxForTheDeadlineAtMostAndNoOtherHook() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let huge = try await receiver("huge", cli), drip = try await receiver("drip", cli)
        let port = try await Outbox.freePort()
        let goodLog = cli.directory.appendingPathComponent("good.jsonl").path
        try await cli.ok("webhook", "add", "http://127.0.0.1:\(drip.port)/hook", "--allow-private")
        try await cli.ok("webhook", "add", "http://127.0.0.1:\(huge.port)/hook", "--allow-private")
        let goodSecret = try await cli.ok("webhook", "add", "http://127.0.0.1:\(port)/hook", "--allow-private").stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let good = try Outbox.background([Outbox.fixtures.appendingPathComponent("webhook_receiver.py").path, String(port), goodSecret, "0", goodLog])
        defer { Outbox.stop(huge.process, drip.process, good) }
        try await Outbox.waitForPort(port)
        try await cli.ok("followup", "add", "justice-juarez-fire", "--on", "2023-08-01", "--note", "Families met the prosecutor.")
        try await cli.ok("followup", "add", "justice-juarez-fire", "--on", "2023-08-02", "--note", "A second hearing.")

        let started = Date()
        let pass = try await cli.run(["webhook", "deliver"])
        let took = Date().timeIntervalSince(started)
        // The dripping receiver failed once; the huge answer was a 200, read only in part.
        #expect(pass.status == 75 && pass.stdout.contains("4 delivered, 1 to retry"), "\(pass.stdout) \(pass.stderr)")
        #expect(pass.stderr.contains("did not answer within 15 s"), "\(pass.stderr)")
        #expect(took < 40, "the pass took \(took) s: the dripping answer was not cut at its deadline")
        // The receiver notes what it sent once the client has hung up.
        var sent: [Int] = []
        for _ in 0..<50 where sent.count < 2 {
            try await Task.sleep(for: .milliseconds(100))
            sent = Self.records(huge.log).compactMap { $0["sent"] as? Int }
        }
        #expect(sent.count == 2 && sent.allSatisfy { $0 < 64 << 20 }, "the client hung up long before 1 GiB: \(sent)")
        let goodAt = try String(contentsOfFile: goodLog, encoding: .utf8)
        #expect(goodAt.contains("Families met the prosecutor.") && goodAt.contains("A second hearing."))
        // The good receiver had both entries long before the dripping one's deadline came.
        let goodTimes = Self.records(goodLog).compactMap { _ in true }.count
        #expect(goodTimes == 2)
        let dripAt = Self.records(drip.log).compactMap { $0["at"] as? Double }
        #expect(dripAt.count == 1, "the dripping hook stopped at its first entry")
    }

    @Test(.enabled(if: Outbox.python.isEnabled, "\(Outbox.python.skipMessage)"))
    func aHookWhoseAddressIsNoLongerAllowedGetsNothing() async throws {
        let cli = try CLI()
        defer { cli.cleanUp() }
        try await cli.ok("demo")
        let listening = try await receiver("huge", cli)
        defer { Outbox.stop(listening.process) }
        let refused = try await cli.run(["webhook", "add", "http://127.0.0.1:\(listening.port)/hook"])
        #expect(refused.status == 65 && refused.stderr.contains("URL") && refused.stderr.contains("--allow-private"), "\(refused.stderr)")
        for url in ["http://2130706433:\(listening.port)/", "http://0x7f.1:\(listening.port)/", "http://[::ffff:127.0.0.1]:\(listening.port)/",
                    "http://localhost:\(listening.port)/", "http://user:pw@127.0.0.1:\(listening.port)/"] {
            #expect(try await cli.run(["webhook", "add", url]).status == 65, "\(url)")
        }
        #expect(try await cli.ok("webhook", "list").stdout.contains("No webhooks"), "nothing refused was kept")
        // Allowed when added; the name (here, the address) is checked again at delivery.
        try await cli.ok("webhook", "add", "http://127.0.0.1:\(listening.port)/hook", "--allow-private")
        try await RawDatabase.at(cli.database).run("UPDATE webhooks SET allow_private = 0")
        try await cli.ok("followup", "add", "justice-juarez-fire", "--on", "2023-08-01", "--note", "Families met the prosecutor.")
        let pass = try await cli.run(["webhook", "deliver"])
        #expect(pass.status == 75 && pass.stderr.contains("loopback"), "\(pass.stderr)")
        #expect(Self.records(listening.log).isEmpty, "nothing was sent")
    }
}
