import Foundation
import OrchestratorAPI

/// Fetches tokens from the identity endpoint with client credentials, keeps
/// the current one in memory only, and fetches a new one shortly before it
/// expires. Concurrent callers share one fetch.
actor AccessTokenSource {
    private struct Current {
        var token: String
        /// When to fetch again: the token's expiry less a margin, counted
        /// from before the request went out.
        var renewal: ContinuousClock.Instant
    }

    private let credentials: ClientCredentials
    private let tokenURL: String
    private let exchange: HTTPExchange
    private var current: Current?
    private var fetching: Task<Result<Current, WebhooksClientError>, Never>?

    init(credentials: ClientCredentials, tokenURL: String, exchange: HTTPExchange) {
        self.credentials = credentials
        self.tokenURL = tokenURL
        self.exchange = exchange
    }

    /// A token that has not expired, fetched when needed.
    func token() async throws(WebhooksClientError) -> String {
        if let current, ContinuousClock.now < current.renewal { return current.token }
        let fetch: Task<Result<Current, WebhooksClientError>, Never>
        if let fetching {
            fetch = fetching
        } else {
            let credentials = credentials, tokenURL = tokenURL, exchange = exchange
            fetch = Task { await Self.fetch(credentials, from: tokenURL, through: exchange) }
            fetching = fetch
        }
        let result = await fetch.value
        if fetching == fetch { fetching = nil }
        let fetched = try result.get()
        current = fetched
        return fetched.token
    }

    /// Renew this long before expiry: a tenth of the lifetime, at most a minute,
    /// so a call does not leave with a token that expires on the way.
    static func renewalMargin(lifetime: Duration) -> Duration {
        min(lifetime / 10, .seconds(60))
    }

    private static func fetch(_ credentials: ClientCredentials, from url: String,
                              through exchange: HTTPExchange) async -> Result<Current, WebhooksClientError> {
        let call = "POST \(url)"
        let start = ContinuousClock.now
        let form = ClientCredentialsGrant.form(clientId: credentials.clientId, clientSecret: credentials.clientSecret,
                                               scopes: credentials.scopes)
        do throws(WebhooksClientError) {
            let answer = try await exchange.send(.POST, url, headers: [("Content-Type", ClientCredentialsGrant.formContentType),
                                                                       ("Accept", "application/json")],
                                                 body: Array(form.utf8), call: call)
            guard answer.status == 200 else {
                let refusal = try? JSONDecoder().decode(OAuthErrorAnswer.self, from: Data(answer.body))
                return .failure(WebhooksClientError(.identity(status: answer.status, answer: refusal), call: call))
            }
            guard let token = try? JSONDecoder().decode(AccessTokenAnswer.self, from: Data(answer.body)),
                  !token.accessToken.isEmpty, token.expiresIn > 0 else {
                return .failure(WebhooksClientError(
                    .unexpectedAnswer(reason: "not a token answer ({\"access_token\", \"expires_in\", ...})"), call: call))
            }
            let lifetime = Duration.seconds(token.expiresIn)
            return .success(Current(token: token.accessToken, renewal: start + lifetime - renewalMargin(lifetime: lifetime)))
        } catch {
            return .failure(error)
        }
    }
}
