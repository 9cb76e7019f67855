import OrchestratorAPI

/// `GET Webhooks`' OData query options: `$filter` built from a raw filter and
/// the `--name` and `--enabled`/`--disabled` shortcuts (joined with `and`),
/// `$top`, `$skip`, `$orderby`; `$count=true` always, so the total is known.
public struct WebhookListQuery: Sendable, Equatable {
    /// An OData `$filter` expression, sent as given.
    public var filter: String?
    /// Only the webhook with this name (`Name eq '…'`).
    public var name: String?
    /// Only enabled (true) or disabled (false) webhooks.
    public var enabled: Bool?
    public var top: Int?
    public var skip: Int?
    /// `$orderby`, e.g. `Name desc`.
    public var orderBy: String?

    public init(filter: String? = nil, name: String? = nil, enabled: Bool? = nil, top: Int? = nil, skip: Int? = nil,
                orderBy: String? = nil) {
        self.filter = filter
        self.name = name
        self.enabled = enabled
        self.top = top
        self.skip = skip
        self.orderBy = orderBy
    }

    /// The `$filter` expression, or nil for none.
    public var filterExpression: String? {
        var terms: [String] = []
        if let filter { terms.append("(\(filter))") }
        if let name { terms.append("Name eq \(Self.literal(name))") }
        if let enabled { terms.append("Enabled eq \(enabled)") }
        if terms.count == 1, let filter, name == nil, enabled == nil { return filter }
        return terms.isEmpty ? nil : terms.joined(separator: " and ")
    }

    /// The query string, percent-encoded, without `?`.
    public var queryString: String {
        var pairs: [(name: String, value: String)] = []
        if let filterExpression { pairs.append(("$filter", filterExpression)) }
        if let orderBy { pairs.append(("$orderby", orderBy)) }
        if let top { pairs.append(("$top", String(top))) }
        if let skip { pairs.append(("$skip", String(skip))) }
        pairs.append(("$count", "true"))
        return FormEncoding.encode(pairs)
    }

    /// An OData string literal: quoted, quotes doubled.
    static func literal(_ text: String) -> String {
        "'" + text.replacingOccurrences(of: "'", with: "''") + "'"
    }
}
