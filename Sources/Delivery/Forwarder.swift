import AsyncHTTPClient
import NIOCore
import NIOHTTP1

/// Passes a captured request on to the real receiver and brings back its
/// answer: the recorder's pass-through mode. One instance per target, sharing
/// a connection pool; call `shutdown()` when done.
public final class Forwarder: Sendable {
    /// What the real receiver answered.
    public struct Response: Sendable {
        public var status: Int
        /// Response headers, hop-by-hop ones removed.
        public var headers: [(name: String, value: String)]
        public var body: ByteBuffer
        /// From sending the request to receiving the whole response.
        public var elapsed: Duration
    }

    /// Why the receiver gave no answer.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var target: String
        public var reason: String
        public var description: String { "forwarding to \(target) failed: \(reason)" }
    }

    /// Headers that describe one connection, not the request (RFC 9110 §7.6.1),
    /// plus the ones the client sets itself.
    static let connectionHeaders: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization",
        "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length",
    ]

    /// The largest response body passed back to the caller.
    public static let maximumResponseBytes = 16 << 20

    public let target: String
    private let baseURL: String
    private let client: HTTPClient
    private let timeout: TimeAmount

    /// - Parameters:
    ///   - target: an absolute http(s) URL; the request path and query are
    ///     appended to its path.
    ///   - tls: for an https target, when it needs more than the system's
    ///     trust roots (a client certificate, for mutual TLS).
    ///   - eventLoopGroup: the loops requests are sent from; the recorder
    ///     passes its own, so a forward runs on the loop its request came in on.
    public init(target: String, timeout: Duration, maximumConnections: Int, tls: DeliveryTLS? = nil,
                eventLoopGroup: any EventLoopGroup = HTTPClient.defaultEventLoopGroup) {
        self.target = target
        baseURL = target.hasSuffix("/") ? String(target.dropLast()) : target
        var configuration = HTTPClient.Configuration()
        configuration.httpVersion = .http1Only
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maximumConnections)
        configuration.timeout = .init(connect: .seconds(5))
        configuration.tlsConfiguration = tls?.configuration
        client = HTTPClient(eventLoopGroup: eventLoopGroup, configuration: configuration)
        self.timeout = TimeAmount(timeout)
    }

    /// Sends the request to the target and collects its answer, on
    /// `eventLoop`: the request, its connection and the answer stay on that
    /// loop, so a forward costs no hop between threads. (Measured: the same
    /// forward from a task, through AsyncHTTPClient's own loops, cost 170-230
    /// µs of CPU per request; docs/benchmarks.md.) Hop-by-hop headers are
    /// left out both ways.
    public func forward(
        method: String, pathAndQuery: String, headers: [(name: String, value: String)], body: ByteBuffer,
        on eventLoop: any EventLoop
    ) -> EventLoopFuture<Result<Response, Failure>> {
        let request: HTTPClient.Request
        do {
            request = try HTTPClient.Request(
                url: baseURL + pathAndQuery, method: HTTPMethod(rawValue: method),
                headers: HTTPHeaders(headers.filter { !Self.connectionHeaders.contains($0.name.lowercased()) }),
                body: .byteBuffer(body))
        } catch {
            return eventLoop.makeSucceededFuture(.failure(Failure(target: target, reason: "\(error)")))
        }
        let start = ContinuousClock.now
        let (target, delegate) = (target, ResponseAccumulator(request: request, maxBodySize: Self.maximumResponseBytes))
        return client.execute(request: request, delegate: delegate, eventLoop: .delegateAndChannel(on: eventLoop),
                              deadline: .now() + timeout)
            .futureResult
            .map { response in
                let kept = response.headers.filter { !Self.connectionHeaders.contains($0.name.lowercased()) }
                return .success(Response(status: Int(response.status.code), headers: kept.map { ($0.name, $0.value) },
                                         body: response.body ?? ByteBuffer(), elapsed: ContinuousClock.now - start))
            }
            .recover { error in .failure(Failure(target: target, reason: "\(error)")) }
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }
}
