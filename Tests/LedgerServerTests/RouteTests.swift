import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import LedgerTestSupport
import Testing
@testable import LedgerServer
@testable import Reports
import LedgerTeam

@Suite("Server routes")
struct RouteTests {
    @Test func everyPublicPageAnswersInEnglishAndSpanish() async throws {
        let site = try await TestSite()
        let state = try await site.ledger.state(asOf: site.today, audience: .public)
        let demand = try #require(state.demand("justice-juarez-fire"))
        let commitment = try #require(state.commitment("cndh-rec-juarez"))
        try await site.test { client in
            for (language, heading) in [("en", "Where the demands stand"), ("es", "En qué están las demandas")] {
                let home = try await client.get("/?lang=\(language)")
                #expect(home.status == .ok)
                #expect(home.headers[.contentLanguage] == language)
                #expect(home.headers[.contentType] == "text/html; charset=utf-8")
                #expect(home.headers[.vary] == nil, "an explicit ?lang does not vary with Accept-Language")
                #expect(home.text.contains("<html lang=\"\(language)\">"))
                #expect(home.text.contains(heading))
                // The switch links to the same page in the other language.
                #expect(home.text.contains(language == "en" ? "href=\"/?lang=es\"" : "href=\"/?lang=en\""))
                for state in state.demands { #expect(home.text.contains("/demands/\(state.id)?lang=\(language)")) }

                let demandPage = try await client.get("/demands/\(demand.id)?lang=\(language)")
                #expect(demandPage.status == .ok)
                #expect(demandPage.text.contains(HTMLText.escape(language == "es" ? demand.titleES ?? demand.title : demand.title)))
                #expect(demandPage.text.contains("/commitments/\(commitment.id)?lang=\(language)"))

                let commitmentPage = try await client.get("/commitments/\(commitment.id)?lang=\(language)")
                #expect(commitmentPage.status == .ok)
                #expect(commitmentPage.text.contains(language == "es" ? "Declarado y verificado" : "Claimed and verified"))
                for source in commitment.sources { #expect(commitmentPage.text.contains("href=\"\(source)\"")) }

                let report = try await client.get("/reports/2023-07?lang=\(language)")
                #expect(report.status == .ok)
                #expect(report.text.contains(language == "es" ? "Informe mensual de seguimiento" : "Monthly status report"))

                let atom = try await client.get("/feed.atom?lang=\(language)")
                #expect(atom.status == .ok)
                #expect(atom.headers[.contentType] == "application/atom+xml; charset=utf-8")
                #expect(atom.text.contains("xml:lang=\"\(language)\""))

                let json = try await client.get("/feed.json?lang=\(language)")
                #expect(json.status == .ok)
                #expect(json.headers[.contentType] == "application/feed+json; charset=utf-8")
                #expect(try json.json()["language"] as? String == language)
            }
            let status = try await client.get("/api/v1/status")
            #expect(status.status == .ok)
            let overview = try status.json()
            #expect(overview["audience"] as? String == "public")
            #expect((overview["demands"] as? [Any])?.count == state.demands.count)
        }
    }

    @Test func headAnswersWithTheHeadersOfGet() async throws {
        let site = try await TestSite()
        try await site.test { client in
            for path in ["/", "/feed.atom", "/feed.json", "/demands/justice-juarez-fire", "/api/v1/status"] {
                let get = try await client.get(path)
                let head = try await client.execute(uri: path, method: .head)
                #expect(head.status == .ok, "\(path)")
                #expect(head.body.readableBytes == 0)
                #expect(head.headers[.eTag] == get.headers[.eTag])
                #expect(head.headers[.contentType] == get.headers[.contentType])
            }
            #expect(try await client.execute(uri: "/demands/nope", method: .head).status == .notFound)
        }
    }

    @Test func acceptLanguageChoosesAndTheResponseVaries() async throws {
        let site = try await TestSite()
        try await site.test { client in
            let spanish = try await client.get("/", headers: [.acceptLanguage: "es-MX,es;q=0.9,en;q=0.8"])
            #expect(spanish.headers[.contentLanguage] == "es")
            #expect(spanish.headers[.vary] == "Accept-Language")
            #expect(spanish.text.contains("En qué están las demandas"))
            let english = try await client.get("/", headers: [.acceptLanguage: "fr-CA, en;q=0.5, es;q=0.1"])
            #expect(english.headers[.contentLanguage] == "en")
            let fallback = try await client.get("/", headers: [.acceptLanguage: "de"])
            #expect(fallback.headers[.contentLanguage] == "en")
            let bad = try await client.get("/?lang=fr")
            #expect(bad.status == .badRequest)
            #expect(try bad.json()["error"].flatMap { $0 as? [String: Any] }?["field"] as? String == "lang")
        }
        #expect(LanguageChoice.negotiate("en;q=0.2, es;q=0.8") == .es)
        #expect(LanguageChoice.negotiate("es;q=0, en") == .en)
        #expect(LanguageChoice.negotiate("") == .en)
        #expect(LanguageChoice.negotiate("ES") == .es)
    }

    @Test func conditionalGetAnswers304UntilTheLedgerMoves() async throws {
        let site = try await TestSite()
        let token = try await site.ledger.addToken(name: "maria")
        try await site.test { client in
            for path in ["/", "/?lang=es", "/demands/justice-juarez-fire", "/feed.atom", "/feed.json", "/api/v1/status", "/reports/2023-07", "/api/v1/entries"] {
                let first = try await client.get(path)
                let etag = try #require(first.headers[.eTag], "\(path) has an ETag")
                let again = try await client.get(path, headers: [.ifNoneMatch: etag])
                #expect(again.status == .notModified, "\(path)")
                #expect(again.body.readableBytes == 0)
                #expect(again.headers[.eTag] == etag)
                let weak = try await client.get(path, headers: [.ifNoneMatch: "\"other\", W/\(etag)"])
                #expect(weak.status == .notModified, "\(path) with a weak tag in a list")
                let stale = try await client.get(path, headers: [.ifNoneMatch: "\"0-0\""])
                #expect(stale.status == .ok)
            }
            let before = try #require(try await client.get("/").headers[.eTag])
            let written = try await client.post(
                #"{"type":"followup.logged","subject":"justice-juarez-fire","effective":"2023-08-02","payload":{"note":"Families met the special prosecutor.","kind":"meeting"}}"#,
                token: token)
            #expect(written.status == .created)
            let after = try await client.get("/", headers: [.ifNoneMatch: before])
            #expect(after.status == .ok, "a new entry changes the tag")
            #expect(after.headers[.eTag] != before)
            let page = try await client.get("/demands/justice-juarez-fire")
            #expect(page.text.contains("Families met the special prosecutor."), "the writing server shows its write at once")
        }
    }

    @Test func unknownAndInternalSubjectsAreNotFoundAndBadParametersAreNamed() async throws {
        let site = try await TestSite(withSecrets: true)
        try await site.test { client in
            for path in ["/demands/nope", "/commitments/nope", "/demands/\(TestSite.marker)-demand",
                         "/commitments/\(TestSite.marker)-commitment", "/commitments/segob-first-session", "/reports/1999-01", "/reports/2999-01"] {
                let response = try await client.get(path)
                #expect(response.status == .notFound, "\(path)")
                #expect(response.text.contains("Not found"))
                #expect(!response.text.contains(TestSite.marker))
            }
            #expect(try await client.get("/demands/nope?lang=es").text.contains("No encontrado"))
            #expect(try await client.get("/reports/2023-13").status == .badRequest)
            for (query, field) in [("after=-1", "after"), ("after=x", "after"), ("limit=0", "limit"), ("limit=1001", "limit")] {
                let response = try await client.get("/api/v1/entries?\(query)")
                #expect(response.status == .badRequest, "\(query)")
                let error = try #require(try response.json()["error"] as? [String: Any])
                #expect(error["field"] as? String == field)
            }
            #expect(try await client.get("/no/such/route").status == .notFound)
        }
    }

    @Test func writesNeedALiveToken() async throws {
        let site = try await TestSite()
        let token = try await site.ledger.addToken(name: "maria")
        let revoked = try await site.ledger.addToken(name: "former-volunteer")
        try await site.ledger.revokeToken(name: "former-volunteer")
        let line = #"{"type":"followup.logged","subject":"justice-juarez-fire","effective":"2023-08-02","payload":{"note":"x"}}"#
        let head = try await site.ledger.store.head()
        try await site.test { client in
            for (credential, reason) in [(nil, "missing"), ("nope", "unknown"), (revoked, "revoked"), (String(token.dropLast()), "truncated")] {
                let response = try await client.post(line, token: credential)
                #expect(response.status == .unauthorized, "\(reason) token")
                #expect(response.headers[.wwwAuthenticate]?.hasPrefix("Bearer") == true)
            }
            let basic = try await client.execute(uri: "/api/v1/entries", method: .post, headers: [.authorization: "Basic bWFyaWE6eA=="], body: ByteBuffer(string: line))
            #expect(basic.status == .unauthorized)
        }
        #expect(try await site.ledger.store.head() == head, "nothing was written")
    }

    @Test(arguments: StoreKind.allCases)
    func writesAreValidatedFirstAtomicAndIdempotent(_ kind: StoreKind) async throws {
        let site = try await TestSite(kind)
        let token = try await site.ledger.addToken(name: "maria")
        let head = try await site.ledger.store.head()
        let first = #"{"id":"6f1c7a52-8d0e-4c1a-9a55-3f3f6f0b2a01","type":"followup.logged","subject":"justice-juarez-fire","effective":"2023-08-02","payload":{"note":"Hearing held.","kind":"meeting"}}"#
        let second = #"{"id":"6f1c7a52-8d0e-4c1a-9a55-3f3f6f0b2a02","type":"followup.logged","subject":"cndh-rec-juarez","effective":"2023-08-03","payload":{"note":"Recommendation acknowledged."}}"#
        try await site.test { client in
            let invalid = try await client.post([first, second, #"{"type":"followup.logged","subject":"nope","effective":"2023-08-03","payload":{"note":"x"}}"#].joined(separator: "\n"), token: token)
            #expect(invalid.status == .badRequest)
            let error = try #require(try invalid.json()["error"] as? [String: Any])
            #expect((error["field"] as? String)?.hasPrefix("line 3") == true, "\(error)")

            let malformed = try await client.post(first + "\n{\"type\": ", token: token)
            #expect(malformed.status == .badRequest)
            #expect((try malformed.json()["error"] as? [String: Any])?["field"] as? String == "line 2")

            let impostor = try await client.post(first.replacingOccurrences(of: #""type""#, with: #""author":"someone-else","type""#), token: token)
            #expect(impostor.status == .badRequest)
            #expect((try impostor.json()["error"] as? [String: Any])?["field"] as? String == "line 1: author")

            let empty = try await client.post("\n\n", token: token)
            #expect(empty.status == .badRequest)
            #expect(try await site.ledger.store.head() == head, "a refused batch writes nothing")

            let created = try await client.post(first + "\n" + second + "\n", token: token)
            #expect(created.status == .created)
            let receipt = try created.json()
            #expect(receipt["added"] as? Int == 2)
            let items = try #require(receipt["entries"] as? [[String: Any]])
            #expect(items.map { $0["seq"] as? Int } == [Int(head.seq) + 1, Int(head.seq) + 2])
            let stored = try await site.ledger.store.entries(after: head.seq, limit: 10)
            #expect(items.map { $0["hash"] as? String } == stored.map(\.hash))
            #expect(stored.allSatisfy { $0.author == "maria" }, "the token's name is the author")

            let retry = try await client.post(first + "\n" + second, token: token)
            #expect(retry.status == .ok)
            #expect(try retry.json()["added"] as? Int == 0)
            #expect((try retry.json()["entries"] as? [[String: Any]])?.map { $0["seq"] as? Int } == items.map { $0["seq"] as? Int })
        }
        #expect(try await site.ledger.store.head().seq == head.seq + 2)
        await site.ledger.close()
    }

    @Test func oversizedBodiesAreRefusedWith413() async throws {
        var site = try await TestSite()
        site.configuration.maxBodyBytes = 1_000
        let token = try await site.ledger.addToken(name: "maria")
        let head = try await site.ledger.store.head()
        let note = String(repeating: "a", count: 1_200)
        try await site.test { client in
            let response = try await client.post(#"{"type":"followup.logged","subject":"justice-juarez-fire","effective":"2023-08-02","payload":{"note":"\#(note)"}}"#, token: token)
            #expect(response.status == .contentTooLarge)
            #expect((try response.json()["error"] as? [String: Any])?["field"] as? String == "body")
        }
        #expect(try await site.ledger.store.head() == head)
    }

    @Test func theEntriesAPIShowsInternalEntriesAsSeqAndHashOnly() async throws {
        let site = try await TestSite(withSecrets: true)
        let head = try await site.ledger.store.head()
        let pages: [String] = try await site.test { client in
            var pages: [String] = []
            var after = 0
            while true {
                let page = try await client.get("/api/v1/entries?after=\(after)&limit=7")
                #expect(page.status == .ok)
                pages.append(page.text)
                guard let next = try page.json()["next_after"] as? Int else { break }
                after = next
            }
            return pages
        }
        var collected: [[String: Any]] = []
        for page in pages {
            let body = try #require(try JSONSerialization.jsonObject(with: Data(page.utf8)) as? [String: Any])
            collected += try #require(body["entries"] as? [[String: Any]])
        }
        #expect(collected.map { $0["seq"] as? Int } == (1...Int(head.seq)).map { $0 }, "every seq, none missing")
        var previousHash = ChainHead.empty.hash
        for item in collected {
            if item["visibility"] as? String == "internal" {
                #expect(Set(item.keys) == ["seq", "hash", "visibility"])
            } else {
                // A public entry comes whole: its hash can be recomputed and its link checked.
                let data = try JSONSerialization.data(withJSONObject: item)
                let entry = try Entry(exchangeJSON: try JSONValue.parse(String(decoding: data, as: UTF8.self)))
                #expect(entry.computedHash == entry.hash)
                #expect(entry.prevHash == previousHash)
            }
            previousHash = try #require(item["hash"] as? String)
        }
        #expect(previousHash == head.hash)
    }

    @Test func untrustedTextIsEscapedOnEveryPublicURL() async throws {
        let hostile = #"<script>alert("x")</script> & 'quotes' ]]> \u{1B}[31m"#
        let site = try await TestSite(extra: [EntryDraft(
            type: .demandRecorded, subject: "hostile-demand", effective: EffectiveTime("2023-07-05")!, author: "tester",
            payload: .object(["title": .string(hostile)]))])
        try await site.test { client in
            for path in ["/", "/demands/hostile-demand", "/feed.atom", "/reports/2023-07"] {
                let text = try await client.get(path).text
                #expect(!text.contains("<script>"), "\(path)")
                #expect(!text.contains("\u{1B}"), "\(path)")
                #expect(text.contains("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &#39;quotes&#39; ]]&gt;"), "\(path)")
            }
            let feed = try await client.get("/feed.json").json()
            let items = try #require(feed["items"] as? [[String: Any]])
            #expect(items.contains { ($0["title"] as? String)?.contains(#"<script>alert("x")</script> & 'quotes'"#) == true })
        }
    }
}
