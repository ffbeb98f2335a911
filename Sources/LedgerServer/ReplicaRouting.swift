import Ledger
import Logging

/// Where the public view's reads go: a streaming replica of the ledger when there is one and
/// it answers, else the primary; a replica that failed is tried again after `retry`. Said
/// once when the replica stops answering, and once when it answers again.
struct ReplicaRouting: Sendable {
    /// Nil until a replica that could not be reached at start answers (`connected`).
    private(set) var replica: Ledger?
    /// A replica was named: the watcher polls, and reads that must see a write go to the primary.
    let readsFromReplica: Bool
    private var failedAt: ContinuousClock.Instant?
    /// When a read-your-writes read last went to the primary (`PublicView.show(atLeast:)`).
    var primaryReadAt: ContinuousClock.Instant?
    static let retry: Duration = .seconds(10)
    /// How long a public read waits for the replica before the primary answers it.
    static let patience: Duration = .seconds(2)

    init(replica: Ledger?, awaitsReplica: Bool) {
        self.replica = replica
        readsFromReplica = replica != nil || awaitsReplica
    }

    /// The replica, unless it failed within `retry`.
    var reads: Ledger? {
        guard let replica, failedAt.map({ .now - $0 >= Self.retry }) ?? true else { return nil }
        return replica
    }

    mutating func connected(_ replica: Ledger, logger: Logger) {
        self.replica = replica
        answered(logger: logger)
    }

    mutating func failed(_ error: any Error, logger: Logger) {
        if failedAt == nil {
            logger.warning("the replica is unreachable: public reads go to the primary until it answers again", metadata: ["error": "\(error)"])
        }
        failedAt = .now
    }

    mutating func answered(logger: Logger) {
        guard failedAt != nil else { return }
        failedAt = nil
        logger.info("the replica answers again: public reads go to it")
    }
}

extension PublicView {
    /// Where public reads go now: the replica, unless it failed within `ReplicaRouting.retry`.
    var readsGoToReplica: Bool { routing.reads != nil }

    /// A replica that could not be reached at start answers now, and is a replica of
    /// `ledger`: public reads go to it from here on.
    func replicaConnected(_ replica: Ledger) { routing.connected(replica, logger: logger) }

    func replicaFailed(_ error: any Error) { routing.failed(error, logger: logger) }

    /// Runs a public read on the replica, or on the primary while the replica is down; a
    /// replica that fails now (it cannot be reached, or does not answer within `patience`)
    /// hands the read to the primary. A read cut off because the server stops is not the
    /// replica failing: it is neither said nor tried again on the primary.
    /// - Parameter patience: nil for a long read (a fold of the chain), which is not timed.
    func read<T: Sendable>(patience: Duration? = ReplicaRouting.patience, _ body: @escaping @Sendable (Ledger) async throws -> T) async throws -> T {
        guard let reads = routing.reads else { return try await body(ledger) }
        do {
            let value: T
            if let patience {
                value = try await withDeadline(patience, doing: "read the replica") { try await body(reads) }
            } else {
                value = try await body(reads)
            }
            routing.answered(logger: logger)
            return value
        } catch let error as LedgerError where error.kind == .storage && !Task.isCancelled {
            routing.failed(error, logger: logger)
            return try await body(ledger)
        }
    }
}
