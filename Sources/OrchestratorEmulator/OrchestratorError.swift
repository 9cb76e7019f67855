import OrchestratorAPI

/// An error the emulated API answers with. It renders itself in Orchestrator's
/// shape, `{"message": ..., "errorCode": ..., "traceId": ...}`, with the HTTP
/// status the situation calls for (docs/orchestrator-webhooks.md §4.5).
public struct OrchestratorError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Kind: Sendable, Equatable {
        /// A malformed body, a field outside its limits, bad OData query options: 400, code 1000.
        case invalidRequest
        /// A missing, wrong or expired bearer token: 401, code 0 (Orchestrator's "You are not authenticated!").
        case notAuthenticated
        /// A valid token without the scope the call needs: 403, code 0.
        case missingScope
        /// No webhook with the id: 404, code 1002 (`ItemNotFound`).
        case itemNotFound
        /// Another webhook has the name: 409, code 1001 (`NameAlreadyUsed`).
        case nameAlreadyUsed
        /// No such route: 404, code 0.
        case routeNotFound
        /// The route exists, the method does not: 405, code 0.
        case methodNotAllowed
        /// The body is over the route's limit: 413, code 0.
        case payloadTooLarge
        /// SQLite failed: 500, code 0.
        case storageFailed
    }

    public var kind: Kind
    public var message: String

    public init(_ kind: Kind, _ message: String) {
        self.kind = kind
        self.message = message
    }

    public var description: String { message }

    /// Orchestrator's numeric `errorCode` (its "Response codes" page).
    public var errorCode: Int {
        switch kind {
        case .invalidRequest: ErrorBody.invalidRequest
        case .nameAlreadyUsed: ErrorBody.nameAlreadyUsed
        case .itemNotFound: ErrorBody.itemNotFound
        case .notAuthenticated, .missingScope, .routeNotFound, .methodNotAllowed, .payloadTooLarge, .storageFailed: 0
        }
    }

    public var status: Int {
        switch kind {
        case .invalidRequest: 400
        case .notAuthenticated: 401
        case .missingScope: 403
        case .itemNotFound, .routeNotFound: 404
        case .methodNotAllowed: 405
        case .nameAlreadyUsed: 409
        case .payloadTooLarge: 413
        case .storageFailed: 500
        }
    }

    public static func invalid(_ message: String) -> OrchestratorError { .init(.invalidRequest, message) }

    public static func webhookNotFound(id: Int64) -> OrchestratorError {
        .init(.itemNotFound, "Webhook \(id) does not exist.")
    }

    public static func nameAlreadyUsed(_ name: String) -> OrchestratorError {
        .init(.nameAlreadyUsed, "The name '\(name)' is already used.")
    }

    public static let notAuthenticated = OrchestratorError(.notAuthenticated, "You are not authenticated!")

    /// The token is valid but does not grant what `access` needs; `call` is `METHOD path`.
    public static func missingScope(_ access: WebhooksAccess, call: String) -> OrchestratorError {
        .init(.missingScope, "The access token does not grant the scope \(access.requirement) that \(call) requires.")
    }
}
