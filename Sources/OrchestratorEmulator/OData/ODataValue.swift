import OrchestratorAPI

/// A primitive property value as `$filter` and `$orderby` see it.
///
/// Strings compare ordinally (UTF-16 code unit by code unit, like .NET's `String.CompareOrdinal`),
/// so equality is case-sensitive and does not fold canonically equivalent forms.
/// Across kinds the order is `null < bool < int < string`; only `null` meets other kinds in practice,
/// and sorting it first ascending is OData's rule (and SQL Server's).
public enum ODataValue: Sendable, Equatable, Comparable {
    case null
    case bool(Bool)
    case int(Int64)
    case string(String)

    public static func == (lhs: ODataValue, rhs: ODataValue) -> Bool {
        switch (lhs, rhs) {
        case (.null, .null): true
        case let (.bool(a), .bool(b)): a == b
        case let (.int(a), .int(b)): a == b
        case let (.string(a), .string(b)): a.utf16.elementsEqual(b.utf16)
        default: false
        }
    }

    public static func < (lhs: ODataValue, rhs: ODataValue) -> Bool {
        switch (lhs, rhs) {
        case let (.bool(a), .bool(b)): !a && b
        case let (.int(a), .int(b)): a < b
        case let (.string(a), .string(b)): a.utf16.lexicographicallyPrecedes(b.utf16)
        default: lhs.rank < rhs.rank
        }
    }

    private var rank: Int {
        switch self {
        case .null: 0
        case .bool: 1
        case .int: 2
        case .string: 3
        }
    }
}

/// An entity that `$filter` and `$orderby` can read: the value of a property by its OData name,
/// nil for collections and unknown names (treated as null).
public protocol ODataEntity {
    func odataValue(of property: String) -> ODataValue?
}

/// Why a query option was rejected; `message` names the option, what is wrong and where.
/// The HTTP layer returns it as a 400 with errorCode 1000.
public struct ODataError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}

/// The properties of an entity set: their kinds and which can be filtered and sorted on.
///
/// Property names are case-sensitive, as in OData (`name eq 'x'` is an unknown property; the error
/// suggests `Name`). Keywords, operators, function names and option names are not: OData 4.01
/// accepts them in any case, and nothing is ambiguous.
public struct ODataProperties: Sendable {
    public enum Kind: Sendable, Equatable {
        case bool, int, string
        /// Selectable only (e.g. `Events`).
        case collection
    }

    public struct Property: Sendable, Equatable {
        public let name: String
        public let kind: Kind
        /// Usable in `$filter` and `$orderby`; never for collections.
        public let filterable: Bool

        public init(_ name: String, _ kind: Kind, filterable: Bool = true) {
            self.name = name
            self.kind = kind
            self.filterable = filterable && kind != .collection
        }
    }

    /// The key property: the default order and the final tie-break, so pages are stable.
    public let key: String
    /// In declaration order (the order of `$select=*`).
    public let all: [Property]
    private let byName: [String: Property]

    public init(key: String, _ properties: [Property]) {
        all = properties
        byName = Dictionary(properties.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
        precondition(byName.count == properties.count, "duplicate property names")
        precondition(byName[key]?.filterable == true, "the key must be a filterable primitive property")
        self.key = key
    }

    public subscript(name: String) -> Property? { byName[name] }

    /// " (did you mean 'Name'?)" when `name` differs from a property only in case; otherwise "".
    func hint(for name: String) -> String {
        let lowered = name.lowercased()
        guard let match = all.first(where: { $0.name.lowercased() == lowered }), match.name != name else { return "" }
        return " (did you mean '\(match.name)'?)"
    }
}

extension ODataProperties {
    /// `WebhookDto` (docs/orchestrator-webhooks.md §4.4). The issue lists Id, Name, Url, Enabled,
    /// SubscribeToAllEvents and AllowInsecureSsl as filterable; Key and Description are too, as any
    /// primitive property of an OData entity would be. Secret is not: it must not be probed by prefix.
    public static let webhook = ODataProperties(key: "Id", [
        Property("Id", .int),
        Property("Key", .string),
        Property("Name", .string),
        Property("Description", .string),
        Property("Url", .string),
        Property("Enabled", .bool),
        Property("Secret", .string, filterable: false),
        Property("SubscribeToAllEvents", .bool),
        Property("AllowInsecureSsl", .bool),
        Property("Events", .collection),
    ])
}

extension Webhook: ODataEntity {
    public func odataValue(of property: String) -> ODataValue? {
        switch property {
        case "Id": .int(id)
        case "Key": .string(key)
        case "Name": .string(name)
        case "Description": description.map(ODataValue.string) ?? .null
        case "Url": .string(url)
        case "Enabled": .bool(enabled)
        case "Secret": secret.map(ODataValue.string) ?? .null
        case "SubscribeToAllEvents": .bool(subscribeToAllEvents)
        case "AllowInsecureSsl": .bool(allowInsecureSsl)
        default: nil
        }
    }
}
