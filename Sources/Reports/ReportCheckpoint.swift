import Foundation
import Ledger

/// The checkpoint of the log a report was built from: signed, so that a reader can later
/// prove that the ledger still contains everything the report showed
/// (`ledgerctl verify --since-report`); or only the root, when no key signed that size.
public struct ReportCheckpoint: Sendable, Codable, Equatable {
    /// The log's name, when signed.
    public var origin: String?
    public var size: Int64
    /// The Merkle root (base64) of the first `size` entries.
    public var root: String
    public var signed: Bool
    /// The signed note (C2SP tlog-checkpoint), verbatim.
    public var note: String?

    public init(origin: String?, size: Int64, root: String, note: String?) {
        self.origin = origin
        self.size = size
        self.root = root
        self.signed = note != nil
        self.note = note
    }

    /// A stored signed checkpoint, as a report carries it.
    public init(_ stored: StoredCheckpoint) {
        self.init(origin: stored.origin, size: stored.size, root: stored.root, note: stored.note)
    }

    /// The lines that frame the note in the text and Markdown reports, so a verifier finds it.
    public static let begin = "-----BEGIN LEDGER CHECKPOINT-----"
    public static let end = "-----END LEDGER CHECKPOINT-----"

    /// The signed note a report carries (HTML, JSON, Markdown or text), or nil.
    public static func signedNote(inReport text: String) -> String? {
        if let start = text.range(of: begin + "\n"), let stop = text.range(of: end, range: start.upperBound..<text.endIndex) {
            return String(text[start.upperBound..<stop.lowerBound])
        }
        if let start = text.range(of: "<pre class=\"ledger-checkpoint\">"), let stop = text.range(of: "</pre>", range: start.upperBound..<text.endIndex) {
            return HTMLText.unescape(String(text[start.upperBound..<stop.lowerBound]))
        }
        if let data = text.data(using: .utf8), let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any],
           let checkpoint = object["checkpoint"] as? [String: Any], let note = checkpoint["note"] as? String {
            return note
        }
        return nil
    }

    /// What the report says about it, in the report's language.
    func sentence(_ language: ReportLanguage) -> String {
        switch (language, signed) {
        case (.en, true):
            return "This report was built from the first \(size) entries of the log \(origin ?? ""), as signed in the checkpoint below. Anyone with the log's published key can check that the ledger still contains them: ledgerctl verify --since-report THIS-FILE --remote ADDRESS --key KEY."
        case (.es, true):
            return "Este informe se elaboró con las primeras \(size) entradas del registro \(origin ?? ""), tal como las firma el punto de control de abajo. Cualquiera con la clave pública del registro puede comprobar que el registro aún las contiene: ledgerctl verify --since-report ESTE-ARCHIVO --remote DIRECCIÓN --key CLAVE."
        case (.en, false):
            return "No signed checkpoint covers exactly these \(size) entries (root \(root)); this edition cannot be checked against the published log. Sign one with ledgerctl report … --signing-key."
        case (.es, false):
            return "Ningún punto de control firmado cubre exactamente estas \(size) entradas (raíz \(root)); esta edición no se puede comprobar contra el registro publicado. Fírmela con ledgerctl report … --signing-key."
        }
    }
}

/// The latest signed checkpoint as the public site shows it: on the status page, with the
/// key to check it and the command that does, and in both feeds.
public struct PublishedCheckpoint: Sendable, Equatable {
    public var origin: String
    public var size: Int64
    public var root: String
    /// The signed note, verbatim (also at `/log/checkpoint`).
    public var note: String
    public var verifierKey: String
    /// Where the site is, for the command a reader copies.
    public var address: String

    public init(origin: String, size: Int64, root: String, note: String, verifierKey: String, address: String) {
        self.origin = origin
        self.size = size
        self.root = root
        self.note = note
        self.verifierKey = verifierKey
        self.address = address
    }

    var command: String { "ledgerctl verify --remote \(ShellWord.quoted(address)) --key \(ShellWord.quoted(verifierKey))" }
}

/// An edition of a month's report as its current page lists it: where it is, when and at
/// which checkpoint it was published, and what changed since the edition before.
public struct ReportEditionLink: Sendable, Codable, Equatable {
    public var edition: Int
    public var href: String
    public var publishedAt: String
    public var size: Int64
    /// One sentence per public entry recorded since the previous edition that changed the month.
    public var changes: [String]

    public init(edition: Int, href: String, publishedAt: String, size: Int64, changes: [String]) {
        self.edition = edition
        self.href = href
        self.publishedAt = publishedAt
        self.size = size
        self.changes = changes
    }
}

extension MonthlyReport {
    /// SHA-256 of what the report says, leaving out which head and checkpoint it was built
    /// from and its editions: two builds with the same hash say the same thing.
    public var contentHash: String {
        var bare = self
        bare.head = Head(seq: 0, hash: "")
        bare.checkpoint = nil
        bare.editions = nil
        return ChainHash.sha256Hex(Array(((try? ReportJSON.encode(bare)) ?? "").utf8))
    }

    /// The line of the current page's list of editions, in the report's language.
    func editionHeading(_ link: ReportEditionLink) -> String {
        language.text("report.editionHeading", ["edition": String(link.edition), "date": String(link.publishedAt.prefix(10)), "size": String(link.size)])
    }
}

extension MonthlyReport {
    /// The list of editions for the current page: each edition's link and, from the second
    /// on, what changed, told with today's names (`records` and `state` are today's public view).
    public static func editionLinks(_ editions: [ReportEdition], records: LedgerRecords, state: LedgerState,
                                    language: ReportLanguage, href: (ReportEdition) -> String) -> [ReportEditionLink] {
        let writer = Sentences(state: state, language: language)
        let bySeq = Dictionary(records.records.map { ($0.seq, $0) }, uniquingKeysWith: { a, _ in a })
        return editions.map { edition in
            ReportEditionLink(edition: edition.edition, href: href(edition), publishedAt: edition.publishedAt, size: edition.treeSize,
                              changes: edition.changedSeqs.compactMap { seq in
                                  bySeq[seq].map { record in language.date(record.effective.day) + ": " + writer.describe(record).text }
                              })
        }
    }
}
