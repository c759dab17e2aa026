import Foundation
import Hummingbird
import NIOCore

/// A price-file mirror, as the relay's `CRS_PRICING_URL` expects one (LiteLLM's
/// `model_prices_and_context_window.json`): `GET /pricing/model_prices_and_context_window.json` serves the document
/// set with `PUT /__fake/pricing` (or `FakeState.pricingDocument`), 404 while none is set.
public struct FakePriceMirror: Sendable {
    public let state: FakeState

    public init(state: FakeState) {
        self.state = state
    }

    public func register(on router: Router<FakeRequestContext>) {
        router.get("pricing/model_prices_and_context_window.json") { _, _ -> Response in
            guard let document = self.state.pricingDocument else {
                return Response(status: .notFound, headers: [.contentType: "text/plain"], body: .init(byteBuffer: ByteBuffer(string: "no price file published")))
            }
            return Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ByteBuffer(string: document)))
        }
        router.put("__fake/pricing") { request, _ -> Response in
            let body = try await request.body.collect(upTo: 64 << 20)
            self.state.pricingDocument = String(buffer: body)
            return FakeControlAPI.json(["ok": true])
        }
    }
}
