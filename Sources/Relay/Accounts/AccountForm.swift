/// The fields the admin UI's create/edit form of one account kind shows (served by `GET /admin/account-kinds`, so the
/// UI keeps no list of its own). What the relay accepts is `AccountKind.input`; a form is only how a person fills it.
public struct AccountFormField: Sendable {
    /// A daily quota (`AccountQuota`) and its reset time, for the kinds that have one.
    static let dailyQuota = [
        AccountFormField("dailyQuota", "Daily quota ($, 0 = none)", .number, defaultValue: "0", step: "0.01"),
        AccountFormField("quotaResetTime", "Quota resets at (HH:mm, relay timezone)", .text, placeholder: "00:00"),
    ]

    public enum Input: String, Sendable {
        case text, secret, url, number
        /// One model per line, sent as an array.
        case models
        /// On or off, sent as a boolean.
        case boolean
    }

    let name: String
    let label: String
    let input: Input
    var required = false
    var placeholder = ""
    var defaultValue: String? = nil
    /// Sent inside this object of the body (`awsCredentials: {accessKeyId, …}`) instead of at its top level.
    var group: String? = nil
    /// For numbers: the step (`0.01` for dollars).
    var step: String? = nil

    init(_ name: String, _ label: String, _ input: Input, required: Bool = false, placeholder: String = "", defaultValue: String? = nil,
         group: String? = nil, step: String? = nil) {
        self.name = name
        self.label = label
        self.input = input
        self.required = required
        self.placeholder = placeholder
        self.defaultValue = defaultValue
        self.group = group
        self.step = step
    }

    var json: [String: Any] {
        var object: [String: Any] = ["name": name, "label": label, "type": input.rawValue, "required": required, "placeholder": placeholder]
        if let defaultValue { object["default"] = defaultValue }
        if let group { object["group"] = group }
        if let step { object["step"] = step }
        return object
    }
}
