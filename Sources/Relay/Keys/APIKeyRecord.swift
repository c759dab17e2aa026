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

    public func binding(_ field: String) -> String? {
        guard let value = fields[field], !value.isEmpty else { return nil }
        return value
    }

    public var restrictedModels: [String] {
        fields["enableModelRestriction"] == "true" ? JSON.stringArray(fields["restrictedModels"]) : []
    }

    public var tags: [String] { JSON.stringArray(fields["tags"]) }

    public var adminJSON: [String: Any] { APIKeySchema.adminJSON(fields) }
}
