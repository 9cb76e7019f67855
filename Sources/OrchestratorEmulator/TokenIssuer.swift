import OrchestratorAPI
import Primitives
import Synchronization

/// The external application (confidential, application scopes) the emulator's
/// identity endpoint knows: `hookreel orchestrator --client-id --client-secret-env`.
public struct ExternalApplication: Sendable {
    public var clientId: String
    public var clientSecret: String

    public init(clientId: String, clientSecret: String) {
        self.clientId = clientId
        self.clientSecret = clientSecret
    }
}

/// A refused token request, answered in OAuth's shape (RFC 6749 §5.2) with status 400.
struct TokenRequestError: Error, Equatable {
    /// `invalid_request`, `unsupported_grant_type`, `invalid_client`, `invalid_scope`
    var code: String
    var description: String

    var answer: OAuthErrorAnswer { OAuthErrorAnswer(error: code, errorDescription: description) }
}

/// The identity server's token endpoint for one external application: the
/// client credentials grant, tokens that expire, and the scopes each token
/// grants. Tokens live in memory only (a restarted emulator has forgotten
/// them, as a client must expect of any token).
final class TokenIssuer: Sendable {
    private struct Grant {
        var scopes: Set<WebhooksScope>
        var expiry: ContinuousClock.Instant
    }

    private struct State {
        var grants: [String: Grant] = [:]
        var issued = 0
    }

    let application: ExternalApplication?
    let lifetime: Duration
    private let state = Mutex(State())

    init(application: ExternalApplication?, lifetime: Duration) {
        self.application = application
        self.lifetime = lifetime
    }

    /// Tokens handed out so far (tests prove a client reuses its token).
    var issuedCount: Int { state.withLock { $0.issued } }

    /// Answers `grant_type=client_credentials&client_id=…&client_secret=…&scope=…`.
    /// No scope asks for `OR.Webhooks`.
    func issue(form: [(name: String, value: String)]) throws(TokenRequestError) -> AccessTokenAnswer {
        func value(_ name: String) -> String? { form.first { $0.name == name }?.value }
        guard let grantType = value("grant_type") else {
            throw TokenRequestError(code: "invalid_request", description: "grant_type is missing.")
        }
        guard grantType == ClientCredentialsGrant.grantType else {
            throw TokenRequestError(code: "unsupported_grant_type",
                                    description: "Only \(ClientCredentialsGrant.grantType) is supported, not '\(grantType)'.")
        }
        guard let application else {
            throw TokenRequestError(code: "invalid_client",
                                    description: "No external application is configured (hookreel orchestrator --client-id).")
        }
        guard value("client_id") == application.clientId,
              constantTimeEquals(value("client_secret") ?? "", application.clientSecret) else {
            throw TokenRequestError(code: "invalid_client", description: "Unknown client or wrong client secret.")
        }
        let requested = (value("scope") ?? "").split(separator: " ").map(String.init)
        var scopes: Set<WebhooksScope> = []
        for name in requested {
            guard let scope = WebhooksScope(rawValue: name) else {
                let allowed = WebhooksScope.allCases.map(\.rawValue).joined(separator: ", ")
                throw TokenRequestError(code: "invalid_scope",
                                        description: "The scope '\(name)' is not allowed for client '\(application.clientId)' (allowed: \(allowed)).")
            }
            scopes.insert(scope)
        }
        if scopes.isEmpty { scopes = [.default] }
        let token = (0..<4).map { _ in Hex.digits(UInt64.random(in: .min ... .max)) }.joined()
        let now = ContinuousClock.now
        state.withLock { state in
            state.grants = state.grants.filter { $0.value.expiry > now }
            state.grants[token] = Grant(scopes: scopes, expiry: now + lifetime)
            state.issued += 1
        }
        return AccessTokenAnswer(accessToken: token, expiresIn: Int(lifetime.components.seconds),
                                 scope: scopes.sorted().map(\.rawValue).joined(separator: " "))
    }

    /// The scopes `token` grants; nil when it was never issued or has expired.
    func scopes(of token: String) -> Set<WebhooksScope>? {
        let now = ContinuousClock.now
        return state.withLock { state in
            guard let grant = state.grants[token], grant.expiry > now else { return nil }
            return grant.scopes
        }
    }
}

/// Compares in time that depends only on `expected`'s length, so a response's
/// timing does not reveal how much of a guess was right.
func constantTimeEquals(_ given: String, _ expected: String) -> Bool {
    let given = Array(given.utf8)
    let expected = Array(expected.utf8)
    var difference = UInt8(given.count == expected.count ? 0 : 1)
    for index in expected.indices {
        difference |= expected[index] ^ (index < given.count ? given[index] : 0)
    }
    return difference == 0
}
