import Foundation
import Hummingbird
import HummingbirdTesting
import Ledger
import LedgerTestSupport
import Logging
import Testing
import Transparency
@testable import LedgerServer

/// A server over a demo ledger (plus, optionally, internal entries carrying a marker that
/// must never reach a public URL), exercised through HummingbirdTesting without a socket.
struct TestSite {
    /// In every internal entry of `withSecrets`: in ids, titles, notes, sources, reasons.
    static let marker = "qqsecretqq"
    static let baseURL = "https://ledger.example.org"

    let directory: TemporaryDirectory
    let ledger: Ledger
    let view: PublicView
    var configuration = LedgerServerConfiguration()
    /// The day the pages are rendered for, fixed when the site is made: pages and their tags
    /// name the day, and a test that compares two crawls must not see midnight between them.
    let today: CalendarDay

    static let logger: Logger = {
        var logger = Logger(label: "ledger.server.tests")
        logger.logLevel = .warning
        return logger
    }()

    /// The key of a `signed` site.
    static let signer = try! SignedNote.Signer(generatingFor: "ledger.example.org/pmpj")

    /// - Parameter signed: sign a checkpoint and publish the report editions, then record
    ///   a late public follow-up dated in July 2023 and do both again (so July has two editions).
    init(_ kind: StoreKind = .sqlite, withSecrets: Bool = false, extra: [EntryDraft] = [], signed: Bool = false) async throws {
        directory = try TemporaryDirectory()
        ledger = try await kind.makeLedger(in: directory)
        _ = try await ledger.append(DemoLedger.drafts)
        if withSecrets { _ = try await ledger.append(Self.secrets(try await ledger.records())) }
        if !extra.isEmpty { _ = try await ledger.append(extra) }
        if signed {
            let editions = EditionPublisher(ledger: ledger, logger: Self.logger)
            try await editions.publish(at: try await ledger.signCheckpoint(with: Self.signer).checkpoint)
            _ = try await ledger.append([Self.lateJulyNews])
            try await editions.publish(at: try await ledger.signCheckpoint(with: Self.signer).checkpoint)
        }
        let today = CalendarDay.today()
        self.today = today
        view = PublicView(ledger: ledger, address: Self.baseURL, logger: Self.logger, today: { today })
        configuration.publicURL = Self.baseURL
    }

    /// The same ledger as `site`, as a server starting anew would open it.
    init(reopening site: TestSite, _ kind: StoreKind) async throws {
        directory = site.directory
        ledger = Ledger(store: try await kind.reopenStore(in: directory))
        let today = site.today
        self.today = today
        view = PublicView(ledger: ledger, address: Self.baseURL, logger: Self.logger, today: { today })
        configuration = site.configuration
    }

    static let lateJulyNews = EntryDraft(
        type: .followupLogged, subject: "justice-juarez-fire", effective: EffectiveTime("2023-07-25")!, author: "policy-team",
        visibility: .public, payload: .object(["note": .string("A hearing held in July, reported late"), "sources": .array([.string("https://example.org/late-july")])]))

    /// - Parameter setup: `.router` without a socket; `.live` on a free port of localhost, for
    ///   a client of our own (`client.port`).
    func test<Value: Sendable>(_ setup: TestingSetup = .router, _ body: @Sendable (any TestClientProtocol) async throws -> Value) async throws -> Value {
        let checkpointer = Checkpointer(view: view, signer: configuration.signer, logger: Self.logger)
        let app = Application(router: LedgerServer.router(view: view, checkpointer: checkpointer, configuration: configuration, logger: Self.logger))
        return try await app.test(setup, body)
    }

    /// Internal entries of every kind, each saying the marker: an actor, a demand, a
    /// commitment on a public demand (overdue), a rating and a follow-up on public
    /// subjects, a correction and a retraction of public entries.
    static func secrets(_ records: LedgerRecords) -> [EntryDraft] {
        let demandSeq = records.definitions["justice-juarez-fire"]!
        let followupSeq = records.records.first { $0.type == .followupLogged && $0.subject == "justice-juarez-fire" }!.seq
        func draft(_ type: EntryType, _ subject: String, _ date: String, _ payload: [String: JSONValue]) -> EntryDraft {
            EntryDraft(type: type, subject: subject, effective: EffectiveTime(date)!, author: "\(marker)-author",
                       visibility: .internal, payload: .object(payload))
        }
        let source = JSONValue.array([.string("https://example.org/\(marker)")])
        return [
            draft(.actorRegistered, "\(marker)-actor", "2023-07-01", ["name": .string("\(marker) Agency"), "kind": .string("institution")]),
            draft(.demandRecorded, "\(marker)-demand", "2023-07-02", ["title": .string("\(marker) demand"), "sources": source]),
            draft(.commitmentRecorded, "\(marker)-commitment", "2023-07-03", [
                "demands": .array([.string("justice-juarez-fire")]), "actor": .string("\(marker)-actor"), "kind": .string("pledge"),
                "summary": .string("\(marker) pledge"), "due": .string("2023-08-01"), "sources": source]),
            draft(.statusChanged, "cndh-rec-juarez", "2023-07-20", [
                "status": .string("fulfilled"), "basis": .string("verified"), "rationale": .string("\(marker) rationale"), "sources": source]),
            draft(.followupLogged, "justice-juarez-fire", "2023-07-21", ["note": .string("\(marker) note"), "sources": source]),
            draft(.entryCorrected, "justice-juarez-fire", "2023-07-22", [
                "target_seq": .int(demandSeq), "reason": .string("\(marker) reason"), "fields": .object(["title": .string("\(marker) title")])]),
            draft(.entryRetracted, "justice-juarez-fire", "2023-07-23", ["target_seq": .int(followupSeq), "reason": .string("\(marker) retraction")]),
        ]
    }
}

extension TestResponse {
    var text: String { String(buffer: body) }
    func json() throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any])
    }
}

extension TestClientProtocol {
    func get(_ uri: String, headers: HTTPFields = [:]) async throws -> TestResponse {
        try await execute(uri: uri, method: .get, headers: headers)
    }

    func post(_ body: String, token: String?) async throws -> TestResponse {
        var headers: HTTPFields = [.contentType: "application/x-ndjson"]
        if let token { headers[.authorization] = "Bearer \(token)" }
        return try await execute(uri: "/api/v1/entries", method: .post, headers: headers, body: ByteBuffer(string: body))
    }
}
