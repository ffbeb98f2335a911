import Crypto
import Foundation
import Hummingbird
import Ledger
import Logging
import Reports
import ServiceLifecycle
import Transparency

/// What the public sees, kept in memory and brought up to date when the ledger moves:
/// the public records folded once, and every page rendered at most once per ledger head
/// (and per day, since "overdue" depends on the date). Requests never fold the ledger.
actor PublicView {
    /// A rendered response body, its type, and the tag that lets a client skip it next time.
    struct Rendered: Sendable {
        let body: ByteBuffer
        let contentType: String
        let etag: String
    }

    /// The public state of one head on one day, built on first use.
    struct Snapshot: Sendable {
        let records: LedgerRecords
        let state: LedgerState
        let months: [ReportMonth]
        /// Hashes of the entries the feeds carry (records carry no hash).
        let feedHashes: [Int64: String]
        let warning: IntegrityWarning?
        let templates: ReportTemplates
        let checkpoint: PublishedCheckpoint?

        func site(_ language: ReportLanguage) -> PublicSite {
            PublicSite(state: state, language: language, months: months, warning: warning, templates: templates, checkpoint: checkpoint)
        }
        /// The tag of a page rendered from this snapshot, once `editions` editions were published.
        func etag(_ language: ReportLanguage, editions: Int) -> String {
            PublicView.etag(head: records.head, day: state.asOf, language: language, warning: warning, checkpoint: checkpoint, editions: editions)
        }
    }

    let ledger: Ledger
    let templates: ReportTemplates
    /// Where the public reaches the site, for the command on the status page.
    let address: String
    /// The latest signed checkpoint, as the pages and feeds show it.
    private(set) var published: PublishedCheckpoint?
    /// Counts the times new report editions were published, for the pages' tags.
    private var editionsVersion = 0
    private let logger: Logger
    private let today: @Sendable () -> CalendarDay
    private var records = LedgerRecords(audience: .public)
    /// The seq of the latest snapshot of the public fold this view began from or saved.
    private(set) var snapshotSeq: Int64 = 0
    private var snapshot: Snapshot?
    private var pages: [String: Rendered] = [:]
    private var hasRefreshed = false
    /// The chain verified so far; each refresh checks only the entries that are new.
    private(set) var verification: Ledger.Verification?
    /// What is wrong with the database's append-only triggers, checked at start and then
    /// at most once a minute.
    private(set) var guardProblems: [String] = []
    private var guardsCheckedAt: ContinuousClock.Instant?
    private let guardCheckInterval: Duration = .seconds(60)
    /// Past this many cached pages the cache starts again: ids and months are bounded by the
    /// ledger, but a ledger can be large.
    private let pageLimit = 4_096

    init(ledger: Ledger, templates: ReportTemplates = .builtIn, address: String = "", logger: Logger,
         today: @escaping @Sendable () -> CalendarDay = { .today() }) {
        self.ledger = ledger
        self.address = address
        self.templates = templates
        self.logger = logger
        self.today = today
    }

    var head: ChainHead { records.head }

    /// Set once the ledger failed verification or lost its guards; it stays set until the
    /// server restarts, because a ledger does not mend itself.
    var warning: IntegrityWarning? {
        if let verification, !verification.isIntact { return IntegrityWarning(failedAtSeq: verification.firstBadSeq) }
        return guardProblems.isEmpty ? nil : IntegrityWarning(failedAtSeq: nil)
    }

    /// Verifies what is new of the chain (and, now and then, the triggers), then folds in
    /// whatever was appended since the last refresh. A ledger that fails verification is
    /// still shown, under a warning, and said loudly in the log.
    func refresh() async throws {
        hasRefreshed = true
        let warningBefore = warning
        verification = try await ledger.verify(continuing: verification)
        let now = ContinuousClock.now
        if guardsCheckedAt.map({ now - $0 >= guardCheckInterval }) ?? true {
            guardProblems = try await ledger.store.appendOnlyGuardProblems()
            guardsCheckedAt = now
        }
        if warning != warningBefore {
            snapshot = nil
            pages = [:]
            if let verification, !verification.isIntact {
                logger.error("the ledger FAILED verification; writes are refused and every page carries a warning until an operator acts",
                             metadata: ["seq": "\(verification.firstBadSeq ?? 0)", "problem": "\(verification.problem ?? "")"])
            }
            for problem in guardProblems {
                logger.error("the ledger's append-only guard is broken; writes are refused and every page carries a warning until an operator acts",
                             metadata: ["problem": "\(problem)"])
            }
        }
        publish(try await ledger.store.latestCheckpoint())
        var next = records
        // A server starting on a large ledger begins from the stored snapshot, if it matches.
        if next.head.seq == 0, let stored = await ledger.snapshotRecords(.public) {
            next = stored
            snapshotSeq = max(snapshotSeq, stored.head.seq)
        }
        do {
            try await ledger.catchUp(&next)
        } catch where warning != nil {
            // A row altered past reading; the view stays as it was, under the warning.
            logger.error("could not read the altered ledger", metadata: ["error": "\(error)"])
            return
        }
        // Two refreshes can overlap (a write and the watcher); keep whichever saw more.
        guard next.head.seq > records.head.seq else { return }
        records = next
        snapshot = nil
        pages = [:]
        logger.debug("public view refreshed", metadata: ["seq": "\(next.head.seq)"])
    }

    /// Keeps the folds as snapshots when the head is `threshold` entries or more past the
    /// last ones, so the next start (of this server, or of a command) folds only what is
    /// newer. The encoding runs outside the actor: pages are served meanwhile.
    /// - Returns: the seq of the snapshots kept, if any were.
    nonisolated func saveSnapshotsIfBehind(threshold: Int64) async throws -> Int64? {
        let (publicRecords, saved, intact) = await (records, snapshotSeq, warning == nil)
        // A ledger that failed verification is not summarised for later starts.
        guard intact, publicRecords.head.seq - saved >= threshold else { return nil }
        let teamRecords = try await ledger.records()
        try await ledger.saveSnapshot(of: teamRecords)
        try await ledger.saveSnapshot(of: publicRecords)
        await snapshotSaved(at: publicRecords.head.seq)
        return publicRecords.head.seq
    }

    private func snapshotSaved(at seq: Int64) { snapshotSeq = max(snapshotSeq, seq) }

    /// Shows `checkpoint` (the latest signed) on the pages and feeds from now on.
    func publish(_ checkpoint: StoredCheckpoint?) {
        let shown = checkpoint.flatMap { stored -> PublishedCheckpoint? in
            guard let origin = stored.origin else { return nil }
            return PublishedCheckpoint(origin: origin, size: stored.size, root: stored.root, note: stored.note, verifierKey: stored.verifierKey, address: address)
        }
        guard shown != published else { return }
        published = shown
        snapshot = nil
        pages = [:]
    }

    /// New report editions were published: the month pages that list them are rendered again.
    func editionsPublished() {
        editionsVersion += 1
        pages = [:]
    }

    /// The tag of every cached response of this head, checkpoint, editions, day and language:
    /// computed without rendering, so a client that has the page gets a 304 at no cost.
    /// - Parameter variant: what else the page depends on (a filtered list's query), so a
    ///   client holding the unfiltered page's tag is not told that the filtered one is the same.
    func etag(language: ReportLanguage, variant: String = "") -> String {
        Self.varied(Self.etag(head: records.head, day: today(), language: language, warning: warning, checkpoint: published, editions: editionsVersion),
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
    /// nothing (a 404, which is not cached).
    func page(_ key: String, language: ReportLanguage, contentType: String, variant: String = "",
              render: @Sendable (Snapshot) throws -> String?) async throws -> Rendered? {
        let snapshot = try await currentSnapshot()
        let etag = Self.varied(snapshot.etag(language, editions: editionsVersion), by: variant)
        if let page = pages[key], page.etag == etag { return page }
        guard let text = try render(snapshot) else { return nil }
        let page = Rendered(body: ByteBuffer(string: text), contentType: contentType, etag: etag)
        // Only pages of the latest head are kept; one that a refresh overtook is served once.
        if snapshot.records.head == records.head {
            if pages.count >= pageLimit { pages = [:] }
            pages[key] = page
        }
        return page
    }

    func withSnapshot<T: Sendable>(_ body: @Sendable (Snapshot) throws -> T) async throws -> T {
        try body(try await currentSnapshot())
    }

    private func currentSnapshot() async throws -> Snapshot {
        if !hasRefreshed { try await refresh() }
        let day = today()
        if let snapshot, snapshot.state.asOf == day { return snapshot }
        pages = [:]
        let records = records
        let latest = LedgerFeed.latest(records)
        let stored = try await ledger.store.entries(withIDs: latest.map(\.id))
        let built = Snapshot(
            records: records, state: LedgerState(records: records, asOf: day),
            months: PublicSite.reportMonths(records: records, today: day),
            feedHashes: Dictionary(stored.map { ($0.seq, $0.hash) }, uniquingKeysWith: { a, _ in a }),
            warning: warning, templates: templates, checkpoint: published)
        // A refresh may have landed while the hashes were read; build again next time.
        if records.head == self.records.head { snapshot = built }
        return built
    }
}
