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
    /// How many entries a feed carries; the whole history is `/api/v1/entries`.
    public static let defaultLength = 50

    /// - Parameters:
    ///   - state: the public state today (for titles and names).
    ///   - hashes: the hash of each item's entry, by seq (records carry no hash).
    public init(state: LedgerState, records: some Sequence<Record>, hashes: [Int64: String], language: ReportLanguage, baseURL: String,
                warning: IntegrityWarning? = nil) {
        self.warning = warning
        precondition(state.audience == .public, "feeds are built from the public view only")
        let site = PublicSite(state: state, language: language, months: [])
        let writer = site.writer
        self.language = language
        organisation = site.organisation
        title = "\(organisation): \(site.labels.feedTitle)"
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

    var updated: String { items.first?.recordedAt ?? "1970-01-01T00:00:00Z" }
    var homePage: String { baseURL + "/?lang=\(language.rawValue)" }
    var selfLink: (atom: String, json: String) {
        (baseURL + "/feed.atom?lang=\(language.rawValue)", baseURL + "/feed.json?lang=\(language.rawValue)")
    }

    public static let namespace = "urn:x-accountability-ledger:feed:1"

    /// RFC 4287. Text goes in as escaped text constructs, never as markup.
    public func atom() -> String {
        let e = HTMLText.escape
        var out: [String] = []
        out.append("<?xml version=\"1.0\" encoding=\"utf-8\"?>")
        out.append("<feed xmlns=\"http://www.w3.org/2005/Atom\" xmlns:ledger=\"\(Self.namespace)\" xml:lang=\"\(language.rawValue)\">")
        out.append("<id>\(e(selfLink.atom))</id>")
        out.append("<title type=\"text\">\(e(title))</title>")
        out.append("<updated>\(e(updated))</updated>")
        out.append("<link rel=\"self\" type=\"application/atom+xml\" href=\"\(e(selfLink.atom))\"/>")
        out.append("<link rel=\"alternate\" type=\"text/html\" href=\"\(e(baseURL + "/?lang=\(language.rawValue)"))\"/>")
        out.append("<author><name>\(e(organisation))</name></author>")
        out.append("<generator>Accountability Ledger</generator>")
        if let warning {
            out.append("<entry>")
            out.append("<id>\(e(warning.feedID))</id>")
            out.append("<title type=\"text\">\(e(warning.text(language)))</title>")
            out.append("<updated>\(e(updated))</updated>")
            out.append("<link rel=\"alternate\" type=\"text/html\" href=\"\(e(baseURL + "/?lang=\(language.rawValue)"))\"/>")
            out.append("<content type=\"text\">\(e(warning.text(language)))</content>")
            out.append("</entry>")
        }
        for item in items {
            out.append("<entry>")
            out.append("<id>\(e(item.id))</id>")
            out.append("<title type=\"text\">\(e(item.title))</title>")
            out.append("<updated>\(e(item.recordedAt))</updated>")
            out.append("<published>\(e(item.recordedAt))</published>")
            out.append("<link rel=\"alternate\" type=\"text/html\" href=\"\(e(item.url))\"/>")
            for source in item.sources where SafeURL.isLink(source) {
                out.append("<link rel=\"related\" href=\"\(e(source))\"/>")
            }
            out.append("<category term=\"\(e(item.type))\"/>")
            out.append("<content type=\"text\">\(e(item.text))</content>")
            out.append("<ledger:seq>\(item.seq)</ledger:seq>")
            out.append("<ledger:hash>\(e(item.hash))</ledger:hash>")
            out.append("<ledger:effective>\(e(item.effective))</ledger:effective>")
            out.append("<ledger:subject>\(e(item.subject))</ledger:subject>")
            if item.retracted { out.append("<ledger:retracted>true</ledger:retracted>") }
            out.append("</entry>")
        }
        out.append("</feed>")
        return out.joined(separator: "\n") + "\n"
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
            var version = "https://jsonfeed.org/version/1.1"
            var title, homePageURL, feedURL, language: String
            var authors: [Author]
            var items: [Entry]
            enum CodingKeys: String, CodingKey {
                case version, title, language, authors, items
                case homePageURL = "home_page_url", feedURL = "feed_url"
            }
        }
        let warningItem = warning.map { warning in
            Feed.Entry(id: warning.feedID, url: homePage, title: warning.text(language), contentText: warning.text(language),
                       datePublished: updated, language: language.rawValue, tags: ["integrity"], externalURL: nil, ledger: nil)
        }
        let feed = Feed(
            title: title, homePageURL: homePage, feedURL: selfLink.json, language: language.rawValue,
            authors: [Feed.Author(name: organisation)],
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
