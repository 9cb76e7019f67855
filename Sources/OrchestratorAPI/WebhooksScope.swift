/// The OAuth scopes of the Webhooks API (docs/orchestrator-webhooks.md §4.2):
/// `OR.Webhooks` allows every call; `OR.Webhooks.Read` the reads (list, get,
/// GetEventTypes); `OR.Webhooks.Write` the changes (create, replace, patch,
/// delete) and Ping.
public enum WebhooksScope: String, Sendable, CaseIterable, Comparable {
    case full = "OR.Webhooks"
    case read = "OR.Webhooks.Read"
    case write = "OR.Webhooks.Write"

    public static func < (lhs: WebhooksScope, rhs: WebhooksScope) -> Bool { lhs.rawValue < rhs.rawValue }

    /// What the client asks for unless told otherwise.
    public static let `default` = WebhooksScope.full
}

/// What a call does to the webhooks, hence which scope it needs.
public enum WebhooksAccess: Sendable {
    /// List, get, GetEventTypes.
    case read
    /// Create, replace, patch, delete, Ping.
    case write

    /// The narrow scope that allows the call; `OR.Webhooks` allows it too.
    public var scope: WebhooksScope {
        switch self {
        case .read: .read
        case .write: .write
        }
    }

    /// Whether a token granted `scopes` may make the call.
    public func isAllowed(by scopes: Set<WebhooksScope>) -> Bool {
        scopes.contains(.full) || scopes.contains(scope)
    }

    /// "OR.Webhooks.Write (or OR.Webhooks)": what an error message names.
    public var requirement: String { "\(scope.rawValue) (or \(WebhooksScope.full.rawValue))" }
}
