import HTTPTypes

extension HTTPFields {
    /// The field's value, as `self[name]` gives it (several fields of the name joined with ", ", "; " for Cookie),
    /// without that subscript's generic lazy join for the usual single field: it was ~1 % of the relay's CPU on the
    /// request path (key, client restrictions, user agent, API version).
    func value(_ name: HTTPField.Name) -> String? {
        var found: String?
        for field in self where field.name == name {
            if found != nil { return self[name] }  // a repeated field: the subscript's join
            found = field.value
        }
        return found
    }
}
