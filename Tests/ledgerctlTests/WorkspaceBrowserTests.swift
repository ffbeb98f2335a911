import Foundation
import LedgerTestSupport
import Testing
import LedgerTeam

/// The workspace in a real browser: `ledgerctl serve` on a real port, a person added with
/// `ledgerctl user add`, and Fixtures/workspace_browser.py driving headless Chromium through
/// Selenium (axe-core checking every page) as that person logs a week's work. Then the
/// ledger must hold exactly that work, under their name, and still verify.
@Suite("Workspace in a browser", .serialized)
struct WorkspaceBrowserTests {
    static let tools = ExternalTools(["python3", "chromium", "chromedriver"], pythonModules: ["selenium", "axe_selenium_python"])

    /// Where the screenshots of every page go (docs/policy-team.md).
    static var screenshots: URL {
        let base = ProcessInfo.processInfo.environment["LEDGER_SCREENSHOTS"]
            ?? FileManager.default.temporaryDirectory.appendingPathComponent("ledger-workspace-screenshots").path
        return URL(fileURLWithPath: base)
    }

    @Test(.enabled(if: tools.isEnabled, "\(tools.skipMessage)"), arguments: StoreKind.allCases)
    func aPolicyTeamMemberLogsAWeekInTheBrowser(_ kind: StoreKind) async throws {
        let cli = try await CLI.on(kind)
        #expect(try await cli.run(["demo"]).status == 0)
        let server = try await ServeCommandTests.Server.start(cli)
        let added = try await cli.run(["user", "add", "maria", "--role", "admin", "--email", "maria@example.org", "--public-url", server.base])
        #expect(added.status == 0, "\(added.stderr)")
        let link = added.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(link.hasPrefix(server.base + "/team/setup/"))
        #expect(added.stderr.contains("shown once"))

        let folder = Self.screenshots.appendingPathComponent(kind.rawValue)
        try? FileManager.default.removeItem(at: folder)
        let script = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/workspace_browser.py").path
        let run = try await ExternalTools.run("python3", [script, server.base, link, folder.path])
        #expect(try await server.stop() == 0)
        try #require(run.status == 0, "\(run.output)")

        // Exactly the week's eight entries (seven forms and a sheet), written by maria, in the order she logged them.
        let json = try #require(run.output.split(separator: "\n").last { $0.hasPrefix("{") })
        let report = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let written = try #require(report["written"] as? [String: Int])
        #expect(written.count == 8)
        let lines = try await cli.run(["export"]).stdout.split(separator: "\n")
        let entries = try lines.map { try #require(try JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]) }
        let byMaria = entries.filter { $0["author"] as? String == "maria" }
        #expect(byMaria.compactMap { $0["seq"] as? Int } == written.values.sorted())
        #expect(byMaria.compactMap { $0["type"] as? String } == ["demand.recorded", "commitment.recorded", "status.changed", "status.changed",
                                                              "followup.logged", "entry.corrected", "entry.retracted", "demand.recorded"])
        let demand = try #require(byMaria.first?["payload"] as? [String: Any])
        #expect(demand["sources"] as? [String] == ["https://example.org/arms-flow", "https://example.org/flujo-de-armas"])
        let verify = try await cli.run(["verify"])
        #expect(verify.status == 0, "\(verify.stderr)")
        #expect(try await cli.run(["show", "stop-arms-flow-2"]).stdout.contains("Stop the flow of US firearms into Mexico"))
        #expect(try await cli.run(["show", "ban-assault-weapons"]).stdout.contains("Prohibir las armas de asalto; ya"))
        // A screenshot of every step, for people to look at and for docs/policy-team.md.
        let shots = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".png") }
        #expect(shots.count >= 20)
    }

    @Test func userCommandsExplainThemselvesAndRefuseBadInput() async throws {
        let cli = try CLI()
        #expect(try await cli.run(["init"]).status == 0)
        let bad = try await cli.run(["user", "add", "ana", "--role", "owner"])
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--role"), "\(bad.stderr)")
        let email = try await cli.run(["user", "add", "ana", "--role", "viewer", "--email", "not an address"])
        #expect(email.status == 65, "\(email.stderr)")
        #expect(email.stderr.contains("email"))
        #expect(try await cli.run(["user", "add", "ana", "--role", "viewer"]).status == 0)
        let twice = try await cli.run(["user", "add", "ana", "--role", "admin"])
        #expect(twice.status == 65 && twice.stderr.contains("already a member"), "\(twice.stderr)")
        let unknown = try await cli.run(["user", "disable", "nobody-here"])
        #expect(unknown.status != 0 && unknown.stderr.contains("not a member"), "\(unknown.stderr)")
        #expect(try await cli.run(["user", "list"]).stdout.contains("waiting for set-up"))
        #expect(try await cli.run(["user", "disable", "ana"]).status == 0)
        let listed = try await cli.run(["user", "list", "--json"]).stdout
        #expect(listed.contains("\"state\" : \"disabled\"") || listed.contains("\"state\":\"disabled\""), "\(listed)")
        let help = try await cli.run(["user", "--help"]).stdout
        #expect(help.contains("viewer") && help.contains("set-up link"))
    }
}
