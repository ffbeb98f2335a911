import Foundation
import Hummingbird
import Ledger
import Logging
import Reports
import ServiceLifecycle
import Transparency

/// What the public sees, kept in memory and brought up to date when the ledger moves:
/// the public records folded once (this file: the fold and its refreshes), every page
/// rendered at most once per ledger head and day (`PageCache`), read from a replica when
/// there is one (`ReplicaRouting`), under a warning once the ledger fails a check
/// (`IntegrityMonitor`). Requests never fold the ledger.
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
    /// Where the public pages are read from: a streaming replica of `ledger` when there is
    /// one (`serve --read-database`), which can be behind by a moment.
    var routing: ReplicaRouting
    /// A replica was named: the watcher polls, and reads that must see a write go to `ledger`.
    let readsFromReplica: Bool
    var integrity = IntegrityMonitor()
    var pageCache = PageCache()
    let templates: ReportTemplates
    /// Where the public reaches the site, for the command on the status page.
    let address: String
    /// The latest signed checkpoint, as the pages and feeds show it.
    private(set) var published: PublishedCheckpoint?
    /// Counts the times new report editions were published, for the pages' tags.
    private(set) var editionsVersion = 0
    let logger: Logger
    let today: @Sendable () -> CalendarDay
    private var records = LedgerRecords(audience: .public)
    /// Raised when the view starts again from nothing (a wrong snapshot was found): a fold
    /// begun before then is discarded, whatever it reached.
    private var foldGeneration = 0
    /// The seq of the latest snapshot of the public fold this view began from or saved.
    private(set) var snapshotSeq: Int64 = 0
    private var snapshot: Snapshot?
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

    /// The chain verified so far; each refresh checks only the entries that are new.
    var verification: Ledger.Verification? { integrity.verification }
    /// What is wrong with the database's append-only triggers, checked at start and then
    /// at most once a minute.
    var guardProblems: [String] { integrity.guardProblems }
    /// Stored snapshots of the fold found not to be the chain's (`Ledger.snapshotProblems`),
    /// checked once after start, in the background: the view may have started from one.
    /// Until the check has run, the server keeps no new snapshot, which could carry a
    /// wrong one's content forward.
    var snapshotProblems: [String] { integrity.snapshotProblems }

    /// - Parameter awaitsReplica: a replica was named but could not be reached at start:
    ///   public reads go to `ledger` until `replicaConnected`.
    init(ledger: Ledger, replica: Ledger? = nil, awaitsReplica: Bool = false, templates: ReportTemplates = .builtIn, address: String = "",
         logger: Logger, today: @escaping @Sendable () -> CalendarDay = { .today() }) {
        self.ledger = ledger
        routing = ReplicaRouting(replica: replica, awaitsReplica: awaitsReplica)
        readsFromReplica = routing.readsFromReplica
        self.address = address
        self.templates = templates
        self.logger = logger
        self.today = today
    }

    var head: ChainHead { records.head }

    /// The head the pages show: the counts fold's until the full fold is in.
    var shownHead: ChainHead { isReady ? records.head : counts?.head ?? records.head }

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
    var warning: IntegrityWarning? { integrity.warning }

    /// The warning, once the chain is verified: a write waits for the first verification
    /// rather than landing on a chain not yet checked.
    func warningOnceVerified() async throws -> IntegrityWarning? {
        if !hasRefreshed { try await refresh() }
        return warning
    }

    /// The outcome of the snapshot check: a wrong snapshot is as loud as a broken guard, and
    /// the view is folded again from the chain alone.
    func snapshotsChecked(problems: [String]) async {
        integrity.snapshotsChecked(problems)
        guard !problems.isEmpty else { return }
        for problem in problems {
            logger.error("a stored snapshot of the fold is not the chain's; writes are refused and every page carries a warning until an operator acts",
                         metadata: ["problem": "\(problem)"])
        }
        records = LedgerRecords(audience: .public)
        foldGeneration += 1
        snapshot = nil
        pageCache.clear()
        do { try await refresh() } catch { logger.error("could not fold the chain again", metadata: ["error": "\(error)"]) }
    }

    /// Verifies what is new of the chain (and, now and then, the triggers), then folds in
    /// whatever was appended since the last refresh. A ledger that fails verification is
    /// still shown, under a warning, and said loudly in the log.
    ///
    /// With a replica, its head is asked first (within `ReplicaRouting.patience`): a replica that
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
        guard let reads = routing.reads else { return try await refresh(from: ledger) }
        do {
            let head = try await withDeadline(ReplicaRouting.patience, doing: "read the replica's head") { try await reads.store.head() }
            routing.answered(logger: logger)
            if hasRefreshed && head.seq <= records.head.seq && head.seq <= verification?.head.seq ?? 0 { return }
            try await refresh(from: reads)
        } catch let error as LedgerError where error.kind == .storage && !Task.isCancelled {
            routing.failed(error, logger: logger)
            try await refresh(from: ledger)
        }
    }

    private func refresh(from reads: Ledger) async throws {
        defer { hasRefreshed = true }
        let warningBefore = warning
        integrity.verified(try await reads.verify(continuing: verification))
        let now = ContinuousClock.now
        if integrity.guardsDue(at: now) {
            integrity.guardsChecked(try await reads.store.appendOnlyGuardProblems(), at: now)
        }
        if !hasRefreshed, let verification, verification.isIntact, warning == nil {
            logger.info("ledger verified", metadata: ["entries": "\(verification.entries)", "head": "\(verification.head.seq)"])
        }
        if warning != warningBefore {
            snapshot = nil
            pageCache.clear()
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
        if !keepsPages { pageCache.clear() }
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
        if let last = routing.primaryReadAt {
            let wait = last + Self.primarySpacing - .now
            if wait > .zero { try await Task.sleep(for: wait) }
        }
        // Another request may have brought the view there while this one waited.
        guard seq > records.head.seq else { return }
        routing.primaryReadAt = .now
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
        let (publicRecords, saved, intact, checked) = await (records, snapshotSeq, warning == nil, integrity.hasCheckedSnapshots)
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
        pageCache.clear()
    }

    /// New report editions were published: the month pages that list them are rendered again.
    func editionsPublished() {
        editionsVersion += 1
        pageCache.clear()
    }

    func withSnapshot<T: Sendable>(_ body: @Sendable (Snapshot) throws -> T) async throws -> T {
        try body(try await currentSnapshot())
    }

    /// The state of the counts fold a server started from, with the follow-ups the status
    /// page shows read back whole; nil once the full fold is in.
    func countsSnapshotIfStarting() async throws -> Snapshot? {
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

    func currentSnapshot() async throws -> Snapshot {
        if !hasRefreshed { try await refresh() }
        let day = today()
        if let snapshot, snapshot.state.asOf == day { return snapshot }
        pageCache.clear()
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
