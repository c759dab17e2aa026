import Hummingbird

/// The request context of every relay route: Hummingbird's core storage plus the admin identity the admin
/// middleware establishes.
public struct RelayRequestContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    public var adminUsername: String?

    public init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
    }
}
