import Foundation
import Hummingbird
import NIOConcurrencyHelpers

/// A request as a fake received it.
public struct RecordedRequest: Codable, Sendable, Equatable {
    public let sequence: Int
    public let method: String
    public let path: String
    public let query: String
    /// Header names lower-cased, in arrival order.
    public let headers: [[String]]
    public let body: String
    /// What the fake answered (status; for streams, how the stream ended).
    public var status: Int
    public var outcome: String

    public func header(_ name: String) -> String? {
        let lower = name.lowercased()
        return headers.first { $0.first == lower }?.last
    }

    /// The credential the request carried: `x-api-key`, or the token of `Authorization: Bearer`.
    public var credential: String? {
        if let key = header("x-api-key") { return key }
        if let auth = header("authorization"), auth.lowercased().hasPrefix("bearer ") { return String(auth.dropFirst(7)) }
        return nil
    }

    /// The body as an object: JSON, or the fields of a form-encoded body (token requests).
    public var jsonBody: [String: Any]? {
        if let object = (try? JSONSerialization.jsonObject(with: Data(body.utf8))) as? [String: Any] { return object }
        guard header("content-type")?.lowercased().hasPrefix("application/x-www-form-urlencoded") == true else { return nil }
        return FormEncodingLite.decode(body)
    }
}

/// Everything a fake has seen, its behaviour queue, and in-flight accounting (peak concurrency).
public final class FakeState: Sendable {
    private struct State {
        var requests: [RecordedRequest] = []
        /// Sequence number of `requests[0]` minus one: requests cleared or forgotten so far (numbers keep counting).
        var forgotten = 0
        /// Forgotten to stay under `recordLimit` since the last clear (still counted in the stats' total).
        var trimmed = 0
        var behaviors: [(behavior: FakeBehavior, remaining: Int)] = []
        var inFlight = 0
        var maxInFlight = 0
        var credentials = FakeCredentials()
        var emitted = FakeEmittedUsage()
        var pricingDocument: String?
        var codeAssistProject: String?
        var onboardPolls = 0
        var relaxedRules: Set<String> = []
    }

    private let state = NIOLockedValueBox(State())
    /// Recorded exchanges this fake answers with before anything else.
    public let cassettes = CassettePlayer()
    /// The fake authorization servers' codes and tokens.
    public let oauth = FakeOAuthGrants()
    /// The tunnels the proxy fake was asked for.
    public let proxyLog = FakeProxyLog()

    /// How many requests are kept (the oldest are forgotten past it); benchmarks send millions.
    public let recordLimit: Int

    public init(recordLimit: Int = 1_000_000) {
        self.recordLimit = max(1, recordLimit)
    }

    public var requests: [RecordedRequest] { state.withLockedValue { $0.requests } }

    public var stats: FakeStats {
        state.withLockedValue { FakeStats(total: $0.trimmed + $0.requests.count, inFlight: $0.inFlight, maxInFlight: $0.maxInFlight, emitted: $0.emitted) }
    }

    public var credentials: FakeCredentials { state.withLockedValue { $0.credentials } }

    /// The fake Code Assist user's project: none until `onboardUser` has finished (its second poll).
    func onboardCodeAssist() -> String? {
        state.withLockedValue { state in
            if state.codeAssistProject == nil {
                state.onboardPolls += 1
                if state.onboardPolls >= 2 { state.codeAssistProject = "fake-codeassist-project" }
            }
            return state.codeAssistProject
        }
    }

    var codeAssistProject: String? { state.withLockedValue { $0.codeAssistProject } }

    /// Marks the fake Code Assist user as onboarded (tests that give an account its project directly).
    @discardableResult
    public func onboardCodeAssistForTests() -> String? {
        state.withLockedValue { $0.onboardPolls = 2; $0.codeAssistProject = "fake-codeassist-project" }
        return codeAssistProject
    }

    /// The document the price mirror serves (nil: 404).
    public var pricingDocument: String? {
        get { state.withLockedValue { $0.pricingDocument } }
        set { state.withLockedValue { $0.pricingDocument = newValue } }
    }

    /// Real-API rules this fake does not enforce (a scenario that sends what the real API refuses, on purpose).
    /// The real-API rules the fakes do not enforce right now (names from `FakeUpstream.relaxableRules`).
    public var relaxedRules: Set<String> {
        get { state.withLockedValue { $0.relaxedRules } }
        set { state.withLockedValue { $0.relaxedRules = newValue } }
    }

    public func addCredentials(_ credentials: FakeCredentials) {
        state.withLockedValue {
            var kept = credentials
            kept.refreshTokens = []
            $0.credentials.merge(kept)
        }
        oauth.accept(refreshTokens: Array(credentials.refreshTokens))
    }

    public func enqueue(_ behaviors: [FakeBehavior]) {
        state.withLockedValue { state in
            for behavior in behaviors { state.behaviors.append((behavior, behavior.times ?? 1)) }
        }
    }

    public func clearBehaviors() { state.withLockedValue { $0.behaviors = [] } }

    public func reset() {
        state.withLockedValue { state in
            let forgotten = state.forgotten + state.requests.count  // in-flight requests still finish by number
            state = State()
            state.forgotten = forgotten
        }
        cassettes.clear()
        oauth.reset()
        proxyLog.clear()
    }

    /// Forgets the recorded requests and peak concurrency, keeping behaviours and credentials.
    public func clearRecord() {
        state.withLockedValue { state in
            state.forgotten += state.requests.count
            state.trimmed = 0
            state.requests = []
            state.maxInFlight = state.inFlight
            state.emitted = FakeEmittedUsage()
        }
    }

    /// Adds usage reported to the client: a whole reply, or (streams) what one event carried, as it is sent.
    func addEmitted(_ usage: FakeUsage, newReply: Bool = true) {
        state.withLockedValue { state in
            if newReply { state.emitted.replies += 1 }
            state.emitted.input += usage.input
            state.emitted.output += usage.output
            state.emitted.cacheCreation += usage.cacheCreation
            state.emitted.cacheRead += usage.cacheRead
        }
    }

    /// Takes the next behaviour for `path` (or a default success).
    /// The next queued behaviour for `path`. `explicitOnly`: only behaviours whose `pathPrefix` names this path
    /// (side endpoints such as the token servers must not consume behaviours meant for the API).
    func nextBehavior(for path: String, explicitOnly: Bool = false) -> FakeBehavior {
        state.withLockedValue { state in
            guard let index = state.behaviors.firstIndex(where: { entry in
                guard let prefix = entry.behavior.pathPrefix else { return !explicitOnly }
                return path.hasPrefix(prefix)
            }) else {
                return FakeBehavior()
            }
            let behavior = state.behaviors[index].behavior
            if state.behaviors[index].remaining == 1 {
                state.behaviors.remove(at: index)
            } else if state.behaviors[index].remaining > 1 {
                state.behaviors[index].remaining -= 1
            }
            return behavior
        }
    }

    /// Records an arriving HTTP request (headers lower-cased) and returns its sequence number for `finish`.
    func record(_ request: Request, body: String) -> Int {
        begin(RecordedRequest(sequence: 0, method: request.method.rawValue, path: request.uri.path, query: request.uri.query ?? "",
                              headers: request.headers.map { [$0.name.canonicalName.lowercased(), $0.value] }, body: body, status: 0, outcome: ""))
    }

    /// Notes a complete (non-stream) answer and returns it.
    func finished(_ sequence: Int, _ response: Response) -> Response {
        finish(sequence, status: Int(response.status.code), outcome: "complete")
        return response
    }

    func begin(_ request: RecordedRequest) -> Int {
        state.withLockedValue { state in
            var request = request
            request = RecordedRequest(sequence: state.forgotten + state.requests.count + 1, method: request.method, path: request.path,
                                      query: request.query, headers: request.headers, body: request.body,
                                      status: 0, outcome: "in-flight")
            state.requests.append(request)
            if state.requests.count > recordLimit {
                let excess = state.requests.count - recordLimit / 2  // in halves: amortised
                state.requests.removeFirst(excess)
                state.forgotten += excess
                state.trimmed += excess
            }
            state.inFlight += 1
            state.maxInFlight = max(state.maxInFlight, state.inFlight)
            return request.sequence
        }
    }

    func finish(_ sequence: Int, status: Int, outcome: String) {
        state.withLockedValue { state in
            state.inFlight -= 1
            let index = sequence - 1 - state.forgotten
            guard index >= 0, index < state.requests.count else { return }
            state.requests[index].status = status
            state.requests[index].outcome = outcome
        }
    }
}

public struct FakeStats: Codable, Sendable, Equatable {
    public let total: Int
    public let inFlight: Int
    public let maxInFlight: Int
    /// Token usage the fake reported, summed over replies (streams count what they sent before they ended).
    public let emitted: FakeEmittedUsage
}

public struct FakeEmittedUsage: Codable, Sendable, Equatable {
    /// Replies that reported any usage.
    public var replies = 0
    public var input = 0
    public var output = 0
    public var cacheCreation = 0
    public var cacheRead = 0
}

