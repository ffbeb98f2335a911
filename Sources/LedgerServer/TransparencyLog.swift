import Foundation
import Hummingbird
import Ledger
import Logging
import Reports
import NIOCore
import ServiceLifecycle
import Transparency

/// The log under `/log/` (C2SP tlog-tiles) and, when the server holds the signing key, the
/// checkpoints it signs: within `checkpointInterval` of the verified head moving, and at once
/// for a write through the API, so its answer can carry each entry's receipt.
actor Checkpointer {
    let view: PublicView
    let signer: SignedNote.Signer?
    let logger: Logger
    /// The report editions published at each new checkpoint.
    let editions: EditionPublisher
    private var latest: StoredCheckpoint?
    private var loaded = false

    init(view: PublicView, signer: SignedNote.Signer?, logger: Logger) {
        self.view = view
        self.signer = signer
        self.logger = logger
        editions = EditionPublisher(ledger: view.ledger, logger: logger)
    }

    var ledger: Ledger { view.ledger }

    /// The latest signed checkpoint (read once, then kept as this server signs).
    func current() async throws -> StoredCheckpoint? {
        // Another process (`ledgerctl checkpoint`) may have signed one meanwhile.
        if !loaded || signer == nil {
            latest = try await ledger.store.latestCheckpoint()
            loaded = true
        }
        return latest
    }

    /// A checkpoint covering at least `seq`, signing one at the verified head if needed.
    /// Nil when this server has no key, or the ledger failed verification (nothing is signed then).
    func covering(_ seq: Int64) async throws -> StoredCheckpoint? {
        if let latest = try await current(), latest.size >= seq { return latest }
        guard let signer, let verification = await view.verification, verification.isIntact, await view.warning == nil,
              verification.head.seq >= seq else { return nil }
        let signing = try await ledger.signCheckpoint(with: signer, size: verification.head.seq)
        latest = signing.checkpoint
        await view.publish(signing.checkpoint)
        if signing.isNew {
            logger.info("checkpoint signed", metadata: ["size": "\(signing.checkpoint.size)", "number": "\(signing.checkpoint.number)"])
        }
        return signing.checkpoint
    }
}

/// Signs a checkpoint soon after the head moves, whoever wrote (when the server holds the key).
struct CheckpointService: Service {
    let checkpointer: Checkpointer
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await repeatUntilShutdown(logger: logger, failure: "could not sign a checkpoint", level: .error, retryAfter: interval) {
            if let head = await checkpointer.view.verification?.head.seq, head > 0 {
                _ = try await checkpointer.covering(head)
            }
            try await Task.sleep(for: interval)
        }
    }
}

/// Publishes the report editions of the latest checkpoint, whoever signed it, apart from
/// signing and writes: building a month's report costs a fold-sized pass, which an API
/// write must not wait for. Checkpoints signed meanwhile are skipped; only the latest counts.
struct EditionService: Service {
    let checkpointer: Checkpointer
    let interval: Duration
    let logger: Logger

    func run() async throws {
        await repeatUntilShutdown(logger: logger, failure: "could not publish the report editions", level: .error, retryAfter: interval) {
            if await checkpointer.view.warning == nil, let checkpoint = try await checkpointer.current(),
               try await checkpointer.editions.publish(at: checkpoint) {
                await checkpointer.view.editionsPublished()
            }
            try await Task.sleep(for: interval)
        }
    }
}

extension Routes {
    static let plainText = "text/plain; charset=utf-8"
    static let octets = "application/octet-stream"

    /// `GET /log/checkpoint`: the latest signed checkpoint, cached for a few seconds only.
    func checkpoint(_ request: Request) async throws -> Response {
        guard let checkpoint = try await checkpointer.current() else {
            return Responses.text(.notFound, "This ledger has not signed a checkpoint yet.\n", contentType: Self.plainText,
                                  extra: [.cacheControl: "no-cache"])
        }
        return Responses.text(.ok, checkpoint.note, contentType: Self.plainText, extra: [.cacheControl: "public, max-age=5"])
    }

    /// `GET /log/tile/<L>/<N>[.p/<W>]` and `/log/tile/entries/<N>[.p/<W>]`: only tiles
    /// within the latest signed checkpoint, so every one served is covered by a signature.
    /// A tile's bytes never change, so it is cached for a year.
    func tile(_ request: Request, path: String) async throws -> Response {
        guard let tile = TileAddress(path: path) else {
            return Responses.text(.badRequest, "Not a tile path: tile/<level>/<index>[.p/<width>] or tile/entries/<index>[.p/<width>], as C2SP tlog-tiles defines them.\n",
                                  contentType: Self.plainText)
        }
        let size = try await checkpointer.current()?.size ?? 0
        let data = try await ledger.withMerkleTree(atLeast: size) { tree -> [UInt8]? in
            let leavesCovered: Int64 = switch tile.level {
            case .entries: 1
            case .hashes(let level): level < 8 ? Int64(1) << (TileAddress.height * level) : .max
            }
            let (end, overflow) = (tile.index * Int64(TileAddress.width) + Int64(tile.width)).multipliedReportingOverflow(by: leavesCovered)
            guard !overflow, end <= size else { return nil }
            return tree.tileData(tile)
        }
        guard let data else {
            return Responses.text(.notFound, "No such tile in the latest signed checkpoint (\(size) entries).\n", contentType: Self.plainText)
        }
        let etag = "\"" + TreeHash.leaf(data).hex.prefix(32) + "\""
        let headers: HTTPFields = [.eTag: etag, .cacheControl: "public, max-age=31536000, immutable"]
        if Responses.notModified(request, etag: etag) {
            return Response(status: .notModified, headers: Responses.securityHeaders.merging(headers))
        }
        var response = Responses.text(.ok, "", contentType: Self.octets, extra: headers)
        response.body = ResponseBody(byteBuffer: ByteBuffer(bytes: data))
        return response
    }

    /// `GET /reports/YYYY-MM/editions/N`: the edition as published, the same bytes forever.
    func edition(_ request: Request, month: ReportMonth, numberText: String) async throws -> Response {
        guard let number = Int(numberText), number >= 1, String(number) == numberText else {
            return try await errorPage(request, status: .badRequest, message: "An edition is numbered 1, 2, 3…")
        }
        let choice = try LanguageChoice(request: request)
        let etag = "\"edition-\(month)-\(number)-\(choice.language.rawValue)\""
        guard let page = try await checkpointer.editions.page(month: month, number: number, language: choice.language, templates: configuration.templates) else {
            return try await errorPage(request, status: .notFound, message: nil)
        }
        var response = Responses.cached(PublicView.Rendered(body: ByteBuffer(string: page), contentType: LedgerServer.html, etag: etag), request: request, choice: choice)
        response.headers[.cacheControl] = "public, max-age=86400"
        return response
    }

    /// `GET /log/receipt/SEQ`: the receipt of a public entry under the latest checkpoint.
    func receipt(_ request: Request, seqText: String) async throws -> Response {
        guard let seq = Int64(seqText), seq >= 1, String(seq) == seqText else {
            return Responses.text(.badRequest, "The seq must be a whole number, 1 or more.\n", contentType: Self.plainText)
        }
        let entry = try await ledger.store.entries(after: seq - 1, limit: 1).first
        guard let entry, entry.seq == seq, entry.visibility == .public else {
            return Responses.text(.notFound, "No public entry has this seq.\n", contentType: Self.plainText)
        }
        guard let checkpoint = try await checkpointer.current(), checkpoint.size >= seq else {
            return Responses.text(.notFound, "No signed checkpoint covers this entry yet; try again shortly.\n", contentType: Self.plainText,
                                  extra: [.cacheControl: "no-cache"])
        }
        let receipt = try await ledger.receipt(seq: seq, under: checkpoint)
        return Responses.text(.ok, receipt.text, contentType: Self.plainText, extra: [.cacheControl: "no-cache"])
    }
}

extension HTTPFields {
    func merging(_ other: HTTPFields) -> HTTPFields {
        var merged = self
        for field in other { merged[field.name] = field.value }
        return merged
    }
}
