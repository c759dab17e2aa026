import Foundation

/// An API key as stored in the Node layout: the `apikey:{id}` hash, all values strings. Unknown fields (written
/// by newer Node versions) are kept as they are and written back untouched.
public struct APIKeyRecord: Sendable, Equatable {
    public var fields: [String: String]

    public init(fields: [String: String]) {
        self.fields = fields
    }

    public var id: String { fields["id"] ?? "" }
    public var name: String { fields["name"] ?? "" }
    public var hashedKey: String? { fields["apiKey"].flatMap { $0.isEmpty ? nil : $0 } }
    public var isActive: Bool { fields["isActive"] != "false" }
    public var isDeleted: Bool { fields["isDeleted"] == "true" }
    public var expirationMode: String { fields["expirationMode"] ?? "fixed" }
    public var isActivated: Bool { fields["isActivated"] != "false" }
    public var expiresAt: Date? { fields["expiresAt"].flatMap(ISOTime.parse) }

    public func binding(_ field: String) -> String? {
        guard let value = fields[field], !value.isEmpty else { return nil }
        return value
    }

    /// `all`, one platform, or (Node current) a JSON array of platforms.
    public func permits(platform: String) -> Bool {
        let value = fields["permissions"] ?? "all"
        if value.isEmpty || value == "all" { return true }
        if value.hasPrefix("[") {
            let list = JSON.stringArray(value)
            return list.contains("all") || list.contains(platform)
        }
        return value == platform
    }

    public var restrictedModels: [String] {
        fields["enableModelRestriction"] == "true" ? JSON.stringArray(fields["restrictedModels"]) : []
    }

    public var allowedClients: [String] {
        fields["enableClientRestriction"] == "true" ? JSON.stringArray(fields["allowedClients"]) : []
    }

    public var tags: [String] { JSON.stringArray(fields["tags"]) }

    public var adminJSON: [String: Any] { APIKeySchema.adminJSON(fields) }
}
