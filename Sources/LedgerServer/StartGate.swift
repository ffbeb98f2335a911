import Foundation
import ServiceLifecycle
import Synchronization

/// Opened once the server's start has succeeded (the replica checked, the first fold done).
/// The background services wait for it: none reads a replica before it is known to be this
/// ledger's, and a start that fails leaves no query under way to be cut off, which once left
/// a server refusing a wrong replica running instead of exiting.
final class StartGate: Sendable {
    private struct State {
        var isOpen = false
        var waiters: [UUID: CheckedContinuation<Bool, Never>] = [:]
    }
    private let state = Mutex(State())

    func open() {
        let waiters = state.withLock { state in
            state.isOpen = true
            defer { state.waiters = [:] }
            return state.waiters.values
        }
        for waiter in waiters { waiter.resume(returning: true) }
    }

    /// True once the gate opens; false if the waiting task is cancelled first.
    func wait() async -> Bool {
        let id = UUID()
        return await withTaskCancellationHandler {
            await withCheckedContinuation { (continuation: CheckedContinuation<Bool, Never>) in
                let answer: Bool? = state.withLock { state in
                    if state.isOpen { return true }
                    if Task.isCancelled { return false }
                    state.waiters[id] = continuation
                    return nil
                }
                if let answer { continuation.resume(returning: answer) }
            }
        } onCancel: {
            state.withLock { $0.waiters.removeValue(forKey: id) }?.resume(returning: false)
        }
    }

    /// `service`, run once the gate opens. A shutdown before that (SIGTERM during the first
    /// fold, or a failed start) ends it without running it.
    func after(_ service: any Service) -> any Service { Gated(gate: self, service: service) }

    private struct Gated: Service {
        let gate: StartGate
        let service: any Service

        func run() async throws {
            let started = await cancelWhenGracefulShutdown { await gate.wait() }
            guard started, !Task.isCancelled else { return }
            try await service.run()
        }
    }
}
