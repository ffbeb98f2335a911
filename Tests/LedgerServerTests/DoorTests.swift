import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import LedgerTestSupport
import Reports
import Synchronization
import Testing
@testable import LedgerServer
import LedgerTeam

/// The smaller holes the hardening issue found in the server, each closed.
@Suite("Server doors")
struct DoorTests {
    static func followup(id: UUID, note: String = "Hearing held.") -> String {
        #"{"id":"\#(id.uuidString.lowercased())","type":"followup.logged","subject":"justice-juarez-fire","effective":"2023-08-02","payload":{"note":"\#(note)"}}"#
    }

    @Test(arguments: StoreKind.allCases)
    func twinRequestsWriteOnceAndOnlyOneSaysCreated(_ kind: StoreKind) async throws {
        let site = try await TestSite(kind)
        let token = try await site.ledger.addToken(name: "maria")
        let head = try await site.ledger.store.head()
        let rounds = 12
        try await site.test { client in
            for _ in 0..<rounds {
                let line = Self.followup(id: UUID())
                async let first = client.post(line, token: token)
                async let second = client.post(line, token: token)
                let answers = try await [first, second]
                let added = try answers.map { try $0.json()["added"] as? Int }
                #expect(answers.map(\.status.code).sorted() == [200, 201], "\(answers.map(\.text))")
                #expect(added.compactMap { $0 }.sorted() == [0, 1])
            }
        }
        #expect(try await site.ledger.store.head().seq == head.seq + Int64(rounds))
        await site.ledger.close()
    }

    @Test func otherMethodsOnAnAddressThatExistsAre405() async throws {
        let site = try await TestSite()
        try await site.test { client in
            for (path, allowed) in [("/", "GET, HEAD"), ("/demands/stop-arms-flow", "GET, HEAD"), ("/feed.atom", "GET, HEAD"),
                                    ("/api/v1/entries", "GET, HEAD, POST")] {
                for method in [HTTPRequest.Method.put, .delete, .options, .patch] {
                    let response = try await client.execute(uri: path, method: method)
                    #expect(response.status == .methodNotAllowed, "\(method) \(path)")
                    #expect(response.headers[.allow] == allowed, "\(method) \(path)")
                }
            }
            #expect(try await client.execute(uri: "/nowhere", method: .put).status == .notFound)
        }
    }

    @Test func aByteOrderMarkIsReadAsTheCLIReadsIt() async throws {
        let site = try await TestSite()
        let token = try await site.ledger.addToken(name: "maria")
        try await site.test { client in
            let response = try await client.post("\u{FEFF}" + Self.followup(id: UUID()) + "\n", token: token)
            #expect(response.status == .created, "\(response.text)")
        }
    }

    @Test func nullIsNotAbsence() async throws {
        let site = try await TestSite()
        let token = try await site.ledger.addToken(name: "maria")
        let head = try await site.ledger.store.head()
        try await site.test { client in
            for field in ["id", "author", "schema", "visibility"] {
                let line = #"{"\#(field)":null,"type":"followup.logged","subject":"justice-juarez-fire","effective":"2023-08-02","payload":{"note":"x"}}"#
                let response = try await client.post(line, token: token)
                #expect(response.status == .badRequest)
                let error = try #require(try response.json()["error"] as? [String: Any])
                #expect(error["field"] as? String == "line 1: \(field)")
                #expect((error["message"] as? String)?.contains("null") == true)
            }
        }
        #expect(try await site.ledger.store.head() == head)
    }

    @Test func tokensInTheQueryStringAreNotLogged() {
        #expect(AccessLog.loggable(path: "/", query: "lang=es&token=ldg_secret&access_token=abc&after=3") == "/?lang=es&token=REDACTED&access_token=REDACTED&after=3")
        #expect(AccessLog.loggable(path: "/api/v1/entries", query: "ldg_secret") == "/api/v1/entries?ldg_secret=REDACTED")
        #expect(AccessLog.loggable(path: "/feed.atom", query: nil) == "/feed.atom")
        // A workspace set-up link is a secret too.
        #expect(AccessLog.loggable(path: "/team/setup/fvrHP85azxlLW7NZFCLr", query: "lang=es") == "/team/setup/REDACTED?lang=es")
        #expect(AccessLog.loggable(path: "/team/sign-in", query: "next=%2Fteam%2F") == "/team/sign-in?next=REDACTED")
        // Filters and pages are logged; what a reader searched for is not.
        #expect(AccessLog.loggable(path: "/", query: "q=desaparecidos&status=no-response&page=2") == "/?q=REDACTED&status=no-response&page=2")
    }

    /// A search reads every note: seconds of a core at a million entries. One is rendered at
    /// a time, off the view, so the rest of the site answers meanwhile; another search is
    /// told to come back (503, Retry-After) instead of queueing behind it.
    @Test func aSearchUnderWayHoldsUpNoOtherPageAndASecondIsToldToComeBack() async throws {
        let site = try await TestSite()
        let started = Atomic<Bool>(false)
        let release = Atomic<Bool>(false)
        // A search that takes as long as the test needs: it waits for `release`, for 60 s at most.
        let held = Task {
            try await site.view.page("held search", language: .en, contentType: "text/plain", isSearch: true) { _ in
                started.store(true, ordering: .relaxed)
                let deadline = ContinuousClock.now + .seconds(60)
                while !release.load(ordering: .relaxed) && ContinuousClock.now < deadline { usleep(1_000) }
                return "held"
            }
        }
        while !started.load(ordering: .relaxed) { try await Task.sleep(for: .milliseconds(1)) }
        let (busy, busyES, status, demand) = try await site.test { client in
            (try await client.get("/?q=arms"), try await client.get("/?q=%3Cb%3Earms&lang=es"), try await client.get("/?status=committed"),
             try await client.get("/demands/stop-arms-flow"))
        }
        #expect(busy.status == .serviceUnavailable && busy.headers[.retryAfter] == "5")
        #expect(busy.text.contains("Too many searches are running at once") && busy.headers[.contentType]?.hasPrefix("text/html") == true)
        #expect(busyES.status == .serviceUnavailable && busyES.text.contains("Hay demasiadas búsquedas en curso"))
        #expect(!busyES.text.contains("<b>arms") && !busyES.text.contains("arms"), "the query is not echoed")
        #expect(status.status == .ok && demand.status == .ok, "the other pages answered while the search was under way")
        release.store(true, ordering: .relaxed)
        #expect(try await held.value?.body == ByteBuffer(string: "held"))
        let after = try await site.test { client in try await client.get("/?q=arms") }
        #expect(after.status == .ok && after.text.contains("Stop the flow of weapons"), "the next search, once the first ended")
        await site.ledger.close()
    }
}
