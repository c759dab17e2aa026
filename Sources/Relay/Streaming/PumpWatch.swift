import NIOConcurrencyHelpers

/// One ticker for every open stream's idle and deadline checks. Each `UpstreamPump` with a limit registers here
/// while it runs; every `interval` the watch asks each one to check its clock. Before, each stream had a task of its
/// own waking every quarter of its idle limit (at most a second): with 1,000 open streams that was 1,000 tasks and
/// 1,000 wake-ups a second; now it is one task and four.
final class PumpWatch: Sendable {
    static let shared = PumpWatch()

    /// How often limits are checked: a stream is stopped at most this late.
    static let interval: Duration = .milliseconds(250)

    private struct State {
        var pumps: [ObjectIdentifier: UpstreamPump] = [:]
        var ticker: Task<Void, Never>?
    }

    private let state = NIOLockedValueBox(State())

    func watch(_ pump: UpstreamPump) {
        state.withLockedValue { state in
            state.pumps[ObjectIdentifier(pump)] = pump
            if state.ticker == nil { state.ticker = Task.detached { [self] in await self.tick() } }
        }
    }

    func unwatch(_ pump: UpstreamPump) {
        _ = state.withLockedValue { $0.pumps.removeValue(forKey: ObjectIdentifier(pump)) }
    }

    /// Runs while any pump is watched; the next `watch` starts a new ticker after it ends.
    private func tick() async {
        while true {
            try? await Task.sleep(for: Self.interval)
            let pumps = state.withLockedValue { state -> [UpstreamPump] in
                if state.pumps.isEmpty { state.ticker = nil }
                return Array(state.pumps.values)
            }
            if pumps.isEmpty { return }
            let now = ContinuousClock.now
            for pump in pumps { pump.checkLimits(at: now) }
        }
    }
}
