import Foundation
import Ledger

/// The public entries as a feed: Atom (RFC 4287) or JSON Feed 1.1. One item per public
/// entry, newest first; each item's id is the entry's UUID (stable forever) and it carries
/// the entry's seq and hash so a reader can check it against the chain.
public struct LedgerFeed: Sendable {
    public struct Item: Sendable, Equatable {
        public var id: String
        public var seq: Int64
        public var hash: String
        public var type: String
        public var subject: String
        public var effective: String
        public var recordedAt: String
        public var title: String
        public var text: String
        public var url: String
        public var sources: [String]
        public var retracted: Bool
    }

    public let language: ReportLanguage
    public let title: String
    public let organisation: String
    /// Absolute, no trailing slash: `https://ledger.example.org`.
    public let baseURL: String
    public let items: [Item]
    /// Carried as the first item of both feeds, so subscribers hear of it.
    public let warning: IntegrityWarning?
    /// The latest signed checkpoint, so a subscriber can check the log (a feed-level extension).
    public let checkpoint: PublishedCheckpoint?
    /// How many entries a feed carries; the whole history is `/api/v1/entries`.
    public static let defaultLength = 50

    /// - Parameters:
    ///   - state: the public state today (for titles and names).
    ///   - hashes: the hash of each item's entry, by seq (records carry no hash).
    /// What one item's feed is about (`/demands/ID/feed.atom`): its title and its page.
    public struct Scope: Sendable {
        public let kind: SubjectKind
        public let id: String
        /// The item's page, e.g. `/demands/ID`; its feeds are that path plus `/feed.atom`.
        public var path: String { "/\(kind.rawValue)s/\(id)" }
    }

    /// The records an item's feed carries, newest first: a demand with its commitments, a
    /// commitment, or an actor with the demands and commitments that name it. Nil when
    /// there is no public item by that id.
    public static func records(about kind: SubjectKind, _ id: String, in state: LedgerState, limit: Int = defaultLength) -> (Scope, [Record])? {
        let subjects: [String]
        switch kind {
        case .demand:
            guard let demand = state.demand(id) else { return nil }
            subjects = [id] + demand.commitments
        case .commitment:
            guard state.commitment(id) != nil else { return nil }
            subjects = [id]
        case .actor:
            guard state.actor(id) != nil else { return nil }
            subjects = [id] + state.commitments.filter { $0.actor == id }.map(\.id)
                + state.demands.filter { $0.by.contains(id) || $0.targets.contains(id) }.map(\.id)
        }
        return (Scope(kind: kind, id: id), Array(state.timeline(of: subjects).suffix(limit).reversed()))
    }

    public init(state: LedgerState, records: some Sequence<Record>, hashes: [Int64: String], language: ReportLanguage, baseURL: String,
                warning: IntegrityWarning? = nil, checkpoint: PublishedCheckpoint? = nil, scope: Scope? = nil) {
        self.scope = scope
        self.warning = warning
        self.checkpoint = checkpoint
        precondition(state.audience == .public, "feeds are built from the public view only")
        let site = PublicSite(state: state, language: language, months: [])
        let writer = site.writer
        self.language = language
        organisation = site.organisation
        let about = scope.map { $0.kind == .actor ? writer.name(of: $0.id) : writer.title(of: $0.id) }
        title = "\(organisation): \(about.map { "\($0) — \(site.labels.feedTitle)" } ?? site.labels.feedTitle)"
        self.baseURL = baseURL
        let home = baseURL + site.link("/")
        items = records.map { record in
            let described = writer.describe(record)
            return Item(
                id: "urn:uuid:\(record.id.uuidString.lowercased())", seq: record.seq, hash: hashes[record.seq] ?? "",
                type: record.type.rawValue, subject: record.subject, effective: record.effective.description,
                recordedAt: record.recordedAt, title: described.text,
                text: [language.date(record.effective.day) + ": " + described.text, described.detail].compactMap { $0 }.joined(separator: "\n\n"),
                url: site.subjectLink(record.subject).map { baseURL + $0 } ?? home,
                sources: described.sources, retracted: record.isRetracted)
        }
    }

    /// The newest public records first, at most `limit`.
    public static func latest(_ records: LedgerRecords, limit: Int = defaultLength) -> [Record] {
        Array(records.records.suffix(limit).reversed())
    }

    /// Set for one item's feed.
    public let scope: Scope?

    var updated: String { items.first?.recordedAt ?? "1970-01-01T00:00:00Z" }
    /// The item's page (an actor has none: the status page).
    var homePage: String {
        guard let scope, scope.path.hasPrefix("/demands/") || scope.path.hasPrefix("/commitments/") else { return baseURL + "/?lang=\(language.rawValue)" }
        return baseURL + scope.path + "?lang=\(language.rawValue)"
    }
    var selfLink: (atom: String, json: String) {
        let base = baseURL + (scope.map { $0.path + "/" } ?? "/")
        return (base + "feed.atom?lang=\(language.rawValue)", base + "feed.json?lang=\(language.rawValue)")
    }

    public static let namespace = "urn:x-accountability-ledger:feed:1"

    /// RFC 4287, through the `feed-atom` template: text goes in as escaped text
    /// constructs, never as markup.
    public func atom(templates: ReportTemplates = .builtIn) -> String {
        templates.render("feed-atom", AtomView(self))
    }

    /// What the `feed-atom` template reads.
    struct AtomView {
        struct Warning { let id, text: String }
        struct Entry {
            let id, title, recordedAt, url, type, text, hash, effective, subject: String
            let seq: Int64
            /// The sources that are links (http and https only).
            let links: [String]
            let retracted: Bool
        }
        struct Checkpoint { let note, verifierKey, url: String; let size: Int64 }
        let namespace, lang, selfLink, title, updated, homePage, organisation: String
        let warning: Warning?
        let checkpoint: Checkpoint?
        let items: [Entry]

        init(_ feed: LedgerFeed) {
            namespace = LedgerFeed.namespace
            lang = feed.language.rawValue
            selfLink = feed.selfLink.atom
            title = feed.title
            updated = feed.updated
            homePage = feed.homePage
            organisation = feed.organisation
            warning = feed.warning.map { Warning(id: $0.feedID, text: $0.text(feed.language)) }
            checkpoint = feed.checkpoint.map { Checkpoint(note: $0.note, verifierKey: $0.verifierKey, url: feed.baseURL + "/log/checkpoint", size: $0.size) }
            items = feed.items.map { item in
                Entry(id: item.id, title: item.title, recordedAt: item.recordedAt, url: item.url, type: item.type, text: item.text,
                      hash: item.hash, effective: item.effective, subject: item.subject, seq: item.seq,
                      links: item.sources.filter(SafeURL.isLink), retracted: item.retracted)
            }
        }
    }

    /// JSON Feed 1.1; the ledger's own fields are in the `_ledger` extension object.
    public func json() throws -> String {
        struct Feed: Encodable {
            struct Author: Encodable { var name: String }
            struct Extension: Encodable {
                var seq: Int64
                var hash: String
                var type: String
                var subject: String
                var effective: String
                var retracted: Bool
            }
            struct Entry: Encodable {
                var id, url, title, contentText, datePublished, language: String
                var tags: [String]
                var externalURL: String?
                var ledger: Extension?
                enum CodingKeys: String, CodingKey {
                    case id, url, title, tags, language
                    case contentText = "content_text", datePublished = "date_published", externalURL = "external_url"
                    case ledger = "_ledger"
                }
            }
            /// The feed-level extension: the log's latest signed checkpoint.
            struct Log: Encodable {
                var checkpoint: String
                var checkpointURL: String
                var treeSize: Int64
                var verifierKey: String
                enum CodingKeys: String, CodingKey {
                    case checkpoint, checkpointURL = "checkpoint_url", treeSize = "tree_size", verifierKey = "verifier_key"
                }
            }
            var version = "https://jsonfeed.org/version/1.1"
            var title, homePageURL, feedURL, language: String
            var authors: [Author]
            var ledger: Log?
            var items: [Entry]
            enum CodingKeys: String, CodingKey {
                case version, title, language, authors, items
                case homePageURL = "home_page_url", feedURL = "feed_url", ledger = "_ledger"
            }
        }
        let warningItem = warning.map { warning in
            Feed.Entry(id: warning.feedID, url: homePage, title: warning.text(language), contentText: warning.text(language),
                       datePublished: updated, language: language.rawValue, tags: ["integrity"], externalURL: nil, ledger: nil)
        }
        let feed = Feed(
            title: title, homePageURL: homePage, feedURL: selfLink.json, language: language.rawValue,
            authors: [Feed.Author(name: organisation)],
            ledger: checkpoint.map { Feed.Log(checkpoint: $0.note, checkpointURL: baseURL + "/log/checkpoint", treeSize: $0.size, verifierKey: $0.verifierKey) },
            items: (warningItem.map { [$0] } ?? []) + items.map { item in
                Feed.Entry(
                    id: item.id, url: item.url, title: PlainText.oneLine(item.title), contentText: PlainText.multiline(item.text),
                    datePublished: item.recordedAt, language: language.rawValue, tags: [item.type],
                    externalURL: item.sources.first(where: SafeURL.isLink),
                    ledger: Feed.Extension(seq: item.seq, hash: item.hash, type: item.type, subject: item.subject,
                                           effective: item.effective, retracted: item.retracted))
            })
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(feed), as: UTF8.self) + "\n"
    }
}
