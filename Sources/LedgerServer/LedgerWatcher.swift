import Foundation
import Ledger
import Logging
import ServiceLifecycle

/// Keeps the public view current when other processes write: PostgreSQL tells every
/// server of each commit on the ledger's channel; a SQLite file is polled.
struct LedgerWatcher: Service {
    let view: PublicView
    let pollInterval: Duration
    let logger: Logger

    func run() async throws {
        // The database went away for a moment; the view stays as it was meanwhile.
        await repeatUntilShutdown(logger: logger, failure: "could not follow the ledger; retrying", retryAfter: .seconds(1)) {
            try await view.refresh()
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
