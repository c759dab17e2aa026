import ServiceLifecycle

/// Runs `body` every `seconds` (after the first wait) until the service group shuts down; `seconds` ≤ 0: never.
func runPeriodically(every seconds: Int, _ body: @escaping @Sendable () async -> Void) async {
    guard seconds > 0 else { return }
    try? await cancelWhenGracefulShutdown {
        while !Task.isCancelled {
            try await Task.sleep(for: .seconds(seconds))
            await body()
        }
    }
}
