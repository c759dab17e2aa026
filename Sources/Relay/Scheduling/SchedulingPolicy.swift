/// What one API family schedules over, derived from its pool's kinds: the key fields that bind a key to an account
/// (checked in the kinds' order; a `group:<id>` value names an account group), the kinds of the shared pool in
/// preference order, and where sticky sessions are kept.
public struct SchedulingPolicy: Sendable {
    public struct Binding: Sendable {
        public let field: String
        public let kind: AccountKind
        /// Values with one of these prefixes name an account of another kind (Node: `responses:<id>`).
        public let prefixed: [String: AccountKind]
    }

    public let pool: AccountPool
    public let bindings: [Binding]
    public let poolKinds: [AccountKind]

    public var name: String { pool.name }
    public var stickyPrefix: String { pool.stickyPrefix }

    public init(_ pool: AccountPool) {
        self.pool = pool
        let kinds = pool.kinds
        var bindings: [Binding] = []
        for kind in kinds where kind.bindingPrefix == nil && !bindings.contains(where: { $0.field == kind.bindingField }) {
            let prefixed = kinds.filter { $0.bindingField == kind.bindingField && $0.bindingPrefix != nil }
            bindings.append(Binding(field: kind.bindingField, kind: kind,
                                    prefixed: Dictionary(uniqueKeysWithValues: prefixed.map { ($0.bindingPrefix!, $0) })))
        }
        self.bindings = bindings
        poolKinds = kinds.filter(\.inSharedPool)
        precondition(!poolKinds.isEmpty, "account pool \(pool.name) has no kinds in its shared pool")
    }

    public func stickyKey(_ sessionHash: String) -> String { stickyPrefix + sessionHash }
}
