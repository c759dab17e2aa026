import AsyncHTTPClient
import Foundation
import Logging
import NIOConcurrencyHelpers
import NIOCore
import ServiceLifecycle
import Tracing

/// Sends finished spans to an OpenTelemetry collector over OTLP/HTTP with JSON bodies (`/v1/traces`): batches of up
/// to `batchSize` every `interval`, a bounded queue (spans past it are dropped and counted, never blocking a request),
/// a final flush on shutdown. Written here instead of building swift-otel: the JSON form needs no protobuf or gRPC
/// stack, and every collector (OpenTelemetry Collector, Jaeger, Tempo, Honeycomb…) accepts it.
public final class OTLPExporter: Service, Sendable {
    public struct Settings: Sendable {
        public var endpoint: String
        public var headers: [(String, String)] = []
        public var serviceName = "crs"
        public var instanceID = UUID().uuidString.lowercased()
        public var batchSize = 512
        public var queueLimit = 8192
        public var interval: Duration = .seconds(1)
        public init(endpoint: String) { self.endpoint = endpoint }
    }

    let settings: Settings
    private let client: HTTPClient
    private let logger: Logger
    private let queue = NIOLockedValueBox<(spans: [FinishedSpan], dropped: Int, exported: Int, failed: Int)>(([], 0, 0, 0))
    private let wake: AsyncStream<Void>.Continuation
    private let wakes: AsyncStream<Void>

    public init(settings: Settings, client: HTTPClient = .shared, logger: Logger) {
        self.settings = settings
        self.client = client
        self.logger = logger
        (wakes, wake) = AsyncStream.makeStream(of: Void.self, bufferingPolicy: .bufferingNewest(1))
    }

    /// Spans exported, dropped (queue full) and lost (the collector refused or could not be reached).
    public var counts: (exported: Int, dropped: Int, failed: Int) { queue.withLockedValue { ($0.exported, $0.dropped, $0.failed) } }

    func export(_ span: FinishedSpan) {
        let full = queue.withLockedValue { state -> Bool in
            guard state.spans.count < settings.queueLimit else {
                state.dropped += 1
                return false
            }
            state.spans.append(span)
            return state.spans.count >= settings.batchSize
        }
        if full { wake.yield() }
    }

    func flushSoon() { wake.yield() }

    public func run() async throws {
        let ticker = Task { [wake, interval = settings.interval] in
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                wake.yield()
            }
        }
        defer { ticker.cancel() }
        await cancelWhenGracefulShutdown {
            for await _ in self.wakes { await self.sendPending() }
        }
        await sendPending()  // what ended before shutdown
    }

    /// Sends everything queued, a batch at a time.
    public func sendPending() async {
        while true {
            let batch = queue.withLockedValue { state -> [FinishedSpan] in
                let batch = Array(state.spans.prefix(settings.batchSize))
                state.spans.removeFirst(batch.count)
                return batch
            }
            guard !batch.isEmpty else { return }
            let ok = await send(batch)
            queue.withLockedValue { ok ? ($0.exported += batch.count) : ($0.failed += batch.count) }
            guard ok else { return }
        }
    }

    private func send(_ batch: [FinishedSpan]) async -> Bool {
        var request = HTTPClientRequest(url: settings.endpoint)
        request.method = .POST
        request.headers.add(name: "content-type", value: "application/json")
        for (name, value) in settings.headers { request.headers.add(name: name, value: value) }
        request.body = .bytes(ByteBuffer(bytes: OTLPJSON.body(batch, settings: settings)))
        do {
            let response = try await client.execute(request, timeout: .seconds(10))
            _ = try? await response.body.collect(upTo: 1 << 20)
            guard (200..<300).contains(response.status.code) else {
                logger.warning("trace export refused", metadata: ["status": "\(response.status.code)", "spans": "\(batch.count)"])
                return false
            }
            return true
        } catch {
            logger.warning("trace export failed", metadata: ["error": "\(error)", "spans": "\(batch.count)"])
            return false
        }
    }
}
