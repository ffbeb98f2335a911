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

    /// Where writes go, and where a read that must see a write is made.
    let ledger: Ledger
    /// Where the public pages are read from when there is one: a streaming replica of
    /// `ledger` (`serve --read-database`), which can be behind by a moment. Nil until a
    /// replica that could not be reached at start answers (`replicaConnected`).
    private(set) var replica: Ledger?
    /// A replica was named: the watcher polls, and reads that must see a write go to `ledger`.
    let readsFromReplica: Bool
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
    /// Raised when the view starts again from nothing (a wrong snapshot was found): a fold
    /// begun before then is discarded, whatever it reached.
    private var foldGeneration = 0
    /// The seq of the latest snapshot of the public fold this view began from or saved.
    private(set) var snapshotSeq: Int64 = 0
    private var snapshot: Snapshot?
    private var pages: [String: Rendered] = [:]
    /// A refresh has run to its end (verified the chain and folded it, or failed to).
    private var hasRefreshed = false
    /// The first refresh, which every caller until it ends waits for rather than verifying
    /// and folding the whole chain once more beside it.
    private var firstRefresh: Task<Void, any Error>?
    /// The first refresh has folded the ledger: every page can be answered.
    private(set) var isReady = false
    /// Until then, on a server started from a stored counts snapshot (`startFromCounts`),
    /// the counts fold that answers the status page and the status API meanwhile.
    private var counts: LedgerRecords?
    private var countsSnapshot: Snapshot?
    /// When the view last read the primary for a head it had not seen (see `show(atLeast:)`).
    private var primaryReadAt: ContinuousClock.Instant?
    /// When a read of the replica last failed: for `replicaRetry` after that, public reads
    /// go to the primary, so a replica that is down costs speed, not answers.
    private var replicaFailedAt: ContinuousClock.Instant?
    static let replicaRetry: Duration = .seconds(10)
    /// How long a short read of the replica may take before it counts as down.
    static let replicaPatience: Duration = .seconds(2)
    /// The chain verified so far; each refresh checks only the entries that are new.
    private(set) var verification: Ledger.Verification?
    /// What is wrong with the database's append-only triggers, checked at start and then
    /// at most once a minute.
    private(set) var guardProblems: [String] = []
    private var guardsCheckedAt: ContinuousClock.Instant?
    /// Stored snapshots of the fold found not to be the chain's (`Ledger.snapshotProblems`),
    /// checked once after start, in the background: the view may have started from one.
    private(set) var snapshotProblems: [String] = []
    /// Until the check has run, the server keeps no new snapshot, which could carry a
    /// wrong one's content forward.
    private var hasCheckedSnapshots = false
    private let guardCheckInterval: Duration = .seconds(60)
    /// Past this many cached pages the cache starts again: ids and months are bounded by the
    /// ledger, but a ledger can be large.
    private let pageLimit = 4_096

    /// - Parameter awaitsReplica: a replica was named but could not be reached at start:
    ///   public reads go to `ledger` until `replicaConnected`.
    init(ledger: Ledger, replica: Ledger? = nil, awaitsReplica: Bool = false, templates: ReportTemplates = .builtIn, address: String = "",
         logger: Logger, today: @escaping @Sendable () -> CalendarDay = { .today() }) {
        self.ledger = ledger
        self.replica = replica
        readsFromReplica = replica != nil || awaitsReplica
        self.address = address
        self.templates = templates
        self.logger = logger
        self.today = today
    }

    var head: ChainHead { records.head }

    /// The head the pages show: the counts fold's until the full fold is in.
    private var shownHead: ChainHead { isReady ? records.head : counts?.head ?? records.head }

    /// Starts from the stored counts snapshot of the public view, if one matches the chain,
    /// and brings it to the head: a few hundred milliseconds at a million entries, where
    /// verifying the chain and loading the full fold take seconds. The status page and the
    /// status API are answered from it until the first refresh has done both; every other
    /// page, and every write, waits for that refresh. Until then a page carries no warning
    /// even if the chain turns out broken: `serve --verify-first` waits instead.
    /// - Returns: whether there was a counts snapshot to start from.
    func startFromCounts() async throws -> Bool {
        guard !isReady, let (counts, checkpoint) = try await read(patience: nil, { reads -> (LedgerRecords, StoredCheckpoint?)? in
            guard var counts = await reads.snapshotRecords(.public, detail: .counts) else { return nil }
            try await reads.catchUp(&counts)
            return (counts, try await reads.store.latestCheckpoint())
        }) else { return false }
        self.counts = counts
        publish(checkpoint)
        return true
    }

    /// Set once the ledger failed verification or lost its guards; it stays set until the
    /// server restarts, because a ledger does not mend itself.
    var warning: IntegrityWarning? {
        if let verification, !verification.isIntact { return IntegrityWarning(failedAtSeq: verification.firstBadSeq) }
        return guardProblems.isEmpty && snapshotProblems.isEmpty ? nil : IntegrityWarning(failedAtSeq: nil)
    }

    /// The warning, once the chain is verified: a write waits for the first verification
    /// rather than landing on a chain not yet checked.
    func warningOnceVerified() async throws -> IntegrityWarning? {
        if !hasRefreshed { try await refresh() }
        return warning
    }

    /// The outcome of the snapshot check: a wrong snapshot is as loud as a broken guard, and
    /// the view is folded again from the chain alone.
    func snapshotsChecked(problems: [String]) async {
        hasCheckedSnapshots = true
        guard !problems.isEmpty else { return }
        snapshotProblems = problems
        for problem in problems {
            logger.error("a stored snapshot of the fold is not the chain's; writes are refused and every page carries a warning until an operator acts",
                         metadata: ["problem": "\(problem)"])
        }
        records = LedgerRecords(audience: .public)
        foldGeneration += 1
        snapshot = nil
        pages = [:]
        do { try await refresh() } catch { logger.error("could not fold the chain again", metadata: ["error": "\(error)"]) }
    }

    /// Where public reads go now: the replica, unless it failed within `replicaRetry`.
    var readsGoToReplica: Bool {
        replica != nil && replicaFailedAt.map { .now - $0 >= Self.replicaRetry } ?? true
    }

    /// A replica that could not be reached at start answers now, and is a replica of
    /// `ledger`: public reads go to it from here on.
    func replicaConnected(_ replica: Ledger) {
        self.replica = replica
        replicaAnswered()
    }

    /// Runs a public read on the replica, or on the primary while the replica is down; a
    /// replica that fails now (it cannot be reached, or does not answer within `patience`)
    /// hands the read to the primary. A read cut off because the server stops is not the
    /// replica failing: it is neither said nor tried again on the primary.
    /// - Parameter patience: nil for a long read (a fold of the chain), which is not timed.
    func read<T: Sendable>(patience: Duration? = replicaPatience, _ body: @escaping @Sendable (Ledger) async throws -> T) async throws -> T {
        guard readsGoToReplica, let reads = replica else { return try await body(ledger) }
        do {
            let value: T
            if let patience {
                value = try await withDeadline(patience, doing: "read the replica") { try await body(reads) }
            } else {
                value = try await body(reads)
            }
            replicaAnswered()
            return value
        } catch let error as LedgerError where error.kind == .storage && !Task.isCancelled {
            replicaFailed(error)
            return try await body(ledger)
        }
    }

    /// Said once when the replica stops answering, and once when it answers again.
    func replicaFailed(_ error: any Error) {
        if replicaFailedAt == nil {
            logger.warning("the replica is unreachable: public reads go to the primary until it answers again", metadata: ["error": "\(error)"])
        }
        replicaFailedAt = .now
    }

    private func replicaAnswered() {
        guard replicaFailedAt != nil else { return }
        replicaFailedAt = nil
        logger.info("the replica answers again: public reads go to it")
    }

    /// Verifies what is new of the chain (and, now and then, the triggers), then folds in
    /// whatever was appended since the last refresh. A ledger that fails verification is
    /// still shown, under a warning, and said loudly in the log.
    ///
    /// With a replica, its head is asked first (within `replicaPatience`): a replica that
    /// does not answer hands the refresh to the primary, and one with nothing new costs
    /// that one query.
    func refresh() async throws {
        guard hasRefreshed else {
            if let firstRefresh { return try await firstRefresh.value }
            let first = Task { try await refreshNow() }
            firstRefresh = first
            defer { firstRefresh = nil }
            return try await first.valueCancelledWithCaller
        }
        try await refreshNow()
    }

    private func refreshNow() async throws {
        guard readsGoToReplica, let reads = replica else { return try await refresh(from: ledger) }
        do {
            let head = try await withDeadline(Self.replicaPatience, doing: "read the replica's head") { try await reads.store.head() }
            replicaAnswered()
            if hasRefreshed && head.seq <= records.head.seq && head.seq <= verification?.head.seq ?? 0 { return }
            try await refresh(from: reads)
        } catch let error as LedgerError where error.kind == .storage && !Task.isCancelled {
            replicaFailed(error)
            try await refresh(from: ledger)
        }
    }

    private func refresh(from reads: Ledger) async throws {
        defer { hasRefreshed = true }
        let warningBefore = warning
        verification = try await reads.verify(continuing: verification)
        let now = ContinuousClock.now
        if guardsCheckedAt.map({ now - $0 >= guardCheckInterval }) ?? true {
            guardProblems = try await reads.store.appendOnlyGuardProblems()
            guardsCheckedAt = now
        }
        if !hasRefreshed, let verification, verification.isIntact, warning == nil {
            logger.info("ledger verified", metadata: ["entries": "\(verification.entries)", "head": "\(verification.head.seq)"])
        }
        if warning != warningBefore {
            snapshot = nil
            pages = [:]
            // Nothing more from the counts: their pages were built without the warning.
            leaveTheCounts()
            if let verification, !verification.isIntact {
                logger.error("the ledger FAILED verification; writes are refused and every page carries a warning until an operator acts",
                             metadata: ["seq": "\(verification.firstBadSeq ?? 0)", "problem": "\(verification.problem ?? "")"])
            }
            for problem in guardProblems {
                logger.error("the ledger's append-only guard is broken; writes are refused and every page carries a warning until an operator acts",
                             metadata: ["problem": "\(problem)"])
            }
        }
        publish(try await reads.store.latestCheckpoint())
        var next = records
        let generation = foldGeneration
        // A server starting on a large ledger begins from the stored snapshot, if it matches.
        if next.head.seq == 0, snapshotProblems.isEmpty, let stored = await reads.snapshotRecords(.public) {
            next = stored
            snapshotSeq = max(snapshotSeq, stored.head.seq)
        }
        do {
            try await reads.catchUp(&next)
        } catch where warning != nil {
            // A row altered past reading; the view stays as it was, under the warning.
            logger.error("could not read the altered ledger", metadata: ["error": "\(error)"])
            return
        }
        adopt(next, generation: generation)
        isReady = true
        leaveTheCounts()
    }

    /// The counts a server started from are no longer used (and their memory is freed).
    private func leaveTheCounts() {
        counts = nil
        countsSnapshot = nil
    }

    /// Shows `next` from now on, unless the view already shows as much or more: two
    /// refreshes can overlap (a write and the watcher); whichever saw more stays.
    private func adopt(_ next: LedgerRecords, generation: Int) {
        guard generation == foldGeneration, next.head.seq > records.head.seq else { return }
        // The pages answered from the counts are this fold's pages, if it is of their head.
        let keepsPages = next.head == shownHead
        records = next
        snapshot = nil
        if !keepsPages { pages = [:] }
        logger.debug("public view refreshed", metadata: ["seq": "\(next.head.seq)"])
    }

    /// Read-your-writes: from now on the view shows at least `seq`, the head a reader's own
    /// write returned (through this server or another of the same ledger), if the ledger has
    /// it. A view reading a replica that has not replayed it yet reads what is missing from
    /// the primary; the replica's own verification reaches those entries once it replays them.
    ///
    /// A seq this view has not seen costs a read of the primary, so such reads are spaced at
    /// least `primarySpacing` apart: a client sending made-up seqs waits, and the primary
    /// does not work for it.
    func show(atLeast seq: Int64) async throws {
        guard seq > records.head.seq else { return }
        if !hasRefreshed { try await refresh() }
        if let last = primaryReadAt {
            let wait = last + Self.primarySpacing - .now
            if wait > .zero { try await Task.sleep(for: wait) }
        }
        // Another request may have brought the view there while this one waited.
        guard seq > records.head.seq else { return }
        primaryReadAt = .now
        try await readTheWritten()
    }

    static let primarySpacing: Duration = .milliseconds(100)

    /// This server wrote up to `seq`: its pages show it at once, even from a lagging replica.
    func written(upTo seq: Int64) async throws {
        guard seq > records.head.seq else { return }
        try await readTheWritten()
    }

    /// Folds in what was written and may not have reached the replica yet, from the primary;
    /// without a replica, a refresh.
    private func readTheWritten() async throws {
        guard readsFromReplica else { return try await refresh() }
        var next = records
        let generation = foldGeneration
        try await ledger.catchUp(&next)
        adopt(next, generation: generation)
    }

    /// Keeps the folds as snapshots when the head is `threshold` entries or more past the
    /// last ones, so the next start (of this server, or of a command) folds only what is
    /// newer. The encoding runs outside the actor: pages are served meanwhile.
    /// - Returns: the seq of the snapshots kept, if any were.
    nonisolated func saveSnapshotsIfBehind(threshold: Int64) async throws -> Int64? {
        let (publicRecords, saved, intact, checked) = await (records, snapshotSeq, warning == nil, hasCheckedSnapshots)
        // A ledger that failed verification is not summarised for later starts.
        guard intact, checked, publicRecords.head.seq - saved >= threshold else { return nil }
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
        // A replica behind the primary may still have an older checkpoint than the one signed here.
        guard shown != published, (shown?.size ?? 0) >= (published?.size ?? 0) else { return }
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
    /// - Parameter isSearch: `render` reads every note; at most `searchLimit` such renders
    ///   run at once, and one more is refused with `TooManySearches`.
    func page(_ key: String, language: ReportLanguage, contentType: String, variant: String = "", countsWillDo: Bool = false, isSearch: Bool = false,
              render: @escaping @Sendable (Snapshot) throws -> String?) async throws -> Rendered? {
        let fromCounts = countsWillDo ? try await countsSnapshotIfStarting() : nil
        let snapshot = if let fromCounts { fromCounts } else { try await currentSnapshot() }
        let etag = Self.varied(snapshot.etag(language, editions: editionsVersion), by: variant)
        if let page = pages[key], page.etag == etag { return page }
        let task: Task<String?, any Error>
        let isOurs = rendering[key]?.etag != etag
        if let underWay = rendering[key], !isOurs {
            task = underWay.task
        } else {
            if isSearch {
                guard searchesRunning < Self.searchLimit else { throw TooManySearches() }
                searchesRunning += 1
            }
            task = Task.detached { try render(snapshot) }
            rendering[key] = (etag, task)
        }
        // Awaiting a task's result is not cut short by cancellation, so the render that
        // began here is always forgotten here.
        let result = await task.result
        if isOurs {
            if rendering[key]?.etag == etag { rendering[key] = nil }
            if isSearch { searchesRunning -= 1 }
        }
        guard let text = try result.get() else { return nil }
        if let page = pages[key], page.etag == etag { return page }
        let page = Rendered(body: ByteBuffer(string: text), contentType: contentType, etag: etag)
        // Only pages of the latest head are kept; one that a refresh overtook is served once.
        // A page from the counts is the full fold's page of the same head, byte for byte.
        if snapshot.records.head == shownHead {
            if pages.count >= pageLimit { pages = [:] }
            pages[key] = page
        }
        return page
    }

    /// Renders under way, by page key, with the tag of what they render.
    private var rendering: [String: (etag: String, task: Task<String?, any Error>)] = [:]
    /// Searches being rendered. Each reads every note (about a second of a core at a million
    /// entries), so distinct searches sent at once could keep both cores busy for as long as
    /// anyone keeps sending them.
    private var searchesRunning = 0
    static let searchLimit = 1

    /// A search was asked for while `searchLimit` others were being rendered.
    struct TooManySearches: Error {}

    func withSnapshot<T: Sendable>(_ body: @Sendable (Snapshot) throws -> T) async throws -> T {
        try body(try await currentSnapshot())
    }

    /// The state of the counts fold a server started from, with the follow-ups the status
    /// page shows read back whole; nil once the full fold is in.
    private func countsSnapshotIfStarting() async throws -> Snapshot? {
        guard !isReady, let counts else { return nil }
        let day = today()
        if let countsSnapshot, countsSnapshot.state.asOf == day, countsSnapshot.records.head == counts.head,
           countsSnapshot.checkpoint == published { return countsSnapshot }
        let shown = try await read { try await $0.withText(counts, ofSeqs: PublicSite.statusPageSeqs(counts: counts.followupCounts, asOf: day)) }
        let built = Snapshot(records: shown, state: LedgerState(records: shown, asOf: day), months: PublicSite.reportMonths(records: shown, today: day),
                             feedHashes: [:], warning: warning, templates: templates, checkpoint: published)
        if !isReady { countsSnapshot = built }
        return built
    }

    private func currentSnapshot() async throws -> Snapshot {
        if !hasRefreshed { try await refresh() }
        let day = today()
        if let snapshot, snapshot.state.asOf == day { return snapshot }
        pages = [:]
        let records = records
        let latest = LedgerFeed.latest(records)
        // Entries this view read from the primary may not have reached the replica yet.
        var stored = try await read { try await $0.store.entries(withIDs: latest.map(\.id)) }
        if readsFromReplica && stored.count < latest.count { stored = try await ledger.store.entries(withIDs: latest.map(\.id)) }
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
