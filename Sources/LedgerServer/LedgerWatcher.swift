import Foundation
import Ledger
import Logging
import ServiceLifecycle

/// Keeps the public view current when other processes write: PostgreSQL tells every
/// server of each commit on the ledger's channel; a SQLite file, and a replica (which
/// cannot listen), are polled.
struct LedgerWatcher: Service {
    let view: PublicView
    let pollInterval: Duration
    let logger: Logger

    func run() async throws {
        // The database went away for a moment; the view stays as it was meanwhile.
        await repeatUntilShutdown(logger: logger, failure: "could not follow the ledger; retrying", retryAfter: .seconds(1)) {
            try await view.refresh()
            // A replica (which cannot LISTEN) is polled by the refresh itself, which turns to
            // the primary while the replica does not answer and back once it does.
            if view.readsFromReplica { return try await Task.sleep(for: pollInterval) }
            try await view.ledger.store.waitForChange(after: await view.head.seq, pollInterval: pollInterval)
        }
    }
}

/// Keeps the stored snapshots of the fold near the head, so that the next start of a server
/// or a command folds little. A read-only server never writes them.
struct SnapshotService: Service {
    let view: PublicView
    let threshold: Int64
    let logger: Logger

    func run() async throws {
        // Looking costs two numbers compared; only a lagging snapshot is written.
        await repeatUntilShutdown(logger: logger, failure: "could not keep the snapshots; retrying", retryAfter: .seconds(60)) {
            try await Task.sleep(for: .seconds(1))
            if let seq = try await view.saveSnapshotsIfBehind(threshold: threshold) {
                logger.info("kept the snapshots of the fold", metadata: ["seq": "\(seq)"])
            }
        }
    }
}

/// Checks, once after start, that the stored snapshots of the fold are the chain's: the
/// view and the team's fold start from them, trusting them for speed, and this finds out
/// within one fold of the chain whether that trust was deserved.
struct SnapshotCheckService: Service {
    let view: PublicView
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            // After the first page can be answered: the check folds the whole chain, and the
            // start should not wait for it.
            while await !view.isReady {
                do { try await Task.sleep(for: .milliseconds(200)) } catch { return }
            }
            var done = false
            while !done && !Task.isCancelled {
                do {
                    let started = ContinuousClock.now
                    let problems = try await view.read(patience: nil) { try await $0.snapshotProblems() }
                    // A check cut short by the server stopping read nothing: it found nothing.
                    if Task.isCancelled { return }
                    if problems.isEmpty {
                        logger.info("the stored snapshots are the chain's folds", metadata: ["seconds": "\((ContinuousClock.now - started).components.seconds)"])
                    }
                    await view.snapshotsChecked(problems: problems)
                    done = true
                } catch {
                    if Task.isCancelled { return }
                    logger.warning("could not check the stored snapshots; retrying", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .seconds(60))
                }
            }
        }
        // A service that returns would stop the server: this one waits for the end.
        try? await gracefulShutdown()
    }
}

/// Runs `step` again and again until the server shuts down; a failed step is logged and
/// tried again after `retryAfter`.
func repeatUntilShutdown(logger: Logger, failure: String, level: Logger.Level = .warning, retryAfter: Duration,
                         _ step: @escaping @Sendable () async throws -> Void) async {
    await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            do {
                try await step()
            } catch is CancellationError {
                return
            } catch {
                if Task.isCancelled { return }
                logger.log(level: level, "\(failure)", metadata: ["error": "\(error)"])
                try? await Task.sleep(for: retryAfter)
            }
        }
    }
}
