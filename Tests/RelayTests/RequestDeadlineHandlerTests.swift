import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTPTypes
@testable import Relay
import Testing

/// The slow-client deadlines on a virtual clock: one lazily re-armed timer per connection must still close at the
/// earliest deadline in force (a body timeout shorter than the head's), never while a response is being answered,
/// and at the keep-alive limit after it.
@Suite("Request deadlines")
struct RequestDeadlineHandlerTests {
    private func connected(head: Int64, body: Int64) throws -> (EmbeddedChannel, EmbeddedEventLoop) {
        let loop = EmbeddedEventLoop()
        let channel = EmbeddedChannel(handler: RequestDeadlineHandler(headTimeout: .seconds(head), bodyTimeout: .seconds(body)), loop: loop)
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()
        return (channel, loop)
    }

    private let request = HTTPRequest(method: .post, scheme: "http", authority: "relay", path: "/api/v1/messages")

    @Test func aBodyTimeoutShorterThanTheHeadsClosesOnTime() throws {
        let (channel, loop) = try connected(head: 10, body: 2)
        loop.advanceTime(by: .seconds(1))
        try channel.writeInbound(HTTPRequestPart.head(request))
        loop.advanceTime(by: .milliseconds(1900))
        #expect(channel.isActive, "closed before the body deadline")
        loop.advanceTime(by: .milliseconds(200))
        #expect(!channel.isActive, "the body deadline (2 s after the head) passed with the connection open")
    }

    @Test func answeringIsNeverCutAndTheKeepAliveLimitFollows() throws {
        let (channel, loop) = try connected(head: 5, body: 2)
        try channel.writeInbound(HTTPRequestPart.head(request))
        try channel.writeInbound(HTTPRequestPart.end(nil))
        loop.advanceTime(by: .seconds(100))  // a long stream being written
        #expect(channel.isActive)
        try channel.writeOutbound(HTTPResponsePart.head(HTTPResponse(status: .ok)))
        try channel.writeOutbound(HTTPResponsePart.end(nil))
        loop.advanceTime(by: .milliseconds(4900))
        #expect(channel.isActive, "closed before the keep-alive limit")
        loop.advanceTime(by: .milliseconds(200))
        #expect(!channel.isActive, "idle past the keep-alive limit with the connection open")
    }
}
