import Foundation
import Hummingbird

/// A webhook receiver for alert delivery tests: `POST /webhook/{name}` records the request and answers 200 (or
/// what a behaviour with `pathPrefix: /webhook/{name}` says — e.g. 500, to make the relay retry).
public struct FakeWebhookReceiver: Sendable {
    public let state: FakeState

    public init(state: FakeState) {
        self.state = state
    }

    public func register(on router: Router<FakeRequestContext>) {
        router.post("webhook/:name") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 1 << 20)
            let sequence = state.record(request, body: String(buffer: body))
            let behavior = state.nextBehavior(for: request.uri.path, explicitOnly: true)
            if let status = behavior.status {
                return state.finished(sequence, FakeOpenAI.json(status, ["ok": false]))
            }
            return state.finished(sequence, FakeOpenAI.json(200, ["ok": true, "errcode": 0]))
        }
    }
}
