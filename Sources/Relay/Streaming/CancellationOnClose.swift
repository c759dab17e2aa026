import NIOConcurrencyHelpers
import NIOCore

/// Runs `body`, cancelling the current task if `channel` closes meanwhile (the client hung up): a streaming
/// response then stops waiting on its upstream at once instead of at its next write.
func withCancellationOnClose<T>(_ channel: (any Channel)?, _ body: () async throws -> T) async rethrows -> T {
    guard let channel else { return try await body() }
    let running = NIOLockedValueBox<TaskHandle?>(nil)
    withUnsafeCurrentTask { task in
        if let task { running.withLockedValue { $0 = TaskHandle(task: task) } }
    }
    channel.closeFuture.whenComplete { _ in
        // Under the lock: the task cannot finish (and invalidate the handle) while it is being cancelled.
        running.withLockedValue { $0?.task.cancel() }
    }
    defer { running.withLockedValue { $0 = nil } }
    return try await body()
}

/// `UnsafeCurrentTask` is valid while its task runs; the handle is cleared (under a lock) before `body` returns.
private struct TaskHandle: @unchecked Sendable {
    let task: UnsafeCurrentTask
}
