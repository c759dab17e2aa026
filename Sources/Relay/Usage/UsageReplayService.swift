import Logging
import ServiceLifecycle

/// Retries usage writes that waited for Redis, every second while any are waiting; on shutdown waits for the last
/// requests' writes, makes a last attempt and says how many could not be written.
public struct UsageReplayService: Service {
    let recorder: UsageRecorder
    let logger: Logger

    public init(recorder: UsageRecorder, logger: Logger) {
        self.recorder = recorder
        self.logger = logger
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                try await Task.sleep(for: .seconds(1))
                if recorder.pendingCount > 0 { await recorder.replayPending() }
            }
        }
        // The HTTP server has drained by now (it shuts down first): let its last usage writes land.
        await recorder.drainDetached(timeout: .seconds(10))
        if recorder.pendingCount > 0 { await recorder.replayPending() }
        let left = recorder.pendingCount
        if left > 0 { logger.error("usage writes lost at shutdown: Redis was unreachable", metadata: ["count": "\(left)"]) }
    }
}
