import OrchestratorAPI

/// How the client proves who it is.
public enum WebhooksAuthentication: Sendable {
    /// A bearer token obtained elsewhere, sent as is.
    case bearer(String)
    /// An external application's client credentials: the client fetches
    /// tokens from the identity endpoint itself.
    case clientCredentials(ClientCredentials)
}

/// A confidential external application with application scopes.
public struct ClientCredentials: Sendable {
    public var clientId: String
    public var clientSecret: String
    /// What the token is asked to grant (default `OR.Webhooks`).
    public var scopes: [String]
    /// The token endpoint; nil: the one belonging to the Orchestrator URL
    /// (`OrchestratorAddress.identityTokenURL`).
    public var tokenURL: String?

    public init(clientId: String, clientSecret: String, scopes: [String] = [WebhooksScope.default.rawValue],
                tokenURL: String? = nil) {
        self.clientId = clientId
        self.clientSecret = clientSecret
        self.scopes = scopes
        self.tokenURL = tokenURL
    }
}
