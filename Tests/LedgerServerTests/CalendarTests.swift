import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import LedgerTestSupport
import Testing
@testable import LedgerServer
import LedgerTeam

/// The due-date calendars, read by a calendar parser no one on the team wrote (Python's
/// `icalendar`): the public one, and each person's secret one.
@Suite("Calendars")
struct CalendarTests {
    static let tools = ExternalTools(["python3"], pythonModules: ["icalendar"])
    static var checker: String {
        URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures/check_calendar.py").path
    }
    static let awkward = "Deliver the registry; \"every weapon\", traced\\checked — a long summary that needs folding across more than seventy-five octets, con acentos: Gobernación"

    static func read(_ text: String, in site: TestSite) async throws -> [String: Any] {
        let file = site.directory.url.appendingPathComponent("calendar-\(UUID().uuidString).ics")
        try text.write(to: file, atomically: true, encoding: .utf8)
        let checked = try await ExternalTools.run("python3", [checker, file.path])
        try #require(checked.status == 0, "\(checked.output)")
        return try #require(try JSONSerialization.jsonObject(with: Data(checked.output.utf8)) as? [String: Any])
    }

    static let dueCommitment = EntryDraft(
        type: .commitmentRecorded, subject: "segob-registry", effective: EffectiveTime("2023-08-01")!, author: "policy-team", visibility: .public,
        payload: .object(["demands": .array([.string("justice-juarez-fire")]), "actor": .string("segob"), "kind": .string("pledge"),
                          "summary": .string(awkward), "summary_es": .string("Entregar el registro"), "due": .string("2023-12-31"),
                          "sources": .array([.string("https://www.gob.mx/segob")])]))

    @Test(.enabled(if: tools.isEnabled, "\(tools.skipMessage)"))
    func thePublicCalendarHasEveryPublicDueDateAndNothingInternal() async throws {
        var site = try await TestSite(withSecrets: true, extra: [Self.dueCommitment])
        site.configuration.passwordCost = 4
        let signed = site
        try await signed.test { client in
            let response = try await client.get("/calendar.ics")
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/calendar; charset=utf-8")
            #expect(!response.text.contains(TestSite.marker) && !response.text.contains("segob-first-session"))
            let calendar = try await Self.read(response.text, in: signed)
            let events = try #require(calendar["events"] as? [[String: Any]])
            let registry = try #require(events.first { ($0["uid"] as? String)?.hasPrefix("commitment-segob-registry@") == true })
            #expect((registry["summary"] as? String)?.contains(Self.awkward) == true, "\(registry)")
            #expect(registry["start"] as? String == "2023-12-31")
            #expect(registry["url"] as? String == "\(TestSite.baseURL)/commitments/segob-registry?lang=en")
            #expect((registry["description"] as? String)?.contains("overdue by") == true)
            let spanish = try await Self.read(try await client.get("/calendar.ics?lang=es").text, in: signed)
            #expect((spanish["events"] as? [[String: Any]])?.contains { ($0["summary"] as? String)?.contains("Entregar el registro") == true } == true)

            // A person's own calendar: internal due dates too, behind a secret address that can be replaced.
            var maria = try await WorkspaceTests.signUp("maria", .editor, on: signed, client)
            let settings = try await maria.get(client, "/team/settings")
            let made = try await maria.post(client, "/team/settings", [("csrf", try WorkspaceTests.csrf(in: settings.text)), ("action", "calendar")])
            let address = String(try #require(made.text.firstMatch(of: /https:\/\/ledger\.example\.org(\/team\/calendar\.ics\?key=[A-Za-z0-9_-]+)/)).1)
            let team = try await client.get(address)
            #expect(team.status == .ok)
            let teamEvents = try #require(try await Self.read(team.text, in: signed)["events"] as? [[String: Any]])
            #expect(teamEvents.contains { ($0["uid"] as? String)?.hasPrefix("commitment-segob-first-session@") == true })
            #expect(teamEvents.count > events.count)
            let again = try await maria.post(client, "/team/settings", [("csrf", try WorkspaceTests.csrf(in: settings.text)), ("action", "calendar")])
            #expect(again.status == .ok)
            #expect(try await client.get(address).status == .notFound, "the old address stops working")
            #expect(try await client.get("/team/calendar.ics?key=guess").status == .notFound)
            #expect(try await client.get("/team/calendar.ics").status == .notFound)
        }
    }
}
