// WebhooksClient: calls a tenant's Webhooks API, or the emulator's, the way
// the vendor's examples do (docs/webhooks-client.md). `hookreel webhooks` is
// its command line; `record --register` is meant to reuse `register`, `ping`
// and `webhook(id:)`.
//
// Promises. Every call names itself in its errors (`METHOD URL`) and carries
// Orchestrator's `message`, `errorCode` and `traceId`; a 403 also names the
// scope the call needs. With client credentials, a token is fetched from the
// identity endpoint on first use, kept in memory only, shared by concurrent
// calls, and fetched again shortly before it expires. Webhook bodies are the
// shared `OrchestratorAPI` types, written in the vendor's member order.
//
// Threads. Calls are async and run on AsyncHTTPClient's event loops; the
// token lives in an actor (`AccessTokenSource`). Call `shutdown()` when done.
//
// Hops. A call: token (cached, or identity endpoint) -> `HTTPExchange.send`
// -> status check (`WebhooksClientError` for anything but 2xx) -> the answer
// decoded through `OrchestratorAPI`.
import AsyncHTTPClient
import Delivery
import NIOCore
import NIOHTTP1
import OrchestratorAPI

public final class WebhooksClient: Sendable {
    /// The longest a call may take, from sending to the whole answer.
    public static let defaultTimeout = Duration.seconds(30)

    public let address: OrchestratorAddress
    private let exchange: HTTPExchange
    private let authorization: Authorization

    private enum Authorization: Sendable {
        case bearer(String)
        case fetched(AccessTokenSource)
    }

    /// - Parameters:
    ///   - tls: for https: extra trust (`--ca-file`) or none (`--insecure`); nil: the system's trust roots.
    public init(address: OrchestratorAddress, authentication: WebhooksAuthentication, tls: DeliveryTLS? = nil,
                timeout: Duration = WebhooksClient.defaultTimeout) {
        self.address = address
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(10))
        if let tls { configuration.tlsConfiguration = tls.configuration }
        exchange = HTTPExchange(client: HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup,
                                                   configuration: configuration),
                                timeout: timeout)
        switch authentication {
        case .bearer(let token):
            authorization = .bearer(token)
        case .clientCredentials(let credentials):
            authorization = .fetched(AccessTokenSource(credentials: credentials,
                                                       tokenURL: credentials.tokenURL ?? address.identityTokenURL,
                                                       exchange: exchange))
        }
    }

    public func shutdown() async {
        // Fails only when already shut down, which leaves nothing to do.
        try? await exchange.client.shutdown()
    }

    // MARK: Calls

    /// `GET Webhooks` with the query's options.
    public func list(_ query: WebhookListQuery = WebhookListQuery()) async throws(WebhooksClientError) -> WebhookCollection {
        let answer = try await call(.GET, "Webhooks?\(query.queryString)", access: .read)
        return try decode(answer) { body throws(WebhookBodyError) in try WebhookCollection(answer: body) }
    }

    /// `GET Webhooks(id)`
    public func webhook(id: Int64) async throws(WebhooksClientError) -> Webhook {
        let answer = try await call(.GET, "Webhooks(\(id))", access: .read)
        return try decode(answer) { body throws(WebhookBodyError) in try Webhook(answer: body) }
    }

    /// The webhook named `name` (`$filter=Name eq '…'`), or nil.
    public func webhook(named name: String) async throws(WebhooksClientError) -> Webhook? {
        try await list(WebhookListQuery(name: name, top: 1)).webhooks.first
    }

    /// `POST Webhooks`: the created webhook, with its Id.
    public func create(_ webhook: WebhookChanges) async throws(WebhooksClientError) -> Webhook {
        let answer = try await call(.POST, "Webhooks", access: .write, body: webhook.json)
        return try decode(answer) { body throws(WebhookBodyError) in try Webhook(answer: body) }
    }

    /// `PATCH Webhooks(id)`: only the members `changes` sets change.
    public func update(id: Int64, _ changes: WebhookChanges) async throws(WebhooksClientError) -> Webhook {
        let answer = try await call(.PATCH, "Webhooks(\(id))", access: .write, body: changes.json)
        return try decode(answer) { body throws(WebhookBodyError) in try Webhook(answer: body) }
    }

    /// `DELETE Webhooks(id)`
    public func delete(id: Int64) async throws(WebhooksClientError) {
        _ = try await call(.DELETE, "Webhooks(\(id))", access: .write)
    }

    /// `POST Webhooks(id)/…Ping`: Orchestrator sends a `ping` event to the
    /// webhook and answers with it.
    public func ping(id: Int64) async throws(WebhooksClientError) -> PingAnswer {
        let answer = try await call(.POST, "Webhooks(\(id))/\(OrchestratorPaths.pingAction)", access: .write)
        return try decode(answer) { body throws(WebhookBodyError) in try PingAnswer(answer: body) }
    }

    /// `GET Webhooks/…GetEventTypes`: the event types a webhook can subscribe to.
    public func eventTypes() async throws(WebhooksClientError) -> [WebhookEventTypeEntry] {
        let answer = try await call(.GET, "Webhooks/\(OrchestratorPaths.getEventTypesAction)", access: .read)
        return try decode(answer) { body throws(WebhookBodyError) in try WebhookEventTypeEntry.list(answer: body) }
    }

    /// What `register` did.
    public struct Registration: Sendable, Equatable {
        public var webhook: Webhook
        /// True when no webhook had the name and one was created; false when it was updated.
        public var created: Bool
    }

    /// Creates the webhook named `name` with what `changes` sets, or, when
    /// one has that name, changes it with PATCH: registering twice leaves one
    /// webhook. Names are matched by `Name eq`, which a tenant (SQL Server)
    /// compares ignoring case and the emulator exactly.
    public func register(name: String, _ changes: WebhookChanges) async throws(WebhooksClientError) -> Registration {
        var changes = changes
        changes.name = name
        if let existing = try await webhook(named: name) {
            return Registration(webhook: try await update(id: existing.id, changes), created: false)
        }
        return Registration(webhook: try await create(changes), created: true)
    }

    // MARK: Plumbing

    /// Sends `method serviceRoot/odata/path` with the token; anything but 2xx is an error.
    private func call(_ method: HTTPMethod, _ path: String, access: WebhooksAccess,
                      body: [UInt8]? = nil) async throws(WebhooksClientError) -> HTTPExchange.Answer {
        let url = address.odata(path)
        let call = "\(method.rawValue) \(url)"
        let bearer = try await token()
        var headers = [("Authorization", "Bearer \(bearer)"), ("Accept", "application/json")]
        if body != nil { headers.append(("Content-Type", "application/json; charset=utf-8")) }
        let answer = try await exchange.send(method, url, headers: headers, body: body, call: call)
        guard (200..<300).contains(answer.status) else {
            throw WebhooksClientError(.api(status: answer.status, body: ErrorBody(answer: answer.body)), call: call, access: access)
        }
        return answer
    }

    private func token() async throws(WebhooksClientError) -> String {
        switch authorization {
        case .bearer(let token): token
        case .fetched(let source): try await source.token()
        }
    }

    private func decode<T>(_ answer: HTTPExchange.Answer,
                           _ body: ([UInt8]) throws(WebhookBodyError) -> T) throws(WebhooksClientError) -> T {
        do throws(WebhookBodyError) {
            return try body(answer.body)
        } catch {
            throw WebhooksClientError(.unexpectedAnswer(reason: error.message), call: answer.call)
        }
    }
}
