import Delivery
import Hummingbird
import Logging
import ServiceLifecycle

/// How `hookreel orchestrator` runs.
public struct OrchestratorConfiguration: Sendable {
    public var host: String
    /// 0: any free port (`OrchestratorServer.port` tells which).
    public var port: Int
    /// The SQLite file; `WebhookStore.inMemoryPath` for a database that lives as long as the server.
    public var databasePath: String
    /// A bearer token that grants every scope; nil: none. With neither it nor
    /// `externalApplication`, calls need no token.
    public var token: String?
    /// The client the identity endpoint issues tokens to; nil: it issues none.
    public var externalApplication: ExternalApplication?
    /// How long an issued token is valid (UiPath's identity server: 1 h).
    public var tokenLifetime: Duration
    /// Per delivery (Orchestrator: 60 s).
    public var deliveryTimeout: Duration
    /// How long a webhook is skipped after a failed delivery (Automation Cloud: 1 h).
    public var breakerPeriod: Duration
    /// How https webhooks are verified unless they allow insecure SSL; nil: the system's trust roots.
    public var deliveryTLS: DeliveryTLS?

    public init(host: String = "127.0.0.1", port: Int = 0, databasePath: String, token: String? = nil,
                externalApplication: ExternalApplication? = nil, tokenLifetime: Duration = .seconds(3600),
                deliveryTimeout: Duration = .seconds(60), breakerPeriod: Duration = .seconds(3600), deliveryTLS: DeliveryTLS? = nil) {
        self.host = host
        self.port = port
        self.databasePath = databasePath
        self.token = token
        self.externalApplication = externalApplication
        self.tokenLifetime = tokenLifetime
        self.deliveryTimeout = deliveryTimeout
        self.breakerPeriod = breakerPeriod
        self.deliveryTLS = deliveryTLS
    }
}

/// The server could not start listening.
public struct OrchestratorServerError: Error, Sendable, CustomStringConvertible {
    public var host: String
    public var port: Int
    public var cause: String
    public var description: String { "Cannot listen on \(host):\(port): \(cause)" }
}

/// The emulated Orchestrator: the Webhooks API over a `WebhookStore`, and event
/// fan-out through a `WebhookDispatcher`, served by Hummingbird.
public final class OrchestratorServer: Sendable {
    /// The port bound (the configured one, or the one picked for port 0).
    public let port: Int
    private let store: WebhookStore
    private let dispatcher: WebhookDispatcher
    private let issuer: TokenIssuer
    private let services: ServiceGroup
    private let serving: Task<Void, any Error>

    private init(port: Int, store: WebhookStore, dispatcher: WebhookDispatcher, issuer: TokenIssuer,
                 services: ServiceGroup, serving: Task<Void, any Error>) {
        self.port = port
        self.store = store
        self.dispatcher = dispatcher
        self.issuer = issuer
        self.services = services
        self.serving = serving
    }

    /// Tokens the identity endpoint has issued since the start.
    public var tokensIssued: Int { issuer.issuedCount }

    /// Fans one event out to the enabled webhooks, as `POST /hookreel/events`
    /// does (how `--scenario` feeds the subscribers).
    public func publish(eventBody: [UInt8]) async throws -> DispatchSummary {
        await dispatcher.dispatch(eventBody: eventBody, to: try await store.list())
    }

    /// Opens the database and returns once the server listens.
    public static func start(configuration: OrchestratorConfiguration, logger: Logger) async throws -> OrchestratorServer {
        let store = try WebhookStore(path: configuration.databasePath)
        let dispatcher = WebhookDispatcher(timeout: configuration.deliveryTimeout, breakerPeriod: configuration.breakerPeriod,
                                           logger: logger, tls: configuration.deliveryTLS)
        let issuer = TokenIssuer(application: configuration.externalApplication, lifetime: configuration.tokenLifetime)
        let responder = OrchestratorResponder(store: store, dispatcher: dispatcher, token: configuration.token, issuer: issuer)
        let (bound, boundContinuation) = AsyncStream<Int>.makeStream()
        let application = Application(
            responder: responder,
            configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                 serverName: "hookreel-orchestrator"),
            onServerRunning: { channel in
                boundContinuation.yield(channel.localAddress?.port ?? configuration.port)
                boundContinuation.finish()
            },
            logger: logger)
        // A service group, so shutdown can be graceful: stop accepting, let
        // requests in flight finish.
        let services = ServiceGroup(configuration: .init(services: [application], gracefulShutdownSignals: [], logger: logger))
        let serving = Task {
            // Ends the wait below if the server stops before it runs (bind failure).
            defer { boundContinuation.finish() }
            try await services.run()
        }
        guard let port = await bound.first(where: { _ in true }) else {
            let cause: String
            do {
                try await serving.value
                cause = "the server stopped before it started"
            } catch {
                cause = "\(error)"
            }
            await dispatcher.shutdown()
            throw OrchestratorServerError(host: configuration.host, port: configuration.port, cause: cause)
        }
        return OrchestratorServer(port: port, store: store, dispatcher: dispatcher, issuer: issuer, services: services,
                                  serving: serving)
    }

    /// Stops accepting, lets requests in flight finish, then closes the
    /// dispatcher's connections.
    public func shutdown() async {
        await services.triggerGracefulShutdown()
        _ = await serving.result
        await dispatcher.shutdown()
    }
}
