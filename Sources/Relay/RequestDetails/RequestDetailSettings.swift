/// Node's request-detail switches in the relay settings document (`claude_relay_config`): capture on or off, how long
/// details are kept (hours, 1–720, default 6), and whether a preview of each request's body is kept with them.
struct RequestDetailSettings: Sendable, Equatable {
    var captureEnabled = false
    var retentionHours = 6
    var bodyPreviewEnabled = false

    static let maxRetentionHours = 30 * 24

    init() {}

    init(_ document: [String: Any]) {
        captureEnabled = document["requestDetailCaptureEnabled"] as? Bool == true
        bodyPreviewEnabled = document["requestDetailBodyPreviewEnabled"] as? Bool == true
        if let hours = JSON.int(document["requestDetailRetentionHours"]) { retentionHours = min(max(hours, 1), Self.maxRetentionHours) }
    }

    static var defaults: [String: Any] { ["requestDetailCaptureEnabled": false, "requestDetailRetentionHours": 6,
                                          "requestDetailBodyPreviewEnabled": false] }
}
