/// One `$orderby` clause.
public struct ODataOrdering: Sendable, Equatable {
    public var property: String
    public var descending: Bool

    public init(property: String, descending: Bool = false) {
        self.property = property
        self.descending = descending
    }
}

/// The parsed query options of a collection request.
///
/// Option names are case-insensitive (`$Filter`), each may appear once; parameters without `$` are
/// custom options and ignored, as OData says. `$expand` is validated and otherwise a no-op: the only
/// expandable property, `Events`, is always inlined (the seed's responses show it without `$expand`).
public struct ODataQuery: Sendable, Equatable {
    public static let maxTop = 1000
    public static let maxOrderByClauses = 5

    public var filter: ODataFilter?
    public var top: Int?
    public var skip: Int?
    public var count: Bool = false
    public var orderBy: [ODataOrdering] = []
    /// nil: all properties (no `$select`, or `*`). Duplicates are dropped, first mention wins.
    public var select: [String]?
    /// Appended to every ordering (OData's "stable ordering"), so pages do not overlap.
    public let key: String

    /// Parses the raw (percent-decoded) query parameters; unknown `$` options and malformed values throw.
    public init(parameters: [(name: String, value: String)], properties: ODataProperties) throws(ODataError) {
        key = properties.key
        var seen: Set<String> = []
        for (name, value) in parameters where name.hasPrefix("$") {
            let option = name.lowercased()
            guard seen.insert(option).inserted else { throw ODataError("\(name): given more than once") }
            switch option {
            case "$filter": filter = try ODataFilter(parsing: value, properties: properties)
            case "$top": top = try Self.parseCount(value, option: name, limit: Self.maxTop)
            case "$skip": skip = try Self.parseCount(value, option: name, limit: nil)
            case "$count": count = try Self.parseBool(value, option: name)
            case "$orderby": orderBy = try Self.parseOrderBy(value, option: name, properties: properties)
            case "$select": select = try Self.parseSelect(value, option: name, properties: properties)
            case "$expand": try Self.checkExpand(value, option: name, properties: properties)
            default:
                throw ODataError("\(name): unsupported query option (supported: $filter, $top, $skip, $count, $orderby, $select, $expand)")
            }
        }
    }

    /// Applies filter, orderby, skip and top, in OData's order; returns the page and the filtered count (for @odata.count).
    /// Without `$orderby` the order is by key; ties always fall back to the key, then to the input order.
    public func apply<E: ODataEntity>(to entities: [E]) -> (page: [E], count: Int) {
        let matching = filter.map { filter in entities.filter { filter.matches($0) } } ?? entities
        let orderings = orderBy.contains { $0.property == key } ? orderBy : orderBy + [ODataOrdering(property: key)]
        let keyed = matching.enumerated().map { index, entity in
            (index: index, entity: entity, values: orderings.map { entity.odataValue(of: $0.property) ?? .null })
        }
        let sorted = keyed.sorted { lhs, rhs in
            for (position, ordering) in orderings.enumerated() where lhs.values[position] != rhs.values[position] {
                return (lhs.values[position] < rhs.values[position]) != ordering.descending
            }
            return lhs.index < rhs.index
        }
        let start = min(skip ?? 0, sorted.count)
        let end = top.map { min(start + $0, sorted.count) } ?? sorted.count
        return (sorted[start..<end].map(\.entity), matching.count)
    }

    // MARK: Option parsers

    private static func parseCount(_ value: String, option: String, limit: Int?) throws(ODataError) -> Int {
        guard !value.isEmpty, value.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let number = Int(value) else {
            throw ODataError("\(option): expected a non-negative integer, found '\(truncated(value))'")
        }
        if let limit, number > limit { throw ODataError("\(option): at most \(limit), found \(number)") }
        return number
    }

    private static func parseBool(_ value: String, option: String) throws(ODataError) -> Bool {
        switch value.lowercased() {
        case "true": return true
        case "false": return false
        default: throw ODataError("\(option): expected true or false, found '\(truncated(value))'")
        }
    }

    private static func parseOrderBy(_ value: String, option: String,
                                     properties: ODataProperties) throws(ODataError) -> [ODataOrdering] {
        let clauses = items(value)
        if clauses.count > maxOrderByClauses {
            throw ODataError("\(option): at most \(maxOrderByClauses) clauses, found \(clauses.count)")
        }
        var orderings: [ODataOrdering] = []
        for (index, clause) in clauses.enumerated() {
            let words = clause.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(String.init)
            guard let name = words.first else { throw ODataError("\(option): clause \(index + 1) is empty") }
            guard let property = properties[name] else {
                throw ODataError("\(option): unknown property '\(truncated(name))'\(properties.hint(for: name))")
            }
            guard property.filterable else { throw ODataError("\(option): the property '\(name)' cannot be used in $orderby") }
            guard !orderings.contains(where: { $0.property == name }) else {
                throw ODataError("\(option): the property '\(name)' appears more than once")
            }
            let descending: Bool
            switch words.dropFirst().first?.lowercased() {
            case nil, "asc": descending = false
            case "desc": descending = true
            case let other?: throw ODataError("\(option): expected 'asc' or 'desc' after '\(name)', found '\(truncated(other))'")
            }
            if words.count > 2 {
                throw ODataError("\(option): expected ',' or the end after '\(words[0]) \(words[1])', found '\(truncated(words[2]))'")
            }
            orderings.append(ODataOrdering(property: name, descending: descending))
        }
        return orderings
    }

    private static func parseSelect(_ value: String, option: String,
                                    properties: ODataProperties) throws(ODataError) -> [String]? {
        var names: [String] = []
        var all = false
        for (index, item) in items(value).enumerated() {
            if item == "*" {
                all = true
            } else if item.isEmpty {
                throw ODataError("\(option): item \(index + 1) is empty")
            } else if properties[item] == nil {
                throw ODataError("\(option): unknown property '\(truncated(item))'\(properties.hint(for: item))")
            } else if !names.contains(item) {
                names.append(item)
            }
        }
        return all ? nil : names
    }

    private static func checkExpand(_ value: String, option: String, properties: ODataProperties) throws(ODataError) {
        for (index, item) in items(value).enumerated() {
            if item.isEmpty { throw ODataError("\(option): item \(index + 1) is empty") }
            guard properties[item]?.kind == .collection else {
                throw ODataError("\(option): '\(truncated(item))' cannot be expanded\(properties.hint(for: item))")
            }
        }
    }

    /// Comma-separated, trimmed; an empty value is one empty item.
    private static func items(_ value: String) -> [String] {
        value.split(separator: ",", omittingEmptySubsequences: false).map { item in
            let isBlank = { (character: Character) in character == " " || character == "\t" }
            guard let first = item.firstIndex(where: { !isBlank($0) }), let last = item.lastIndex(where: { !isBlank($0) }) else {
                return ""
            }
            return String(item[first...last])
        }
    }

    private static func truncated(_ text: String) -> String {
        text.count <= 40 ? text : text.prefix(40) + "…"
    }
}
