import Crypto
import Foundation
import Hummingbird
import Ledger
import Reports

/// The public pages rendered for the latest head, by key, each under the tag it was rendered
/// for; the renders under way, so a request for a page being rendered waits for that render;
/// and the searches running, of which at most `searchLimit` at once.
struct PageCache: Sendable {
    private var pages: [String: PublicView.Rendered] = [:]
    /// Renders under way, by page key, with the tag of what they render.
    private var rendering: [String: (etag: String, task: Task<String?, any Error>)] = [:]
    /// Searches being rendered. Each reads every note (about a second of a core at a million
    /// entries), so distinct searches sent at once could keep both cores busy for as long as
    /// anyone keeps sending them.
    private var searchesRunning = 0
    static let searchLimit = 1
    private let limit = 4_096

    func page(_ key: String, etag: String) -> PublicView.Rendered? {
        guard let page = pages[key], page.etag == etag else { return nil }
        return page
    }

    mutating func keep(_ page: PublicView.Rendered, as key: String) {
        if pages.count >= limit { pages = [:] }
        pages[key] = page
    }

    mutating func clear() { pages = [:] }

    /// The render of `key` for `etag` already under way, if any.
    func underWay(_ key: String, etag: String) -> Task<String?, any Error>? {
        guard let underWay = rendering[key], underWay.etag == etag else { return nil }
        return underWay.task
    }

    /// Starts a render; a search beyond `searchLimit` is refused with `TooManySearches`.
    mutating func start(_ key: String, etag: String, isSearch: Bool, _ render: @escaping @Sendable () throws -> String?) throws -> Task<String?, any Error> {
        if isSearch {
            guard searchesRunning < Self.searchLimit else { throw PublicView.TooManySearches() }
            searchesRunning += 1
        }
        let task = Task.detached { try render() }
        rendering[key] = (etag, task)
        return task
    }

    mutating func finished(_ key: String, etag: String, isSearch: Bool) {
        if rendering[key]?.etag == etag { rendering[key] = nil }
        if isSearch { searchesRunning -= 1 }
    }
}

extension PublicView {
    /// A search was asked for while `PageCache.searchLimit` others were being rendered.
    struct TooManySearches: Error {}

    /// The tag of every cached response of this head, checkpoint, editions, day and language:
    /// computed without rendering, so a client that has the page gets a 304 at no cost.
    /// - Parameter variant: what else the page depends on (a filtered list's query), so a
    ///   client holding the unfiltered page's tag is not told that the filtered one is the same.
    func etag(language: ReportLanguage, variant: String = "") -> String {
        Self.varied(Self.etag(head: shownHead, day: today(), language: language, warning: warning, checkpoint: published, editions: editionsVersion),
                    by: variant)
    }

    static func varied(_ etag: String, by variant: String) -> String {
        guard !variant.isEmpty else { return etag }
        let digest = SHA256.hash(data: Data(variant.utf8)).prefix(8).map { String(format: "%02x", $0) }.joined()
        return String(etag.dropLast()) + "-v\(digest)\""
    }

    static func etag(head: ChainHead, day: CalendarDay, language: ReportLanguage, warning: IntegrityWarning?, checkpoint: PublishedCheckpoint?,
                     editions: Int) -> String {
        "\"\(head.seq)-\(head.hash.prefix(16))-\(day)-\(language.rawValue)-c\(checkpoint?.size ?? 0)-e\(editions)\(warning == nil ? "" : "-unverified")\""
    }

    /// The cached response for `key`, rendering it on first use; nil when `render` finds
    /// nothing (a 404, which is not cached). Pages are rendered off the actor, so a page
    /// that takes seconds (a search at a million entries) holds up no other request, and a
    /// request for a page already being rendered waits for that render.
    /// - Parameter countsWillDo: `render` reads only what a state from the counts fold holds
    ///   (see `PublicSite.statusPageSeqs`), so a server starting from the counts answers it
    ///   at once rather than after the full fold.
    /// - Parameter isSearch: `render` reads every note; at most `PageCache.searchLimit` such
    ///   renders run at once, and one more is refused with `TooManySearches`.
    func page(_ key: String, language: ReportLanguage, contentType: String, variant: String = "", countsWillDo: Bool = false, isSearch: Bool = false,
              render: @escaping @Sendable (Snapshot) throws -> String?) async throws -> Rendered? {
        let fromCounts = countsWillDo ? try await countsSnapshotIfStarting() : nil
        let snapshot = if let fromCounts { fromCounts } else { try await currentSnapshot() }
        let etag = Self.varied(snapshot.etag(language, editions: editionsVersion), by: variant)
        if let page = pageCache.page(key, etag: etag) { return page }
        let underWay = pageCache.underWay(key, etag: etag)
        let task: Task<String?, any Error>
        if let underWay { task = underWay } else { task = try pageCache.start(key, etag: etag, isSearch: isSearch) { try render(snapshot) } }
        // Awaiting a task's result is not cut short by cancellation, so the render that
        // began here is always forgotten here.
        let result = await task.result
        if underWay == nil { pageCache.finished(key, etag: etag, isSearch: isSearch) }
        guard let text = try result.get() else { return nil }
        if let page = pageCache.page(key, etag: etag) { return page }
        let page = Rendered(body: ByteBuffer(string: text), contentType: contentType, etag: etag)
        // Only pages of the latest head are kept; one that a refresh overtook is served once.
        // A page from the counts is the full fold's page of the same head, byte for byte.
        if snapshot.records.head == shownHead { pageCache.keep(page, as: key) }
        return page
    }
}
