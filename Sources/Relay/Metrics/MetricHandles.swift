import NIOConcurrencyHelpers

/// Metric handles kept per label set. The registry's `makeCounter`/`makeDurationHistogram` validate the name, every
/// label and the help text, build a key and take the registry's lock on each call; the relay asks for the same few
/// series on every request, so it asks the registry once per label set and keeps the handle here.
final class MetricHandles<Key: Hashable & Sendable, Metric: Sendable>: Sendable {
    private let handles = NIOLockedValueBox<[Key: Metric]>([:])
    private let make: @Sendable (Key) -> Metric

    init(_ make: @escaping @Sendable (Key) -> Metric) {
        self.make = make
    }

    subscript(key: Key) -> Metric {
        if let handle = handles.withLockedValue({ $0[key] }) { return handle }
        let handle = make(key)  // the registry returns the one series for these labels, so a race makes no second one
        handles.withLockedValue { $0[key] = handle }
        return handle
    }
}

/// Two labels' values, e.g. (family, status).
struct LabelPair: Hashable, Sendable {
    let first: String
    let second: String
}

struct LabelAndStatus: Hashable, Sendable {
    let label: String
    let status: Int
}
