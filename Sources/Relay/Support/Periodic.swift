import ServiceLifecycle

/// Runs `body` every `seconds` (after the first wait) until the service group shuts down; `seconds` ≤ 0: never
/// (the service still runs until shutdown: a service that returns early ends the whole group).
func runPeriodically(every seconds: Int, _ body: @escaping @Sendable () async -> Void) async {
    guard seconds > 0 else {
        try? await gracefulShutdown()
        return
    }
    try? await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(seconds))
            await body()
        }
    }
}
