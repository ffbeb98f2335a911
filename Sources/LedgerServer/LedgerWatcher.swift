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
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                do {
                    try await view.refresh()
                    try await view.ledger.store.waitForChange(after: await view.head.seq, pollInterval: pollInterval)
                } catch is CancellationError {
                    return
                } catch {
                    if Task.isCancelled { return }
                    // The database went away for a moment; the view stays as it was meanwhile.
                    logger.warning("could not follow the ledger; retrying", metadata: ["error": "\(error)"])
                    try? await Task.sleep(for: .seconds(1))
                }
            }
        }
    }
}
