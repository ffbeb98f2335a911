import Ledger
import Logging
import ServiceLifecycle

/// A replica that could not be reached when the server started: tried again every
/// `ReplicaRouting.retry` until it answers. One of another ledger is refused (said in the
/// log; the public reads stay on the primary); one of this ledger takes the public reads,
/// and its background work runs until the server stops.
struct ReplicaConnector: Service {
    let view: PublicView
    let open: @Sendable () async throws -> (ledger: Ledger, services: [any Service])
    let logger: Logger

    func run() async throws {
        await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                if let opened = try? await open() {
                    let settled = await use(opened)
                    await opened.ledger.close()
                    if settled { return }
                }
                do { try await Task.sleep(for: ReplicaRouting.retry) } catch { return }
            }
        }
        // A service that returns would stop the server: this one waits for the end.
        try? await gracefulShutdown()
    }

    /// Checks the replica and gives it the public reads until the server stops; false when
    /// it stopped answering before it was checked, to be tried again.
    private func use(_ opened: (ledger: Ledger, services: [any Service])) async -> Bool {
        await withTaskGroup(of: Void.self) { group in
            for service in opened.services { group.addTask { try? await service.run() } }
            defer { group.cancelAll() }
            do {
                try await LedgerServer.checkReplica(opened.ledger, of: view.ledger, logger: logger)
            } catch let error as LedgerError where error.kind == .invalidInput {
                logger.error("--read-database is not a replica of this ledger: public reads stay on the primary", metadata: ["error": "\(error)"])
                return true
            } catch {
                return false
            }
            await view.replicaConnected(opened.ledger)
            // Until the server stops, which cancels this task.
            while !Task.isCancelled { try? await Task.sleep(for: .seconds(3600)) }
            return true
        }
    }
}
