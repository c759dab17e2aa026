import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

extension ScenarioExecution {
    /// `load: POST /path` — `requests` requests (default 100), `concurrency` at a time (default 16), `spread` over
    /// the relays, and `abandon: 0.2`: that fraction of the clients (evenly spread) hangs up right after the first
    /// bytes of its response, as a killed client would (its read is cancelled, which closes the connection). `statuses` checks the tally. Sets `${load_completed}` and
    /// `${load_abandoned}`.
    mutating func load(_ spec: [String: Any]) async throws -> [String] {
        let parts = (spec["load"] as? String ?? "POST /").split(separator: " ", maxSplits: 1).map(String.init)
        let total = max(1, (spec["requests"] as? Int) ?? 100)
        let width = max(1, (spec["concurrency"] as? Int) ?? 16)
        let abandonShare = min(1, max(0, ScenarioMatcher.number(spec["abandon"]) ?? 0))
        let bases = (spec["spread"] as? Bool) == true ? harness.relays.map(\.baseURL) : [harness.relays[min(max(0, (spec["relay"] as? Int) ?? 0), harness.relays.count - 1)].baseURL]
        let headers = (spec["headers"] as? [String: Any] ?? [:]).mapValues { "\($0)" }
        let body = try spec["body"].map { try JSONSerialization.data(withJSONObject: $0) } ?? Data()

        func abandons(_ index: Int) -> Bool {
            Int(Double(index + 1) * abandonShare) > Int(Double(index) * abandonShare)
        }
        func run(_ index: Int) async -> LoadOutcome {
            var request = HTTPClientRequest(url: bases[index % bases.count] + parts[1])
            request.method = HTTPMethod(rawValue: parts[0].uppercased())
            for (name, value) in headers { request.headers.add(name: name, value: value) }
            request.headers.replaceOrAdd(name: "content-type", value: "application/json")
            request.body = .bytes(ByteBuffer(data: body))
            if abandons(index) { return await abandon(request) }
            do {
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
                let status = Int(response.status.code)
                _ = try await response.body.collect(upTo: 64 << 20)
                return .completed(status)
            } catch {
                return .failed("\(error)")
            }
        }

        /// Reads the first bytes, then hangs up at once: the read is cancelled while it waits for more, which makes
        /// the HTTP client cancel the request and close the connection right away (dropping an unread body only
        /// closes it whenever the client gets round to it — on a loaded machine, sometimes a second later).
        @Sendable func abandon(_ request: HTTPClientRequest) async -> LoadOutcome {
            let (statuses, continuation) = AsyncStream.makeStream(of: Int.self)
            let reader = Task {
                defer { continuation.finish() }  // an error before the first bytes ends the wait too
                let response = try await HTTPClient.shared.execute(request, timeout: .seconds(120))
                var iterator = response.body.makeAsyncIterator()
                _ = try await iterator.next()
                continuation.yield(Int(response.status.code))
                continuation.finish()
                _ = try await iterator.next()  // cancelled here
            }
            var iterator = statuses.makeAsyncIterator()
            let status = await iterator.next()
            reader.cancel()
            return status.map { .abandoned($0) } ?? .failed("no response before hanging up")
        }

        var outcomes: [LoadOutcome] = []
        await withTaskGroup(of: LoadOutcome.self) { group in
            var next = 0
            while next < min(width, total) {
                let index = next
                group.addTask { await run(index) }
                next += 1
            }
            for await outcome in group {
                outcomes.append(outcome)
                if next < total, !Task.isCancelled {
                    let index = next
                    group.addTask { await run(index) }
                    next += 1
                }
            }
        }
        var problems: [String] = []
        let failures = outcomes.compactMap { if case .failed(let reason) = $0 { return reason } else { return nil } }
        if !failures.isEmpty { problems.append("\(failures.count) of \(total) requests failed at the client, e.g. \(failures[0])") }
        variables["load_completed"] = String(outcomes.filter { if case .completed = $0 { return true } else { return false } }.count)
        variables["load_abandoned"] = String(outcomes.filter { if case .abandoned = $0 { return true } else { return false } }.count)
        problems += tally(outcomes.compactMap(\.status), spec["statuses"])
        return problems
    }
}

enum LoadOutcome: Sendable {
    case completed(Int)
    case abandoned(Int)
    case failed(String)

    var status: Int? {
        switch self {
        case .completed(let status), .abandoned(let status): return status
        case .failed: return nil
        }
    }
}
