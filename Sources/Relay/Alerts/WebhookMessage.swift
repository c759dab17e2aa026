import Crypto
import Foundation

/// One notification as each chat tool wants it (docs/reference/data-layout.md): the original's `custom` JSON
/// `{type, service, timestamp, data}`, Slack `{text}`, Discord `{content}`, WeCom and DingTalk markdown (DingTalk
/// optionally signed), Feishu text, Telegram `sendMessage`, Bark push.
struct WebhookMessage: @unchecked Sendable {
    let type: String
    let title: String
    let lines: [String]
    let data: [String: Any]
    let timestamp: Date

    var text: String { ([title] + lines).joined(separator: "\n") }

    /// URL, body and extra headers for one platform.
    func request(for platform: [String: Any]) -> (url: String, body: [String: Any])? {
        let type = platform["type"] as? String ?? "custom"
        let url = platform["url"] as? String ?? ""
        switch type {
        case "slack": return (url, ["text": text])
        case "discord": return (url, ["content": text])
        case "wechat_work": return (url, ["msgtype": "markdown", "markdown": ["content": "**\(title)**\n" + lines.joined(separator: "\n")]])
        case "feishu": return (url, ["msg_type": "text", "content": ["text": text]])
        case "dingtalk":
            var target = url
            if JSON.bool(platform["enableSign"]) == true, let secret = platform["secret"] as? String, !secret.isEmpty {
                let millis = Int64(timestamp.timeIntervalSince1970 * 1000)
                let mac = HMAC<SHA256>.authenticationCode(for: Array("\(millis)\n\(secret)".utf8), using: SymmetricKey(data: Array(secret.utf8)))
                let sign = Data(mac).base64EncodedString().addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? ""
                target += (target.contains("?") ? "&" : "?") + "timestamp=\(millis)&sign=\(sign)"
            }
            return (target, ["msgtype": "markdown", "markdown": ["title": title, "text": "### \(title)\n" + lines.joined(separator: "\n\n")]])
        case "telegram":
            let base = (platform["apiBaseUrl"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.telegram.org"
            return ("\(base)/bot\(platform["botToken"] as? String ?? "")/sendMessage", ["chat_id": platform["chatId"] ?? "", "text": text])
        case "bark":
            let server = (platform["serverUrl"] as? String).flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.day.app"
            var body: [String: Any] = ["device_key": platform["deviceKey"] ?? "", "title": title, "body": lines.joined(separator: "\n")]
            for field in ["level", "sound", "group", "icon"] { if let value = platform[field] { body[field] = value } }
            if let click = platform["clickUrl"] { body["url"] = click }
            return ("\(server)/push", body)
        default:
            return (url, ["type": self.type, "service": "claude-relay-service", "timestamp": ISOTime.string(timestamp), "data": data])
        }
    }

    /// An alert from `crs:alerts` as the notification the original sends (`accountAnomaly` for account events).
    static func from(alert fields: [String: String]) -> WebhookMessage {
        let type = fields["type"] ?? "systemError"
        let notification = type.hasPrefix("account_") || type == "token_refresh_failed" ? "accountAnomaly" : "systemError"
        let data: [String: Any] = [
            "accountId": fields["accountId"] ?? "", "accountName": fields["accountName"] ?? "", "platform": fields["platform"] ?? "",
            "status": type, "errorCode": type.uppercased(), "reason": fields["message"] ?? "", "timestamp": fields["timestamp"] ?? "",
        ]
        let title = "Claude Relay: \(type.replacingOccurrences(of: "_", with: " "))"
        let lines = ["Account: \(fields["accountName"] ?? "?") (\(fields["platform"] ?? "?"))", "Reason: \(fields["message"] ?? "")",
                     "Time: \(fields["timestamp"] ?? "")"]
        return WebhookMessage(type: notification, title: title, lines: lines, data: data,
                              timestamp: fields["timestamp"].flatMap(ISOTime.parse) ?? Date())
    }
}
