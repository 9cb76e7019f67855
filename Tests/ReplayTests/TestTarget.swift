import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import TestSupport

/// A receiver for engine tests on 127.0.0.1 and an ephemeral port: keeps what it
/// received and answers 202, after a scripted delay for some requests, or
/// closes the connection without answering others. With `isSecure`, it speaks
/// https with `TestCertificate`; with `requiresClientCertificate` too, it
/// accepts only clients that present `TestClientCertificate` (mutual TLS).
final class TestTarget: Sendable {
    struct Received: Sendable {
        let uri: String
        let headers: HTTPHeaders
        let body: [UInt8]
    }

    /// How long to hold the answer to the request with this 0-based arrival index.
    typealias Delay = @Sendable (Int) -> TimeAmount?
    /// Whether to close the connection instead of answering the request with this index.
    typealias Drop = @Sendable (Int) -> Bool
    /// The status of the answer to the request with this index (202 unless told).
    typealias Status = @Sendable (Int) -> HTTPResponseStatus

    let port: Int
    let isSecure: Bool
    private let channel: any Channel
    private let group: MultiThreadedEventLoopGroup
    private let state: TargetState

    private init(port: Int, isSecure: Bool, channel: any Channel, group: MultiThreadedEventLoopGroup, state: TargetState) {
        self.port = port
        self.isSecure = isSecure
        self.channel = channel
        self.group = group
        self.state = state
    }

    var received: [Received] { state.received.withLock { $0 } }
    /// Connections accepted so far.
    var connections: Int { state.connections.load(ordering: .relaxed) }
    /// The most requests received and not yet answered at any one time.
    var mostOutstanding: Int { state.outstanding.withLock { $0.most } }
    var url: String { "\(isSecure ? "https" : "http")://127.0.0.1:\(port)/hooks/orchestrator" }

    static func start(isSecure: Bool = false, requiresClientCertificate: Bool = false, delay: @escaping Delay = { _ in nil },
                      drop: @escaping Drop = { _ in false }, status: @escaping Status = { _ in .accepted }) async throws -> TestTarget {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let state = TargetState(delay: delay, drop: drop, status: status)
        let tls = isSecure ? try NIOSSLContext(configuration: serverConfiguration(requiresClientCertificate: requiresClientCertificate)) : nil
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    state.connections.add(1, ordering: .relaxed)
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline(withPipeliningAssistance: true)
                    try channel.pipeline.syncOperations.addHandler(TargetHandler(state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return TestTarget(port: channel.localAddress!.port!, isSecure: isSecure, channel: channel, group: group, state: state)
    }

    private static func serverConfiguration(requiresClientCertificate: Bool) throws -> TLSConfiguration {
        var configuration = TLSConfiguration.makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(TestCertificate.certificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(TestCertificate.privateKeyPEM.utf8), format: .pem)))
        if requiresClientCertificate {
            configuration.certificateVerification = .noHostnameVerification
            configuration.trustRoots = .certificates([try NIOSSLCertificate(bytes: Array(TestClientCertificate.certificatePEM.utf8), format: .pem)])
        }
        return configuration
    }

    /// Stops accepting connections; those already open keep being served.
    func stopListening() async throws {
        try await channel.close()
    }

    func stop() async throws {
        try? await channel.close()
        try await group.shutdownGracefully()
    }
}

private final class TargetState: Sendable {
    let received = Mutex<[TestTarget.Received]>([])
    let connections = Atomic<Int>(0)
    let outstanding = Mutex((now: 0, most: 0))
    let delay: TestTarget.Delay
    let drop: TestTarget.Drop
    let status: TestTarget.Status

    init(delay: @escaping TestTarget.Delay, drop: @escaping TestTarget.Drop, status: @escaping TestTarget.Status) {
        self.delay = delay
        self.drop = drop
        self.status = status
    }
}

private final class TargetHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let state: TargetState
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(state: TargetState) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
        case .body(let buffer):
            body += buffer.readableBytesView
        case .end:
            guard let head else { return }
            let index = state.received.withLock { received in
                received.append(.init(uri: head.uri, headers: head.headers, body: body))
                return received.count - 1
            }
            state.outstanding.withLock { $0.now += 1; $0.most = max($0.most, $0.now) }
            if state.drop(index) {
                state.outstanding.withLock { $0.now -= 1 }
                context.close(promise: nil)
                return
            }
            let status = state.status(index)
            let respond = { [context, state] in
                state.outstanding.withLock { $0.now -= 1 }
                var headers = HTTPHeaders()
                headers.add(name: "Content-Length", value: "2")
                context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: status, headers: headers))), promise: nil)
                context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: "ok")))), promise: nil)
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
            if let delay = state.delay(index) {
                let bound = NIOLoopBound(respond, eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: delay) { bound.value() }
            } else {
                respond()
            }
        }
    }
}
