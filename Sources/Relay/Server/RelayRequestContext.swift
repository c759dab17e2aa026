import Hummingbird
import NIOCore

/// The request context of every relay route: Hummingbird's core storage plus the admin identity the admin
/// middleware establishes.
public struct RelayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var adminUsername: String?
    /// The client's connection: a streaming response watches it to notice a hang-up at once.
    public let channel: any Channel

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
