import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// POSTs webhook events to their receivers over http or https: the emulator's
/// sender (docs/orchestrator-webhooks.md §1). Built on AsyncHTTPClient rather than
/// `DeliveryClient` because webhook URLs may be https and each event goes to
/// a different URL, at a rate far below replay's. Call `shutdown()` when done.
public final class WebhookPoster: Sendable {
    /// The longest a delivery may take: waiting for a pooled connection,
    /// connecting, and waiting for the response head; the body must then keep
    /// arriving with no gap longer than this.
    public let timeout: Duration
    private let verifyingClient: HTTPClient
    /// For https webhooks with `AllowInsecureSsl`: no certificate verification.
    private let insecureClient: HTTPClient

    /// - Parameters:
    ///   - maximumConnectionsPerHost: connections kept per receiver (scheme,
    ///     host and port); more concurrent deliveries queue for one.
    ///   - tls: how https receivers are verified when a webhook does not allow
    ///     insecure SSL (a private CA, `--ca-file`); nil: the system's trust roots.
    public init(timeout: Duration, maximumConnectionsPerHost: Int, tls: DeliveryTLS? = nil) {
        self.timeout = timeout
        let amount = TimeAmount(timeout)
        func configure(_ configuration: inout HTTPClient.Configuration) {
            configuration.httpVersion = .http1Only
            // A redirect is an answer that is not 2xx: a failed delivery.
            configuration.redirectConfiguration = .disallow
            configuration.decompression = .disabled
            configuration.timeout = .init(connect: amount, read: amount)
            configuration.connectionPool = .init(
                idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maximumConnectionsPerHost)
            // Otherwise AHC retries a refused connect with backoff until the
            // request's deadline, so a dead receiver would count as a 60 s
            // timeout instead of failing at once as Orchestrator's does.
            configuration.connectionPool.retryConnectionEstablishment = false
        }
        var verifying = HTTPClient.Configuration()
        if let tls { verifying.tlsConfiguration = tls.configuration }
        configure(&verifying)
        var insecure = HTTPClient.Configuration(certificateVerification: .none)
        configure(&insecure)
        verifyingClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: verifying)
        insecureClient = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: insecure)
    }

    /// Sends `body` to `url` with `headers`; returns the response status,
    /// whatever it is, or why no response came. The response body is read and
    /// dropped.
    public func post(
        url: String, headers: [(name: String, value: String)], body: [UInt8], allowInsecureSsl: Bool
    ) async -> Result<Int, DeliveryFailure> {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        for header in headers { request.headers.add(name: header.name, value: header.value) }
        request.body = .bytes(body)
        let client = allowInsecureSsl && url.lowercased().hasPrefix("https:") ? insecureClient : verifyingClient
        do {
            let response = try await client.execute(request, timeout: TimeAmount(timeout))
            // Drained chunk by chunk: nothing is kept, however large the answer.
            for try await _ in response.body {}
            return .success(Int(response.status.code))
        } catch {
            return .failure(DeliveryFailure(webhookError: error))
        }
    }

    public func shutdown() async {
        // Fails only when already shut down, which leaves nothing to do.
        try? await verifyingClient.shutdown()
        try? await insecureClient.shutdown()
    }
}

extension DeliveryFailure {
    /// Classifies an error from AsyncHTTPClient.
    init(webhookError error: any Error) {
        if let clientError = error as? HTTPClientError {
            switch clientError {
            case .deadlineExceeded, .readTimeout, .connectTimeout, .writeTimeout, .tlsHandshakeTimeout:
                self = .timeout
            case .remoteConnectionClosed:
                self = .reset
            default:
                self = .other("\(clientError)")
            }
            return
        }
        self.init(connectError: error)
    }
}
