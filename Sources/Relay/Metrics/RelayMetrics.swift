import Foundation
import Prometheus

/// The relay's Prometheus metrics, one registry per relay instance (no process-global state, so several
/// instances in one process — the test harness — keep their numbers apart). Served at `/metrics`.
///
/// Families: requests by API family and status; upstream attempts by account kind and status with their
/// response-head latency; streams' time to first byte and the streams in progress; tokens and cost by model;
/// failovers; token refresh outcomes; alerts; and, computed at scrape time, leases held, accounts by kind and
/// health state, Redis round trips and pending usage writes.
public final class RelayMetrics: Sendable {
    public let registry = PrometheusCollectorRegistry()
    static let latencyBuckets: [Duration] = [.milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100),
                                             .milliseconds(250), .milliseconds(500), .seconds(1), .seconds(2.5), .seconds(5), .seconds(10),
                                             .seconds(30), .seconds(60)]

    // The series asked for on every request, kept per label set (`MetricHandles`).
    private let requests: MetricHandles<LabelAndStatus, Counter>
    private let upstreamRequests: MetricHandles<LabelAndStatus, Counter>
    private let upstreamResponse: MetricHandles<String, DurationHistogram>
    private let streamFirstByte: MetricHandles<String, DurationHistogram>
    private let tokens: MetricHandles<LabelPair, Counter>
    private let cost: MetricHandles<String, Counter>

    public init() {
        let registry = registry
        requests = MetricHandles { key in
            registry.makeCounter(name: "crs_requests_total", labels: [("family", key.label), ("status", String(key.status))],
                                 help: "Client requests by API family and response status")
        }
        upstreamRequests = MetricHandles { key in
            registry.makeCounter(name: "crs_upstream_requests_total", labels: [("account_kind", key.label), ("status", String(key.status))],
                                 help: "Upstream attempts by account kind and status (0: unreachable)")
        }
        upstreamResponse = MetricHandles { kind in
            registry.makeDurationHistogram(name: "crs_upstream_response_seconds", labels: [("account_kind", kind)], buckets: Self.latencyBuckets,
                                           help: "Time from sending an upstream request to its response head")
        }
        streamFirstByte = MetricHandles { kind in
            registry.makeDurationHistogram(name: "crs_stream_first_byte_seconds", labels: [("account_kind", kind)], buckets: Self.latencyBuckets,
                                           help: "Time from sending an upstream stream request to its first body bytes")
        }
        tokens = MetricHandles { key in
            registry.makeCounter(name: "crs_tokens_total", labels: [("model", key.first), ("type", key.second)], help: "Tokens recorded, by model and type")
        }
        cost = MetricHandles { model in
            registry.makeCounter(name: "crs_cost_usd_total", labels: [("model", model)], help: "Cost recorded in USD, by model")
        }
        activeStreams = registry.makeGauge(name: "crs_active_streams", help: "Client streams being relayed now")
        activeStreams.set(to: 0)
    }

    /// Streams being relayed now; it exists before any traffic, so a scrape right after start shows it.
    public let activeStreams: Gauge

    public func request(family: String, status: Int) {
        requests[LabelAndStatus(label: family, status: status)].increment()
    }

    public func upstream(kind: String, status: Int, headAfter duration: Duration) {
        upstreamRequests[LabelAndStatus(label: kind, status: status)].increment()
        upstreamResponse[kind].record(duration)
    }

    public func firstByte(kind: String, after duration: Duration) {
        streamFirstByte[kind].record(duration)
    }

    public func usage(_ usage: TokenUsage, model: String, cost: Double?) {
        func count(_ tokens: Int, _ type: String) {
            if tokens > 0 { self.tokens[LabelPair(first: model, second: type)].increment(by: Int64(tokens)) }
        }
        count(usage.input, "input")
        count(usage.output, "output")
        count(usage.cacheCreate, "cache_create")
        count(usage.cacheRead, "cache_read")
        if let cost, cost > 0 {
            self.cost[model].increment(by: cost)
        }
    }

    public func failover(family: String) {
        registry.makeCounter(name: "crs_failovers_total", labels: [("family", family)], help: "Requests moved to another account after a failure").increment()
    }

    public func tokenRefresh(platform: String, outcome: String) {
        registry.makeCounter(name: "crs_token_refresh_total", labels: [("platform", platform), ("outcome", outcome)],
                             help: "OAuth token refreshes by platform and outcome").increment()
    }

    public func alert(type: String) {
        registry.makeCounter(name: "crs_alerts_total", labels: [("type", type)], help: "Operational alerts published").increment()
    }

    /// Scrape-time state: what a counter cannot track incrementally.
    public func snapshot(leases: Int, accounts: [(kind: String, state: String, count: Int)], redisRoundTrips: Int, pendingUsageWrites: Int) {
        registry.makeGauge(name: "crs_leases_held", help: "Concurrency leases this instance holds").set(to: Double(leases))
        for (kind, state, count) in accounts {
            registry.makeGauge(name: "crs_accounts", labels: [("account_kind", kind), ("state", state)], help: "Accounts by kind and health state")
                .set(to: Double(count))
        }
        registry.makeGauge(name: "crs_redis_round_trips", help: "Redis round trips since start").set(to: Double(redisRoundTrips))
        registry.makeGauge(name: "crs_usage_writes_pending", help: "Usage writes waiting for Redis").set(to: Double(pendingUsageWrites))
    }
}
