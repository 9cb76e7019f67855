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
    public init(target: String, timeout: Duration, maximumConnections: Int, tls: DeliveryTLS? = nil) {
        self.target = target
        baseURL = target.hasSuffix("/") ? String(target.dropLast()) : target
        var configuration = HTTPClient.Configuration()
        configuration.httpVersion = .http1Only
        configuration.redirectConfiguration = .disallow
        configuration.decompression = .disabled
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: maximumConnections)
        configuration.timeout = .init(connect: .seconds(5))
        configuration.tlsConfiguration = tls?.configuration
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.timeout = TimeAmount(timeout)
    }

    /// Sends `method pathAndQuery` with `headers` and the exact `body` bytes.
    public func forward(
        method: String, pathAndQuery: String, headers: [(name: String, value: String)], body: ByteBuffer
    ) async -> Result<Response, Failure> {
        var request = HTTPClientRequest(url: baseURL + pathAndQuery)
        request.method = HTTPMethod(rawValue: method)
        for header in headers where !Self.connectionHeaders.contains(header.name.lowercased()) {
            request.headers.add(name: header.name, value: header.value)
        }
        request.body = .bytes(body)
        let start = ContinuousClock.now
        do {
            let response = try await client.execute(request, timeout: timeout)
            let responseBody = try await response.body.collect(upTo: Self.maximumResponseBytes)
            let kept = response.headers.filter { !Self.connectionHeaders.contains($0.name.lowercased()) }
            return .success(Response(status: Int(response.status.code), headers: kept.map { ($0.name, $0.value) },
                                     body: responseBody, elapsed: ContinuousClock.now - start))
        } catch {
            return .failure(Failure(target: target, reason: "\(error)"))
        }
    }

    public func shutdown() async throws {
        try await client.shutdown()
    }
}
