import Foundation
import OrchestratorAPI

/// What a request path names, with the service prefix `@odata.context` repeats.
///
/// Both of Orchestrator's URL forms are accepted (decisions table): Automation
/// Cloud's `/{org}/{tenant}/orchestrator_/odata/…` and Standalone's `/odata/…`,
/// and the identity token endpoint of each: `/{org}/identity_/connect/token`
/// and `/identity/connect/token`.
/// Entity keys sit inside a segment (`Webhooks(4)`), which route patterns do not
/// express, so paths are parsed here instead of by a router.
enum OrchestratorRoute: Equatable {
    /// `odata/Webhooks`
    case webhooks
    /// `odata/Webhooks(id)`
    case webhook(id: Int64)
    /// `odata/Webhooks/UiPath.Server.Configuration.OData.GetEventTypes`, with or without `()`
    case eventTypes
    /// `odata/Webhooks(id)/UiPath.Server.Configuration.OData.Ping`, with or without `()`
    case ping(id: Int64)
    /// `hookreel/events`: events to fan out.
    case events
    /// `hookreel/deliveries`: per-webhook delivery counts.
    case deliveries
    /// `{org}/identity_/connect/token` or `identity/connect/token`: the client credentials grant.
    case token

    static let getEventTypesAction = OrchestratorPaths.getEventTypesAction
    static let pingAction = OrchestratorPaths.pingAction

    /// The methods the route answers.
    var methods: [String] {
        switch self {
        case .webhooks: ["GET", "POST"]
        case .webhook: ["GET", "PUT", "PATCH", "DELETE"]
        case .eventTypes, .deliveries: ["GET"]
        case .ping, .events, .token: ["POST"]
        }
    }

    /// The scope a call needs (docs/orchestrator-webhooks.md §4.2); nil for the
    /// token endpoint and the `hookreel` routes, which any valid token may call.
    func access(method: String) -> WebhooksAccess? {
        switch self {
        case .webhooks, .webhook: method == "GET" ? .read : .write
        case .eventTypes: .read
        case .ping: .write
        case .events, .deliveries, .token: nil
        }
    }

    /// Parses a request path (percent-encoded or not). `servicePath` is what
    /// precedes `/odata`: `/{org}/{tenant}/orchestrator_`, or "" for `/odata/…`
    /// and the `hookreel` routes.
    static func parse(path rawPath: String) throws(OrchestratorError) -> (route: OrchestratorRoute, servicePath: String) {
        let path = rawPath.removingPercentEncoding ?? rawPath
        let segments = path.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        let notFound = OrchestratorError(.routeNotFound, "No resource at '\(path)'.")
        if segments == ["hookreel", "events"] { return (.events, "") }
        if segments == ["hookreel", "deliveries"] { return (.deliveries, "") }
        if segments == [OrchestratorPaths.standaloneIdentity] + OrchestratorPaths.token
            || (segments.count == 4 && Array(segments.dropFirst()) == [OrchestratorPaths.cloudIdentity] + OrchestratorPaths.token) {
            return (.token, "")
        }

        let servicePath: String
        let rest: ArraySlice<String>
        if segments.first == OrchestratorPaths.odata {
            servicePath = ""
            rest = segments.dropFirst()
        } else if segments.count >= 4, segments[2] == OrchestratorPaths.cloudService, segments[3] == OrchestratorPaths.odata {
            servicePath = "/\(segments[0])/\(segments[1])/\(OrchestratorPaths.cloudService)"
            rest = segments.dropFirst(4)
        } else {
            throw notFound
        }

        guard let entitySet = rest.first else { throw notFound }
        let action = rest.dropFirst().first.map { $0.hasSuffix("()") ? String($0.dropLast(2)) : $0 }
        switch (try entityKey(entitySet), action, rest.count) {
        case (.none, nil, 1) where entitySet == "Webhooks": return (.webhooks, servicePath)
        case (.some(let id), nil, 1): return (.webhook(id: id), servicePath)
        case (.none, getEventTypesAction, 2) where entitySet == "Webhooks": return (.eventTypes, servicePath)
        case (.some(let id), pingAction, 2): return (.ping(id: id), servicePath)
        default: throw notFound
        }
    }

    /// The key of `Webhooks(key)`; nil for any other segment.
    private static func entityKey(_ segment: String) throws(OrchestratorError) -> Int64? {
        guard segment.hasPrefix("Webhooks("), segment.hasSuffix(")") else { return nil }
        let key = segment.dropFirst("Webhooks(".count).dropLast()
        guard let id = Int64(key) else {
            throw .invalid("The key '\(key)' in '\(segment)' is not a webhook Id (an Int64).")
        }
        return id
    }

    /// The query string's parameters in order, names and values decoded
    /// (`+` is a space, as in forms; `%2B` is a plus).
    static func queryParameters(_ query: String?) -> [(name: String, value: String)] {
        FormEncoding.decode(query)
    }
}
