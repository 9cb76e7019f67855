import NIOCore
import NIOHTTP1
import NIOPosix
import NIOSSL
import Synchronization
import TestSupport

/// A webhook receiver for dispatcher tests on 127.0.0.1 and an ephemeral
/// port: keeps every request it got and answers as scripted, per arrival.
/// With `isSecure`, it speaks https with the self-signed `TestCertificate`.
final class WebhookReceiver: Sendable {
    struct Received: Sendable {
        let path: String
        let headers: HTTPHeaders
        let body: [UInt8]
    }

    struct Answer: Sendable {
        var status: HTTPResponseStatus = .accepted
        /// Held this long before answering.
        var delay: TimeAmount?
    }

    /// The answer to a request: its 0-based arrival index among the requests
    /// to its path, and the path.
    typealias Script = @Sendable (_ index: Int, _ path: String) -> Answer

    let port: Int
    let isSecure: Bool
    private let channel: any Channel
    private let group: MultiThreadedEventLoopGroup
    private let state: ReceiverState

    private init(port: Int, isSecure: Bool, channel: any Channel, group: MultiThreadedEventLoopGroup, state: ReceiverState) {
        self.port = port
        self.isSecure = isSecure
        self.channel = channel
        self.group = group
        self.state = state
    }

    var received: [Received] { state.received.withLock { $0 } }
    /// The most requests this receiver was answering at once.
    var maximumConcurrent: Int { state.concurrency.withLock { $0.maximum } }

    func url(_ path: String) -> String { "\(isSecure ? "https" : "http")://127.0.0.1:\(port)\(path)" }
    func received(on path: String) -> [Received] { received.filter { $0.path == path } }

    static func start(isSecure: Bool = false, _ script: @escaping Script = { _, _ in Answer() }) async throws -> WebhookReceiver {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let state = ReceiverState(script: script)
        let tls = isSecure ? try NIOSSLContext(configuration: .makeServerConfiguration(
            certificateChain: [.certificate(try NIOSSLCertificate(bytes: Array(TestCertificate.certificatePEM.utf8), format: .pem))],
            privateKey: .privateKey(try NIOSSLPrivateKey(bytes: Array(TestCertificate.privateKeyPEM.utf8), format: .pem)))) : nil
        let channel = try await ServerBootstrap(group: group)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls)) }
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(ReceiverHandler(state: state))
                }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        return WebhookReceiver(port: channel.localAddress!.port!, isSecure: isSecure, channel: channel, group: group, state: state)
    }

    func stop() async throws {
        try await channel.close()
        try await group.shutdownGracefully()
    }
}

private final class ReceiverState: Sendable {
    let received = Mutex<[WebhookReceiver.Received]>([])
    let concurrency = Mutex<(current: Int, maximum: Int)>((0, 0))
    let script: WebhookReceiver.Script

    init(script: @escaping WebhookReceiver.Script) { self.script = script }
}

private final class ReceiverHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private let state: ReceiverState
    private var head: HTTPRequestHead?
    private var body: [UInt8] = []

    init(state: ReceiverState) { self.state = state }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            self.head = head
            body = []
            state.concurrency.withLock { $0.current += 1; $0.maximum = max($0.maximum, $0.current) }
        case .body(let buffer):
            body += buffer.readableBytesView
        case .end:
            guard let head else { return }
            let index = state.received.withLock { received in
                received.append(.init(path: head.uri, headers: head.headers, body: body))
                return received.count { $0.path == head.uri } - 1
            }
            let answer = state.script(index, head.uri)
            let respond = { [context, state] in
                state.concurrency.withLock { $0.current -= 1 }
                // A 204 has no body: bytes after it would be read as the next
                // response on the connection.
                let body = answer.status == .noContent ? "" : "ok"
                var headers = HTTPHeaders()
                if !body.isEmpty { headers.add(name: "Content-Length", value: String(body.utf8.count)) }
                context.write(self.wrapOutboundOut(.head(HTTPResponseHead(version: .http1_1, status: answer.status, headers: headers))), promise: nil)
                if !body.isEmpty { context.write(self.wrapOutboundOut(.body(.byteBuffer(ByteBuffer(string: body)))), promise: nil) }
                context.writeAndFlush(self.wrapOutboundOut(.end(nil)), promise: nil)
            }
            if let delay = answer.delay {
                let bound = NIOLoopBound(respond, eventLoop: context.eventLoop)
                context.eventLoop.scheduleTask(in: delay) { bound.value() }
            } else {
                respond()
            }
        }
    }
}
