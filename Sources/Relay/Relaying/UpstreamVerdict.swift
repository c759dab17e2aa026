/// What one failed upstream reply says about the account that produced it, as a dialect's error classifier
/// decides it: the health mark to set (nil: none), and whether another account may serve the request.
public struct UpstreamVerdict: Equatable, Sendable {
    public var mark: AccountHealth.Mark?
    /// Another account may serve this request (nothing was sent to the client yet).
    public var failover: Bool
    /// Count toward the repeated-5xx rule.
    public var countsAsServerError: Bool = false

    public init(mark: AccountHealth.Mark?, failover: Bool, countsAsServerError: Bool = false) {
        self.mark = mark
        self.failover = failover
        self.countsAsServerError = countsAsServerError
    }
}
