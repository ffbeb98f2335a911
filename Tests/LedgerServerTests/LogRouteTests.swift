import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import LedgerTestSupport
import Testing
import Transparency
@testable import LedgerServer
@testable import Reports

/// The log, the checkpoint on the pages, and the published editions of a month's report.
@Suite("Signed log on the site")
struct LogRouteTests {
    @Test func anUnsignedLedgerSaysSo() async throws {
        let site = try await TestSite()
        try await site.test { client in
            let checkpoint = try await client.get("/log/checkpoint")
            #expect(checkpoint.status == .notFound && checkpoint.text.contains("has not signed a checkpoint yet"))
            #expect(try await client.get("/log/tile/0/000.p/1").status == .notFound)
            #expect(!(try await client.get("/").text.contains("id=\"verify\"")))
            #expect(try await client.get("/reports/2023-07/editions/1").status == .notFound)
        }
        await site.ledger.close()
    }

    /// The entries API is written out directly (no JSON tree): it must still be canonical
    /// JSON, each public entry exactly its exchange line.
    @Test func theEntriesPageIsCanonicalJSON() async throws {
        let site = try await TestSite(withSecrets: true)
        let exported = try await site.ledger.store.entries(after: 0, limit: 1_000)
        for (after, limit) in [(0, 1_000), (3, 5), (Int(exported.count) - 2, 5)] {
            let body = try await site.test { client in try await client.get("/api/v1/entries?after=\(after)&limit=\(limit)").text }
            #expect(try JSONValue.parse(body).canonicalText + "\n" == body)
            for entry in exported.dropFirst(after).prefix(limit) where entry.visibility == .public {
                #expect(body.contains(entry.exchangeLine))
            }
        }
        await site.ledger.close()
    }

    @Test func pagesCarryTheCheckpointAndTheKeyToCheckIt() async throws {
        let site = try await TestSite(signed: true)
        let checkpoint = try #require(try await site.ledger.store.latestCheckpoint())
        try await site.test { client in
            let served = try await client.get("/log/checkpoint")
            #expect(served.status == .ok && served.text == checkpoint.note)
            #expect(served.headers[.contentType] == "text/plain; charset=utf-8")
            #expect(served.headers[.cacheControl] == "public, max-age=5")
            let home = try await client.get("/?lang=en").text
            #expect(home.contains("Verify this ledger yourself"))
            #expect(home.contains(TestSite.signer.verifier.text))
            #expect(home.contains("ledgerctl verify --remote \(TestSite.baseURL) --key \(TestSite.signer.verifier.text)"))
            #expect(try await client.get("/?lang=es").text.contains("Verifique este registro usted mismo"))
            // The month's page is signed when the latest checkpoint covers exactly what it shows.
            let july = try await client.get("/reports/2023-07?lang=en").text
            #expect(ReportCheckpoint.signedNote(inReport: july) == checkpoint.note)
        }
        await site.ledger.close()
    }

    @Test(arguments: StoreKind.allCases)
    func editionsStayAsPublished(_ kind: StoreKind) async throws {
        let site = try await TestSite(kind, signed: true)
        let editions = try await site.ledger.store.reportEditions(month: "2023-07")
        #expect(editions.map(\.edition) == [1, 2])
        #expect(editions[1].changedSeqs == [editions[1].treeSize], "the late follow-up is what changed")
        // A month the late entry cannot change (it is dated later) keeps one edition.
        #expect(try await site.ledger.store.reportEditions(month: "2023-06").map(\.edition) == [1])
        let (first, second, current) = try await site.test { client in
            (try await client.get("/reports/2023-07/editions/1?lang=en").text, try await client.get("/reports/2023-07/editions/2?lang=en").text,
             try await client.get("/reports/2023-07?lang=en").text)
        }
        #expect(!first.contains("reported late") && second.contains("reported late"))
        #expect(ReportCheckpoint.signedNote(inReport: first).map { $0.contains("\n\(editions[0].treeSize)\n") } == true)
        #expect(current.contains("Published editions"))
        #expect(current.contains("href=\"/reports/2023-07/editions/2?lang=en\""))
        #expect(current.contains("A hearing held in July, reported late"), "what changed between editions")
        // The same bytes as `ledgerctl report monthly 2023-07 --known-at SIZE` would give.
        let records = try await site.ledger.records(knownAt: editions[0].treeSize, audience: .public)
        var rebuilt = MonthlyReport(state: LedgerState(records: records, asOf: ReportMonth("2023-07")!.lastDay), month: ReportMonth("2023-07")!, language: .en)
        rebuilt.checkpoint = ReportCheckpoint(try #require(try await site.ledger.store.checkpoint(ofSize: editions[0].treeSize)))
        #expect(rebuilt.html() == first)
        // More entries, another checkpoint: the published editions do not change.
        _ = try await site.ledger.append([EntryDraft(
            type: .followupLogged, subject: "justice-juarez-fire", effective: EffectiveTime("2023-07-28")!, author: "policy-team",
            visibility: .public, payload: .object(["note": .string("Another late July account"), "sources": .array([.string("https://example.org/b")])]))])
        let publisher = EditionPublisher(ledger: site.ledger, logger: TestSite.logger)
        try await publisher.publish(at: try await site.ledger.signCheckpoint(with: TestSite.signer).checkpoint)
        let (firstAgain, third, missing, malformed) = try await site.test { client in
            (try await client.get("/reports/2023-07/editions/1?lang=en").text, try await client.get("/reports/2023-07/editions/3?lang=en"),
             try await client.get("/reports/2023-07/editions/4").status, try await client.get("/reports/2023-07/editions/01").status)
        }
        #expect(firstAgain == first)
        #expect(third.status == .ok && third.text.contains("Another late July account"))
        #expect(missing == .notFound && malformed == .badRequest)
        await site.ledger.close()
    }
}
