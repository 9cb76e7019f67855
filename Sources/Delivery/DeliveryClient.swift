import HTTPWire
import NIOCore
import NIOPosix
import NIOSSL

/// One request as it goes on the wire, head and body, encoded once by a
/// `DeliveryRequestEncoder`; a connection writes it as it is.
public struct DeliveryRequest: Sendable {
    public let bytes: ByteBuffer

    public init(encoded bytes: ByteBuffer) {
        self.bytes = bytes
    }

    /// Bytes this request puts on the wire.
    public var wireSize: Int { bytes.readableBytes }
}

/// Encodes the POSTs sent to one target: the request line, Host and the fixed
/// fields are rendered once; each request adds its Content-Length, its
/// signature (when it has one) and its body as stored.
public final class DeliveryRequestEncoder {
    private let head: RequestHeadEncoder
    private let allocator = ByteBufferAllocator()
    private var scratch: [UInt8] = []

    /// - Parameters:
    ///   - fields: sent with every request, in order (Host and Content-Length are the encoder's).
    ///   - signatureName: the field a request's own signature goes in.
    public init(target: DeliveryTarget, fields: [(name: String, value: String)], signatureName: String?) throws(HTTPWireError) {
        head = try RequestHeadEncoder(target: target.pathAndQuery, host: target.authority, fields: fields,
                                      signatureName: signatureName)
    }

    /// The request carrying `body`, signed with `signature` when given and a
    /// valid field value (a CR or LF, possible in a hand-made recording, would
    /// split the request: such a signature is left out).
    public func encode(body: [UInt8], signature: String? = nil) -> DeliveryRequest {
        scratch.removeAll(keepingCapacity: true)
        do {
            try head.encodeHead(contentLength: body.count, signature: signature, into: &scratch)
        } catch {
            // Only the signature is checked per request: without it the head cannot fail.
            scratch.removeAll(keepingCapacity: true)
            try? head.encodeHead(contentLength: body.count, into: &scratch)
        }
        var buffer = allocator.buffer(capacity: scratch.count + body.count)
        buffer.writeBytes(scratch)
        buffer.writeBytes(body)
        return DeliveryRequest(encoded: buffer)
    }
}

/// What a response said besides its status, kept only by a client that was
/// asked to (`DeliveryClient(responseBodyLimit:)`, the recorder's pass-through).
public struct DeliveryAnswer: Sendable {
    public var contentType: String?
    public var body: ByteBuffer
}

/// What became of one request.
public struct DeliveryOutcome: Sendable {
    /// The response status, or why there was none.
    public var result: Result<Int, DeliveryFailure>
    /// The response's content type and body, when the client keeps them and there was a response.
    public var answer: DeliveryAnswer?
    /// When the request was written to a connection (later than it was handed
    /// over when every connection was busy).
    public var sentAt: NIODeadline
    public var completedAt: NIODeadline
    public var bytesSent: Int
    public var bytesReceived: Int

    public init(result: Result<Int, DeliveryFailure>, answer: DeliveryAnswer? = nil, sentAt: NIODeadline,
                completedAt: NIODeadline, bytesSent: Int, bytesReceived: Int) {
        self.result = result
        self.answer = answer
        self.sentAt = sentAt
        self.completedAt = completedAt
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
    }
}

/// Sends requests to one target over a bounded set of HTTP/1.1 keep-alive
/// connections, one request in flight per connection (HTTP/1.1 without
/// pipelining, as Orchestrator sends).
///
/// Built on raw NIO channels over HTTPWire rather than AsyncHTTPClient or
/// NIOHTTP1: replay dispatch is a hot path. Requests arrive encoded, so a
/// connection writes one buffer per request and parses the answer in place;
/// each connection belongs to one event loop, so a request handed to loop `i`
/// is written, timed and completed on loop `i` without crossing threads
/// (docs/benchmarks.md has the measurements).
public final class DeliveryClient: Sendable {
    public let target: DeliveryTarget
    public let loops: [any EventLoop]
    private let pools: [LoopConnectionPool]

    /// - Parameters:
    ///   - connections: the most connections open at once, split over the
    ///     loops; at least as many as there are loops.
    ///   - timeout: the longest wait for a response once a request is sent,
    ///     for a free connection, and for a connection to open. Checked every
    ///     `timeout / 20` (at least 1 ms, at most 50 ms), so a timeout fires
    ///     that much late at most.
    ///   - tls: how an `https://` target's connections are secured; required
    ///     for one, ignored for `http://`.
    ///   - responseBodyLimit: keep each response's content type and body (up
    ///     to this many bytes; a longer body fails the request) in its
    ///     outcome's `answer`; nil keeps only the status.
    public init(target: DeliveryTarget, loops: [any EventLoop], connections: Int, timeout: Duration, tls: DeliveryTLS? = nil,
                responseBodyLimit: Int? = nil) {
        precondition(!loops.isEmpty && connections >= loops.count)
        precondition(!target.isSecure || tls != nil, "an https target needs a DeliveryTLS")
        self.target = target
        self.loops = loops
        let tlsContext = target.isSecure ? tls?.context : nil
        pools = loops.enumerated().map { index, loop in
            let share = connections / loops.count + (index < connections % loops.count ? 1 : 0)
            return LoopConnectionPool(target: target, tls: tlsContext, loop: loop, maximumConnections: share,
                                      timeout: TimeAmount(timeout), responseBodyLimit: responseBodyLimit)
        }
        for pool in pools { pool.start() }
    }

    /// Sends `request` from loop `loopIndex`; must be called on that loop, and
    /// `completion` runs there.
    public func send(_ request: DeliveryRequest, onLoop loopIndex: Int, completion: @escaping (DeliveryOutcome) -> Void) {
        pools[loopIndex].enqueue(PendingDelivery(request: request, completion: completion, enqueuedAt: .now()))
    }

    /// Sends `request` from `loop`, one of `loops`; must be called on it, and
    /// `completion` runs there.
    public func send(_ request: DeliveryRequest, on loop: any EventLoop, completion: @escaping (DeliveryOutcome) -> Void) {
        guard let index = loops.firstIndex(where: { $0 === loop }) else { preconditionFailure("\(loop) is not one of the client's loops") }
        send(request, onLoop: index, completion: completion)
    }

    /// Closes every connection; requests still in flight complete as `.reset`.
    public func shutdown() async {
        for (index, loop) in loops.enumerated() {
            let pool = pools[index]
            try? await loop.submit { pool.shutdown() }.get()
        }
    }
}

struct PendingDelivery {
    let request: DeliveryRequest
    let completion: (DeliveryOutcome) -> Void
    let enqueuedAt: NIODeadline
    /// Already sent once on a reused connection that closed without answering.
    var isRetry = false

    func fail(_ failure: DeliveryFailure) {
        let now = NIODeadline.now()
        completion(DeliveryOutcome(result: .failure(failure), sentAt: now, completedAt: now, bytesSent: 0, bytesReceived: 0))
    }
}

/// The connections of one event loop and the requests waiting for one of them.
/// (`@unchecked Sendable`: after `init`, touched only on its loop, as the
/// entry points assert.)
final class LoopConnectionPool: @unchecked Sendable {
    let target: DeliveryTarget
    /// Set for an `https://` target.
    let tls: NIOSSLContext?
    let loop: any EventLoop
    let maximumConnections: Int
    let timeout: TimeAmount
    /// Keep response bodies up to this size; nil: keep only statuses.
    let responseBodyLimit: Int?
    private var idle: [DeliveryConnection] = []
    private var waiting = CircularBuffer<PendingDelivery>()
    private var openConnections = 0
    private var connecting = 0
    private var busyConnections: [ObjectIdentifier: DeliveryConnection] = [:]
    private var sweep: RepeatedTask?
    private var isShutDown = false
    /// After a failed connect while other connections work, no new one is
    /// tried before this (a connection limit on the target is not an error of
    /// the requests, and retrying at once would storm it).
    private var connectBackoffUntil = NIODeadline.uptimeNanoseconds(0)
    private var isConnectRetryScheduled = false

    /// A keep-alive connection idle longer than this is closed rather than
    /// reused: receivers close idle connections (Node after 5 s), and a request
    /// sent as that close arrives would fail for no fault of the receiver.
    static let maximumIdleTime = TimeAmount.seconds(2)
    static let connectBackoff = TimeAmount.milliseconds(100)

    init(target: DeliveryTarget, tls: NIOSSLContext?, loop: any EventLoop, maximumConnections: Int, timeout: TimeAmount,
         responseBodyLimit: Int?) {
        self.target = target
        self.tls = tls
        self.loop = loop
        self.maximumConnections = maximumConnections
        self.timeout = timeout
        self.responseBodyLimit = responseBodyLimit
    }

    func start() {
        let interval = TimeAmount.nanoseconds(min(max(timeout.nanoseconds / 20, 1_000_000), 50_000_000))
        loop.execute { [self] in
            sweep = loop.scheduleRepeatedTask(initialDelay: interval, delay: interval) { [self] _ in
                expireOverdueRequests()
            }
        }
    }

    func enqueue(_ pending: PendingDelivery) {
        loop.assertInEventLoop()
        guard !isShutDown else {
            pending.fail(.other("client shut down"))
            return
        }
        if let connection = takeIdleConnection() {
            dispatch(pending, on: connection)
        } else {
            waiting.append(pending)
            openConnectionIfNeeded()
        }
    }

    /// Puts a request that a reused connection dropped unanswered back at the
    /// front of the queue, once.
    func retry(_ pending: PendingDelivery) {
        var pending = pending
        pending.isRetry = true
        if let connection = takeIdleConnection() {
            dispatch(pending, on: connection)
        } else {
            waiting.prepend(pending)
            openConnectionIfNeeded()
        }
    }

    /// The most recently used idle connection, closing any that idled too long.
    private func takeIdleConnection() -> DeliveryConnection? {
        let now = NIODeadline.now()
        while let connection = idle.popLast() {
            if now - connection.idleSince < Self.maximumIdleTime { return connection }
            connection.close()
        }
        return nil
    }

    private func dispatch(_ pending: PendingDelivery, on connection: DeliveryConnection) {
        let key = ObjectIdentifier(connection)
        busyConnections[key] = connection
        connection.send(pending, deadline: .now() + timeout)
    }

    private func openConnectionIfNeeded() {
        guard waiting.count > connecting, openConnections + connecting < maximumConnections else { return }
        guard NIODeadline.now() >= connectBackoffUntil else {
            if !isConnectRetryScheduled {
                isConnectRetryScheduled = true
                loop.scheduleTask(deadline: connectBackoffUntil) { [self] in
                    isConnectRetryScheduled = false
                    openConnectionIfNeeded()
                }
            }
            return
        }
        connecting += 1
        ClientBootstrap(group: loop)
            .channelOption(.tcpOption(.tcp_nodelay), value: 1)
            .connectTimeout(timeout)
            .channelInitializer { [tls, target] channel in
                channel.eventLoop.makeCompletedFuture {
                    if let tls {
                        // SNI and the name check need a host name; for an
                        // address, the certificate is checked against it.
                        let handler = try NIOSSLClientHandler(context: tls, serverHostname: target.isIPAddress ? nil : target.host)
                        try channel.pipeline.syncOperations.addHandler(handler)
                    }
                    try channel.pipeline.syncOperations.addHandler(DeliveryConnection(pool: self))
                }
            }
            .connect(host: target.host, port: target.port)
            .whenComplete { [self] result in
                let pool = self
                pool.connecting -= 1
                switch result {
                case .success(let channel):
                    pool.openConnections += 1
                    guard let connection = try? channel.pipeline.syncOperations.handler(type: DeliveryConnection.self) else {
                        channel.close(promise: nil)
                        return
                    }
                    pool.connectionBecameIdle(connection)
                case .failure(let error):
                    if pool.openConnections == 0 {
                        // Nothing can serve the waiting requests: the oldest pays
                        // for the failed connect, so a dead target yields one
                        // error per request instead of a hang.
                        pool.waiting.popFirst()?.fail(DeliveryFailure(connectError: error))
                    } else {
                        pool.connectBackoffUntil = .now() + Self.connectBackoff
                    }
                    pool.openConnectionIfNeeded()
                }
            }
    }

    func connectionBecameIdle(_ connection: DeliveryConnection) {
        busyConnections[ObjectIdentifier(connection)] = nil
        if isShutDown {
            connection.close()
        } else if let pending = waiting.popFirst() {
            dispatch(pending, on: connection)
        } else {
            connection.idleSince = .now()
            idle.append(connection)
        }
    }

    /// Sends a request again, once, when the connection that dropped it
    /// unanswered had been reused: the receiver most likely closed it as idle
    /// just as the request went out (webhook receivers deduplicate by
    /// EventId). Returns whether it did.
    func retryIfReused(_ pending: PendingDelivery, wasReused: Bool) -> Bool {
        guard wasReused, !pending.isRetry, !isShutDown else { return false }
        retry(pending)
        return true
    }

    func connectionClosed(_ connection: DeliveryConnection) {
        openConnections -= 1
        busyConnections[ObjectIdentifier(connection)] = nil
        idle.removeAll { $0 === connection }
        openConnectionIfNeeded()
    }

    private func expireOverdueRequests() {
        let now = NIODeadline.now()
        while let oldest = waiting.first, now - oldest.enqueuedAt > timeout {
            waiting.removeFirst().fail(.timeout)
        }
        for connection in busyConnections.values where connection.isOverdue(at: now) {
            connection.failCurrent(.timeout)
        }
    }

    func shutdown() {
        loop.assertInEventLoop()
        isShutDown = true
        sweep?.cancel()
        for connection in idle { connection.close() }
        idle.removeAll()
        for connection in busyConnections.values { connection.close() }
        while let pending = waiting.popFirst() {
            pending.fail(.other("client shut down"))
        }
    }
}

/// One keep-alive connection: writes a request, reads its response with
/// HTTPWire's parser, then asks the pool for the next one.
final class DeliveryConnection: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private struct InFlight {
        let pending: PendingDelivery
        let sentAt: NIODeadline
        let deadline: NIODeadline
        var status: Int?
        var keepAlive = true
        var bytesReceived = 0
        /// Kept when the pool keeps answers.
        var answer: DeliveryAnswer?
    }

    private unowned let pool: LoopConnectionPool
    private var context: ChannelHandlerContext?
    private var current: InFlight?
    private var parser = ResponseParser()
    /// Requests this connection has answered.
    private var answered = 0
    var idleSince = NIODeadline.now()

    init(pool: LoopConnectionPool) {
        self.pool = pool
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func send(_ pending: PendingDelivery, deadline: NIODeadline) {
        guard let context, context.channel.isActive else {
            if !pool.retryIfReused(pending, wasReused: answered > 0) { pending.fail(.reset) }
            return
        }
        current = InFlight(pending: pending, sentAt: .now(), deadline: deadline)
        context.writeAndFlush(wrapOutboundOut(pending.request.bytes), promise: nil)
    }

    func isOverdue(at now: NIODeadline) -> Bool {
        guard let current else { return false }
        return now > current.deadline
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let failure: HTTPWireError? = buffer.withUnsafeReadableBytes { bytes in
            var index = 0
            do throws(HTTPWireError) {
                while let part = try parser.read(from: bytes, at: &index) { take(part, of: bytes) }
                return nil
            } catch {
                return error
            }
        }
        if let failure { failCurrent(.protocolViolation("\(failure)")) }
    }

    private func take(_ part: ResponsePart, of bytes: UnsafeRawBufferPointer) {
        switch part {
        case .head(let head):
            current?.status = head.status
            current?.keepAlive = head.keepAlive
            if pool.responseBodyLimit != nil {
                current?.answer = DeliveryAnswer(contentType: head.headers.value(named: "content-type").map { String(decoding: $0, as: UTF8.self) },
                                                 body: ByteBuffer())
            }
        case .body(let range):
            current?.bytesReceived += range.count
            guard let limit = pool.responseBodyLimit, current?.answer != nil else { return }
            guard (current?.bytesReceived ?? 0) <= limit else {
                return failCurrent(.other("response body larger than \(limit) bytes"))
            }
            current?.answer?.body.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[range]))
        case .end:
            guard let finished = current, finished.status != nil else {
                // An answer nobody asked for: the connection is out of step.
                close()
                return
            }
            finish(finished)
        }
    }

    private func finish(_ finished: InFlight) {
        current = nil
        answered += 1
        complete(finished, with: .success(finished.status ?? 0))
        // A response that ended with the connection (no length given)
        // leaves nothing to reuse.
        if finished.keepAlive, let context, context.channel.isActive {
            pool.connectionBecameIdle(self)
        } else {
            close()
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        // A body delimited by the close ends here.
        if let ending = try? parser.finish(), case .end = ending, let finished = current, finished.status != nil {
            current = nil
            answered += 1
            complete(finished, with: .success(finished.status ?? 0))
        }
        failCurrent(.reset)
        pool.connectionClosed(self)
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        failCurrent(DeliveryFailure(ioError: error))
        context.close(promise: nil)
    }

    /// Completes the request in flight with `failure` and drops the connection
    /// (its response, if one still comes, would belong to no request).
    func failCurrent(_ failure: DeliveryFailure) {
        guard let failed = current else { return }
        current = nil
        let isRetried = failure == .reset && failed.status == nil
            && pool.retryIfReused(failed.pending, wasReused: answered > 0)
        if !isRetried { complete(failed, with: .failure(failure)) }
        close()
    }

    func close() {
        context?.close(promise: nil)
    }

    private func complete(_ request: InFlight, with result: Result<Int, DeliveryFailure>) {
        let answer = if case .success = result { request.answer } else { DeliveryAnswer?.none }
        request.pending.completion(DeliveryOutcome(
            result: result, answer: answer, sentAt: request.sentAt, completedAt: .now(),
            bytesSent: request.pending.request.wireSize, bytesReceived: request.bytesReceived))
    }
}
