import EventModel
import HTTPWire
import NIOCore
import NIOPosix
import NIOSSL
import Synchronization

/// The listener the recorder and the sink share: raw NIO channels (Nagle off,
/// a deep accept backlog for bursts of new connections), each read by one
/// `WireConnectionHandler` over HTTPWire, behind TLS when `tls` is given.
func makeWireServerBootstrap(group: any EventLoopGroup, service: any RequestService, tls: ServerTLS? = nil) -> ServerBootstrap {
    ServerBootstrap(group: group)
        .serverChannelOption(.backlog, value: 1024)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                if let tls { try channel.pipeline.syncOperations.addHandler(NIOSSLServerHandler(context: tls.context)) }
                try channel.pipeline.syncOperations.addHandler(WireConnectionHandler(service: service))
            }
        }
}

/// How much a connection may ask of the server before it is cut off.
struct ConnectionLimits: Sendable {
    /// Larger bodies are answered 413 (and the connection closed) without being kept.
    var maximumBodyBytes = 1 << 20
    /// A connection that sends nothing for this long is closed.
    var idleTimeout: Duration = .seconds(60)
    /// A request must arrive whole, head and body, within this long of its first byte.
    var requestTimeout: Duration = .seconds(30)
    /// A pipelining client may get this many requests ahead of their answers;
    /// one more closes the connection.
    var maximumPendingAnswers = 64
    var head = HeadLimits()
}

/// One request read in full and accepted by the parser.
struct ReceivedRequest: Sendable {
    let head: RequestHead
    /// The body: a slice of what was read when it arrived in one piece.
    var body: ByteBuffer
    /// Past `maximumBodyBytes`: the body was dropped and the answer is 413.
    var isBodyTooLarge: Bool
    /// Wall-clock time at which the request's head was read.
    let receivedAt: Timestamp
    /// `ip:port` of the peer.
    let remote: String?

    var method: RequestMethod { head.method }

    /// The target split at its first `?`: the path, and the query without the mark.
    var pathAndQuery: (path: String, query: String) {
        let target = head.targetBytes
        guard let mark = target.firstIndex(of: UInt8(ascii: "?")) else { return (head.target, "") }
        return (String(decoding: target[..<mark], as: UTF8.self), String(decoding: target[(mark + 1)...], as: UTF8.self))
    }

    /// The first value of the header called `name`, compared case-insensitively.
    func header(_ name: String) -> String? {
        head.headers.value(named: name).map { String(decoding: $0, as: UTF8.self) }
    }

    /// The body's bytes, copied.
    var bodyBytes: [UInt8] { body.getBytes(at: body.readerIndex, length: body.readableBytes) ?? [] }

    /// The headers as a record keeps them: names lower-cased, repeats joined with ", ".
    var recordedHeaders: [HeaderField] {
        head.headers.recordedFields().map { HeaderField(name: $0.name, value: $0.value) }
    }
}

/// An answer to one request.
struct Answer: Sendable {
    var status: Int
    var contentType: String?
    var body: ByteBuffer
    var extraFields: [(name: String, value: String)] = []
    /// Close the connection once this answer is written (413, or the service's choice).
    var closesConnection = false

    init(status: Int, contentType: String? = nil, body: ByteBuffer = ByteBuffer(), extraFields: [(name: String, value: String)] = [],
         closesConnection: Bool = false) {
        self.status = status
        self.contentType = contentType
        self.body = body
        self.extraFields = extraFields
        self.closesConnection = closesConnection
    }

    static func text(_ status: Int, _ text: String, extraFields: [(name: String, value: String)] = []) -> Answer {
        Answer(status: status, contentType: "text/plain; charset=utf-8", body: ByteBuffer(string: text), extraFields: extraFields)
    }
}

/// What the recorder and the sink do with each request; the connection does
/// the rest (reading, limits, deadlines, answering in request order).
protocol RequestService: AnyObject, Sendable {
    var limits: ConnectionLimits { get }
    /// Requests read and not yet answered, for a draining shutdown.
    var inFlight: InFlightRequests { get }
    /// Where answers given on other threads wait for their loop.
    var workQueues: LoopWorkQueues { get }
    /// Called on the connection's event loop, in request order; the answer
    /// goes to `reply`, once, from any thread.
    func handle(_ request: ReceivedRequest, reply: AnswerSlot)
    /// Called on the event loop once `answer` is written.
    func answerWritten(_ answer: Answer, to request: RequestMethod)
}

/// Where one request's answer goes: its place in its connection's order.
/// Answers given on other threads reach the loop through its `LoopWorkQueue`,
/// so answers completed together (a group commit) are written in one loop task.
/// The slot does not keep its connection alive: an answer held by a timer or
/// the record log after the client left is dropped, and so is the connection.
struct AnswerSlot: Sendable {
    let connection: NIOLoopBound<ConnectionReference>
    let sequence: Int
    let workQueue: LoopWorkQueue

    /// The connection's loop, for timers that hold an answer.
    var eventLoop: any EventLoop { connection.eventLoop }

    func reply(_ answer: Answer) {
        if connection.eventLoop.inEventLoop {
            connection.value.handler?.ready(sequence, answer)
        } else {
            let connection = connection
            let sequence = sequence
            workQueue.enqueue { connection.value.handler?.ready(sequence, answer) }
        }
    }
}

/// A connection's handler as its answer slots see it: gone once the channel is.
final class ConnectionReference {
    weak var handler: WireConnectionHandler?

    init(_ handler: WireConnectionHandler) {
        self.handler = handler
    }
}

/// Work handed to an event loop from other threads, run in one loop task per
/// burst: the record log completes a whole batch at once, and waking a loop per
/// request would cost a context switch each.
final class LoopWorkQueue: Sendable {
    private let loop: any EventLoop
    private let state = Mutex<(pending: [@Sendable () -> Void], isScheduled: Bool)>(([], false))

    init(loop: any EventLoop) {
        self.loop = loop
    }

    func enqueue(_ work: @escaping @Sendable () -> Void) {
        let needsTask = state.withLock { state in
            state.pending.append(work)
            defer { state.isScheduled = true }
            return !state.isScheduled
        }
        if needsTask { loop.execute { self.runPending() } }
    }

    private func runPending() {
        let work = state.withLock { state in
            defer {
                state.pending.removeAll(keepingCapacity: true)
                state.isScheduled = false
            }
            return state.pending
        }
        for item in work { item() }
    }
}

/// One `LoopWorkQueue` per event loop of a server (as many as cores).
final class LoopWorkQueues: Sendable {
    private let queues = Mutex<[ObjectIdentifier: LoopWorkQueue]>([:])

    func queue(for loop: any EventLoop) -> LoopWorkQueue {
        queues.withLock { queues in
            let key = ObjectIdentifier(loop)
            if let queue = queues[key] { return queue }
            let queue = LoopWorkQueue(loop: loop)
            queues[key] = queue
            return queue
        }
    }
}

func describe(_ address: SocketAddress) -> String {
    guard let ip = address.ipAddress, let port = address.port else { return "\(address)" }
    return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
}
