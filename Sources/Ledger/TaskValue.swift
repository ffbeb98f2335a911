extension Task where Failure == any Error {
    /// The task's value; if the caller is cancelled while it waits, the task is cancelled
    /// too. A task made with `Task { }` (a page read ahead, a server's first fold) is not
    /// cancelled with the task that awaits it: a server stopping while one waited for a
    /// database connection that would never come never exited.
    package var valueCancelledWithCaller: Success {
        get async throws {
            try await withTaskCancellationHandler { try await value } onCancel: { cancel() }
        }
    }
}
