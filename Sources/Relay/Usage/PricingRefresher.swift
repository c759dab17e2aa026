import AsyncHTTPClient
import Foundation
import Logging
import NIOCore
import ServiceLifecycle

/// Downloads a LiteLLM-format price file from `CRS_PRICING_URL` at start and every `interval`, and swaps it in
/// when it parses; a failed download or a broken file keeps the current table (and is shown to admins). A good
/// download is also written to `CRS_PRICING_FILE`, when set, so a restart starts from it.
public final class PricingRefresher: Service, Sendable {
    let url: String
    let interval: Duration
    let book: PriceBook
    let saveTo: String?
    let clock: RelayClock
    let logger: Logger

    public init(url: String, interval: Duration, book: PriceBook, saveTo: String?, clock: RelayClock, logger: Logger) {
        self.url = url
        self.interval = interval
        self.book = book
        self.saveTo = saveTo
        self.clock = clock
        self.logger = logger
    }

    /// One download; returns the number of priced models.
    @discardableResult
    public func refresh() async throws -> Int {
        do {
            var request = HTTPClientRequest(url: url)
            request.method = .GET
            let response = try await HTTPClient.shared.execute(request, timeout: .seconds(30))
            guard response.status == .ok else { throw LiteLLMPrices.Invalid(description: "download answered \(response.status.code)") }
            let body = try await response.body.collect(upTo: 64 << 20)
            let data = Data(buffer: body)
            let table = try LiteLLMPrices.table(from: data)
            book.replace(table, source: "url \(url)", at: clock.now)
            if let saveTo, !saveTo.isEmpty {
                let file = URL(fileURLWithPath: saveTo)
                try? FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
                try? data.write(to: file, options: .atomic)
            }
            logger.info("pricing refreshed", metadata: ["models": "\(table.count)"])
            return table.count
        } catch {
            book.noteFailure("\(error)")
            logger.warning("pricing refresh failed; keeping the current table", metadata: ["error": "\(error)"])
            throw error
        }
    }

    public func run() async throws {
        try? await cancelWhenGracefulShutdown {
            while !Task.isCancelled {
                _ = try? await self.refresh()
                try await Task.sleep(for: self.interval)
            }
        }
    }
}
