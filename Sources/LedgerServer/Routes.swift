import Foundation
import Hummingbird
import Ledger
import Logging
import NIOCore
import ServiceLifecycle
import Reports
import Transparency
import Workspace
import LedgerTeam

/// The handlers, over the public view and the ledger.
struct Routes: Sendable {
    let view: PublicView
    let checkpointer: Checkpointer
    let configuration: LedgerServerConfiguration
    let logger: Logger
    var ledger: Ledger { view.ledger }

    /// A cached page: 304 when the client has this head's version, 404 when `render`
    /// finds nothing. With `languageMatters` false the response is the same in any language.
    func page(_ request: Request, key: String, contentType: String, languageMatters: Bool = true, variant: String = "", countsWillDo: Bool = false,
              isSearch: Bool = false, render: @escaping @Sendable (PublicView.Snapshot, ReportLanguage) throws -> String?) async throws -> Response {
        let choice = languageMatters ? try LanguageChoice(request: request) : nil
        let language = choice?.language ?? .en
        let etag = await view.etag(language: language, variant: variant)
        if Responses.notModified(request, etag: etag) {
            // Skip rendering; `cached` answers 304 with the same headers.
            return Responses.cached(PublicView.Rendered(body: ByteBuffer(), contentType: contentType, etag: etag), request: request, choice: choice)
        }
        let found: PublicView.Rendered?
        do {
            found = try await view.page("\(key)?\(language.rawValue)\(variant)", language: language, contentType: contentType, variant: variant,
                                        countsWillDo: countsWillDo, isSearch: isSearch, render: { try render($0, language) })
        } catch is PublicView.TooManySearches {
            var response = try await errorPage(request, status: .serviceUnavailable, message: nil)
            response.headers[.retryAfter] = "5"
            return response
        }
        guard let page = found else {
            return try await errorPage(request, status: .notFound, message: nil)
        }
        return Responses.cached(page, request: request, choice: choice)
    }

    /// 404, 400 and 503 (too many searches at once) as pages in the reader's language. The
    /// message never repeats what was asked for, so a crafted URL cannot put words on the site.
    func errorPage(_ request: Request, status: HTTPResponse.Status, message: String?) async throws -> Response {
        let language = (try? LanguageChoice(request: request))?.language ?? .en
        let text = try await view.withSnapshot { snapshot in
            let site = snapshot.site(language)
            switch status {
            case .notFound: return site.notFoundPage()
            case .serviceUnavailable: return site.busyPage()
            default: return site.badRequestPage(message: message ?? "")
            }
        }
        return Responses.text(status, text, contentType: LedgerServer.html)
    }

    func feed(_ snapshot: PublicView.Snapshot, _ language: ReportLanguage) -> LedgerFeed {
        LedgerFeed(state: snapshot.state, records: LedgerFeed.latest(snapshot.records), hashes: snapshot.feedHashes,
                   language: language, baseURL: configuration.baseURL, warning: snapshot.warning, checkpoint: snapshot.checkpoint)
    }

    /// `/demands/ID/feed.atom` (and `.json`, and for commitments and actors): the item's
    /// public updates. The entries' hashes are read from the store, once per head.
    func itemFeed(_ request: Request, kind: SubjectKind, id: String, format: String) async throws -> Response {
        guard let ids = try await view.withSnapshot({ LedgerFeed.records(about: kind, id, in: $0.state)?.1.map(\.id) }) else {
            return try await errorPage(request, status: .notFound, message: nil)
        }
        let hashes = Dictionary(try await view.read { try await $0.store.entries(withIDs: ids) }.map { ($0.seq, $0.hash) }, uniquingKeysWith: { a, _ in a })
        let contentType = format == "atom" ? "application/atom+xml; charset=utf-8" : "application/feed+json; charset=utf-8"
        return try await page(request, key: "/\(kind.rawValue)s/\(id)/feed.\(format)", contentType: contentType) { snapshot, language in
            guard let (scope, records) = LedgerFeed.records(about: kind, id, in: snapshot.state) else { return nil }
            let feed = LedgerFeed(state: snapshot.state, records: records, hashes: hashes, language: language, baseURL: configuration.baseURL,
                                  warning: snapshot.warning, checkpoint: snapshot.checkpoint, scope: scope)
            return format == "atom" ? feed.atom(templates: configuration.templates) : try feed.json()
        }
    }

    /// When the ledger failed verification or lost its guards: 503 with what failed, so a
    /// monitor polling the status sees it.
    func integrityFailure() async throws -> Response? {
        guard let warning = await view.warning else { return nil }
        let verification = await view.verification
        let body = JSONValue.object([
            "error": .object([
                "status": .int(503),
                "message": .string(warning.text(.en)),
                "failed_at_seq": warning.failedAtSeq.map { .int($0) } ?? .null,
                "problem": verification?.problem.map { .string($0) } ?? .null,
                "guard_problems": .array(await view.guardProblems.map { .string($0) }),
                "snapshot_problems": .array(await view.snapshotProblems.map { .string($0) }),
            ]),
        ]).canonicalText + "\n"
        return Responses.text(.serviceUnavailable, body, contentType: LedgerServer.json)
    }

    // MARK: The chain, for outsiders

    /// `GET /api/v1/entries?after=SEQ&limit=N`: public entries in full (enough to recompute
    /// their hashes), internal ones as seq and hash only, so the chain's continuity can be
    /// checked without seeing what they say.
    func entries(_ request: Request) async throws -> Response {
        let parameters = request.uri.queryParameters
        let after = try Self.integer(parameters.get("after"), field: "after", default: 0, range: 0...Int64.max)
        let limit = try Self.integer(parameters.get("limit"), field: "limit", default: 100, range: 1...1_000)
        // Rows as stored, written out as canonical JSON directly: a public entry's exchange
        // line from its columns (its payload is the canonical text the ledger wrote), so
        // nothing is decoded or rebuilt; a row altered in storage is served as it is, and an
        // outside verifier finds that it no longer hashes.
        let rows = try await view.read { try await $0.store.rows(after: after, limit: Int(limit)) }
        // A full page never changes (the chain only grows); a partial one changes with the head.
        let last = rows.last.map { "\($0.seq)-\($0.hash.prefix(16))" } ?? "empty"
        let etag = "\"entries-\(after)-\(limit)-\(last)\""
        var body = Array(#"{"entries":["#.utf8)
        body.reserveCapacity(rows.count * 900)
        for (index, row) in rows.enumerated() {
            if index > 0 { body.append(UInt8(ascii: ",")) }
            if row.visibility == Visibility.public.rawValue {
                row.appendExchangeLine(to: &body)
            } else {
                body += JSONValue.object(["seq": .int(row.seq), "hash": .string(row.hash), "visibility": .string("internal")]).canonicalText.utf8
            }
        }
        body += (#"],"next_after":"# + (rows.count == Int(limit) ? String(rows.last!.seq) : "null") + "}\n").utf8
        return Responses.cached(PublicView.Rendered(body: ByteBuffer(bytes: body), contentType: LedgerServer.json, etag: etag),
                                request: request, choice: nil)
    }

    /// The list filter a page's query asks for; a value that is not a choice is a 400 naming it.
    static func filter(_ request: Request) throws -> SubjectFilter {
        // Read as a form reads it: a GET form sends spaces as `+`.
        guard let form = FormValues(urlEncoded: request.uri.query ?? "") else {
            throw APIError(.badRequest, field: "query", "is not valid percent-encoded UTF-8")
        }
        let parameters = Dictionary(form.pairs.map { ($0.name, $0.value) }, uniquingKeysWith: { a, _ in a })
        do {
            return try SubjectFilter(parameters: parameters)
        } catch {
            throw APIError(.badRequest, field: error.field, error.message)
        }
    }

    static func integer(_ text: String?, field: String, default value: Int64, range: ClosedRange<Int64>) throws -> Int64 {
        guard let text else { return value }
        guard let number = Int64(text), range.contains(number) else {
            throw APIError(.badRequest, field: field, range.upperBound == .max ? "must be a whole number, \(range.lowerBound) or more"
                           : "must be a whole number from \(range.lowerBound) to \(range.upperBound)")
        }
        return number
    }

    // MARK: Team writes

    /// `POST /api/v1/entries`: JSON Lines as `ledgerctl append` takes them, all validated,
    /// then written atomically; idempotent on entry id. The token's name is the author.
    func append(_ request: Request) async throws -> Response {
        let author = try await authenticate(request)
        if let warning = try await view.warningOnceVerified() {
            throw APIError(.serviceUnavailable, field: nil, "writes are refused: \(warning.text(.en)) An operator must check it with `ledgerctl verify` and restart the server")
        }
        if configuration.readOnly {
            throw APIError(.serviceUnavailable, field: nil, "writes are refused: this server has the ledger open for reading only")
        }
        let buffer: ByteBuffer
        do {
            buffer = try await request.body.collect(upTo: configuration.maxBodyBytes)
        } catch let error as any HTTPResponseError where error.status == .contentTooLarge {
            throw APIError(.contentTooLarge, field: "body", "is larger than \(configuration.maxBodyBytes) bytes; send the entries in smaller batches")
        }
        guard let text = String(validating: buffer.readableBytesView, as: UTF8.self) else {
            throw APIError(.badRequest, field: "body", "is not UTF-8 text")
        }
        let batch = try DraftBatch(jsonLines: text, defaultAuthor: author, requiredAuthor: author, source: "body")
        let result = try await ledger.append(batch.drafts, labels: batch.labels)
        logger.info("appended", metadata: ["author": "\(author)", "added": "\(result.added)", "sent": "\(result.entries.count)"])
        // This server shows its own write at once; the others hear of it from the database,
        // or from the head the answer carries (`ReadYourWrites`).
        let head = result.entries.map(\.seq).max() ?? 0
        do { try await view.written(upTo: head) } catch { logger.warning("refresh after write failed", metadata: ["error": "\(error)"]) }
        var answer = AppendReceipt(result)
        // With the key, the answer waits for a checkpoint covering the batch and carries
        // each entry's receipt.
        if configuration.signer != nil, let last = result.entries.map(\.seq).max() {
            do {
                if let checkpoint = try await checkpointer.covering(last) {
                    for index in answer.entries.indices {
                        answer.entries[index].receipt = try await ledger.receipt(seq: answer.entries[index].seq, under: checkpoint).text
                    }
                }
            } catch {
                logger.error("could not sign a checkpoint for the write", metadata: ["error": "\(error)"])
            }
        }
        return Responses.text(result.added > 0 ? .created : .ok, try ReportJSON.encode(answer) + "\n", contentType: LedgerServer.json,
                              extra: ReadYourWrites.fields(head: head, secure: configuration.secureCookies))
    }

    /// The token's name, or 401. Nothing is read or written before this passes.
    func authenticate(_ request: Request) async throws -> String {
        let challenge: HTTPFields = [.wwwAuthenticate: "Bearer realm=\"ledger\""]
        guard let header = request.headers[.authorization], header.count > 7, header.prefix(7).lowercased() == "bearer " else {
            throw APIError(.unauthorized, field: "Authorization", "send `Authorization: Bearer TOKEN` (create one with `ledgerctl token add NAME`)", headers: challenge)
        }
        let secret = header.dropFirst(7).trimmingCharacters(in: .whitespaces)
        guard let name = try await ledger.tokenName(forSecret: secret) else {
            throw APIError(.unauthorized, field: "Authorization", "the token is not valid (unknown or revoked)",
                           headers: [.wwwAuthenticate: "Bearer realm=\"ledger\", error=\"invalid_token\""])
        }
        return name
    }
}
