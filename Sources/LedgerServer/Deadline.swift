import Ledger
import Synchronization

/// `body`'s answer, or a storage error once `limit` has passed without one. The work is
/// cancelled then, but not waited for: a connection pool that keeps retrying a server that
/// went away does not answer cancellation at once, and the caller has somewhere else to go.
func withDeadline<T: Sendable>(_ limit: Duration, doing what: String, _ body: @escaping @Sendable () async throws -> T) async throws -> T {
    let race = DeadlineRace()
    return try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<T, any Error>) in
        race.start(Task {
            do {
                let value = try await body()
                if race.claim() { continuation.resume(returning: value) }
            } catch {
                if race.claim() { continuation.resume(throwing: error) }
            }
        })
        Task {
            try? await Task.sleep(for: limit)
            if race.claim() {
                race.cancelWork()
                continuation.resume(throwing: LedgerError(kind: .storage, "no answer within \(limit) to \(what)"))
            }
        }
    }
}

/// Which of the work and the clock answers first; the other one's answer is dropped.
private final class DeadlineRace: Sendable {
    private let state = Mutex<(answered: Bool, work: Task<Void, Never>?)>((false, nil))

    func start(_ work: Task<Void, Never>) { state.withLock { $0.work = work } }
    func claim() -> Bool { state.withLock { state in defer { state.answered = true }; return !state.answered } }
    func cancelWork() { state.withLock { $0.work }?.cancel() }
}
