import Foundation
import NIOConcurrencyHelpers

/// The price table in use, replaceable while the relay runs (a refreshed pricing file), with where it came from.
public final class PriceBook: Sendable {
    public struct Status: Sendable {
        public var source: String
        public var loadedAt: Date
        public var models: Int
        public var lastError: String?
    }

    private let state: NIOLockedValueBox<(table: PriceTable, status: Status)>

    public init(table: PriceTable = .builtIn, source: String = "built-in", at now: Date = Date()) {
        state = NIOLockedValueBox((table, Status(source: source, loadedAt: now, models: table.count)))
    }

    /// The built-in table, or the LiteLLM-format file at `path`.
    public static func load(file path: String?, now: Date = Date()) throws -> PriceBook {
        guard let path, !path.isEmpty else { return PriceBook(at: now) }
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        return PriceBook(table: try LiteLLMPrices.table(from: data), source: "file \(path)", at: now)
    }

    public var table: PriceTable { state.withLockedValue { $0.table } }
    public var status: Status { state.withLockedValue { $0.status } }

    public func replace(_ table: PriceTable, source: String, at now: Date) {
        state.withLockedValue { $0 = (table, Status(source: source, loadedAt: now, models: table.count)) }
    }

    func noteFailure(_ message: String) {
        state.withLockedValue { $0.status.lastError = message }
    }
}
