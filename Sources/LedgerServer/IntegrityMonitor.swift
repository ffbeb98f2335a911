import Ledger
import Reports

/// What the public view knows of the ledger's integrity: the chain's verification so far,
/// the append-only guards (checked every `guardCheckInterval`), the stored snapshots. Any
/// failure is a warning on every page until the server restarts: a ledger does not mend itself.
struct IntegrityMonitor: Sendable {
    private(set) var verification: Ledger.Verification?
    /// What is wrong with the database's append-only triggers, as last checked.
    private(set) var guardProblems: [String] = []
    private var guardsCheckedAt: ContinuousClock.Instant?
    /// What is wrong with the stored snapshots of the fold, once checked (in the background,
    /// after the first refresh).
    private(set) var snapshotProblems: [String] = []
    private(set) var hasCheckedSnapshots = false
    let guardCheckInterval: Duration = .seconds(60)

    var warning: IntegrityWarning? {
        if let verification, !verification.isIntact { return IntegrityWarning(failedAtSeq: verification.firstBadSeq) }
        return guardProblems.isEmpty && snapshotProblems.isEmpty ? nil : IntegrityWarning(failedAtSeq: nil)
    }

    mutating func verified(_ verification: Ledger.Verification) { self.verification = verification }

    func guardsDue(at now: ContinuousClock.Instant) -> Bool { guardsCheckedAt.map { now - $0 >= guardCheckInterval } ?? true }

    mutating func guardsChecked(_ problems: [String], at now: ContinuousClock.Instant) {
        guardProblems = problems
        guardsCheckedAt = now
    }

    mutating func snapshotsChecked(_ problems: [String]) {
        hasCheckedSnapshots = true
        if !problems.isEmpty { snapshotProblems = problems }
    }
}
