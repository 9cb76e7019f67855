import Delivery
import EventModel
import NIOCore
import NIOHTTP1

/// One connection of the recorder: collects each request, decides its answer,
/// has it recorded, and answers once the record is as durable as promised.
///
/// Answers go out in request order: a request that arrives while the previous
/// one is still being answered (HTTP/1.1 pipelining) waits in `queued`. This
/// replaces NIO's pipelining handler, which pauses and resumes reading around
/// every request (two epoll_ctl calls each; measured in scripts/bench-recorder.sh).
final class RecorderHTTPHandler: ChannelInboundHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// A pipelining client may get this many requests ahead; more closes the connection.
    static let maximumQueuedRequests = 16

    /// A request read in full.
    struct Request {
        var head: HTTPRequestHead
        var body: ByteBuffer
        var isBodyTooLarge: Bool
        var receivedAt: Timestamp
    }

    private let core: RecorderCore
    /// The request being read, if its head has arrived.
    private var reading: Request?
    private var isAnswering = false
    private var queued: [Request] = []
    /// A request could not be parsed: 400 and close once the answers owed are written.
    private var rejectsAfterAnswers = false
    private var requestDeadline: Scheduled<Void>?
    /// The peer, as `ip:port` (looked up once per connection).
    private var remote: String?
    /// When the connection last received bytes, and the task that closes it
    /// once that is longer ago than the idle timeout (one task per connection,
    /// not one timer per request).
    private var lastRead = NIODeadline.now()
    private var idleCheck: RepeatedTask?

    init(core: RecorderCore) {
        self.core = core
    }

    func channelActive(context: ChannelHandlerContext) {
        remote = context.remoteAddress.map(describe)
        let idleTimeout = TimeAmount(core.configuration.idleTimeout)
        let checkInterval = TimeAmount(core.configuration.idleTimeout / 4)
        let handler = NIOLoopBound(self, eventLoop: context.eventLoop)
        let channel = context.channel
        idleCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: idleTimeout, delay: checkInterval) { _ in
            if NIODeadline.now() - handler.value.lastRead >= idleTimeout { channel.close(promise: nil) }
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastRead = .now()
        switch unwrapInboundIn(data) {
        case .head(let head):
            let declared = head.headers.first(name: "content-length").flatMap(Int.init) ?? 0
            reading = Request(head: head, body: ByteBuffer(), isBodyTooLarge: declared > core.configuration.maximumBodyBytes,
                              receivedAt: Timestamp.now())
            core.inFlight.started()
        case .body(var chunk):
            guard reading?.isBodyTooLarge == false else { return }
            if reading!.body.readableBytes + chunk.readableBytes > core.configuration.maximumBodyBytes {
                reading!.isBodyTooLarge = true
                reading!.body = ByteBuffer()
            } else if reading!.body.readableBytes == 0 {
                reading!.body = chunk  // the usual single chunk: kept, not copied
            } else {
                reading!.body.writeBuffer(&chunk)
            }
        case .end:
            requestDeadline?.cancel()
            requestDeadline = nil
            guard let request = reading else { return }
            reading = nil
            if isAnswering {
                guard queued.count < Self.maximumQueuedRequests else {
                    core.inFlight.finished()  // this one will not be answered
                    context.close(promise: nil)
                    return
                }
                queued.append(request)
            } else {
                isAnswering = true
                handle(request, context: context)
            }
        }
    }

    /// Called on the event loop once an answer is written: the next queued request goes.
    fileprivate func answerSent(context: ChannelHandlerContext) {
        isAnswering = false
        if !queued.isEmpty {
            isAnswering = true
            handle(queued.removeFirst(), context: context)
        } else if rejectsAfterAnswers {
            answerBadRequestAndClose(context: context)
        }
    }

    /// Starts the request's deadline only when it did not arrive in one read
    /// (the common case), so most requests cost no timer.
    func channelReadComplete(context: ChannelHandlerContext) {
        if reading != nil && requestDeadline == nil {
            let channel = context.channel
            requestDeadline = context.eventLoop.scheduleTask(in: TimeAmount(core.configuration.requestTimeout)) {
                // A client too slow to send its request loses the connection.
                channel.close(promise: nil)
            }
        }
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard isUnparsableRequest(error) else {
            context.close(promise: nil)
            return
        }
        guard !rejectsAfterAnswers else { return }
        rejectsAfterAnswers = true
        if !isAnswering { answerBadRequestAndClose(context: context) }
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleCheck?.cancel()
        idleCheck = nil
        requestDeadline?.cancel()
        // Requests read but not answered will not be: nobody is listening.
        let unanswered = (reading == nil ? 0 : 1) + queued.count
        for _ in 0..<unanswered { core.inFlight.finished() }
        reading = nil
        queued.removeAll()
        context.fireChannelInactive()
    }

    // MARK: Routing

    private func handle(_ request: Request, context: ChannelHandlerContext) {
        let head = request.head
        let responder = Responder(context: context, handler: self, keepAlive: head.isKeepAlive && !request.isBodyTooLarge, core: core)
        let (path, query) = splitURI(head.uri)
        switch (head.method, path) {
        case (.GET, RecorderCore.healthPath):
            let healthy = core.metrics.canWrite
            responder.respond(status: healthy ? 200 : 503, contentType: "text/plain; charset=utf-8",
                              body: healthy ? "ok\n" : "cannot write the recording\n")
        case (.GET, RecorderCore.metricsPath):
            responder.respond(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", bytes: core.metrics.exposition())
        case (.POST, _):
            if request.isBodyTooLarge {
                core.metrics.countRequest(status: 413, signature: nil, bodyBytes: 0)
                responder.respond(status: 413, contentType: "text/plain; charset=utf-8",
                                  body: "request body larger than \(core.configuration.maximumBodyBytes) bytes\n")
                return
            }
            record(request, path: path, query: query, responder: responder)
        default:
            responder.respond(status: 405, contentType: "text/plain; charset=utf-8", body: "only POST is recorded\n",
                              extraHeaders: [("Allow", "POST")])
        }
    }

    private func record(_ request: Request, path: String, query: String, responder: Responder) {
        let configuration = core.configuration
        let remote = self.remote
        let bodyBytes = request.body.readableBytes
        // Verify here only when the answer depends on it; otherwise the writer thread does.
        let verdict = configuration.requireSignature ? signatureVerdict(of: request) : nil

        if let verdict, verdict != .valid {
            core.metrics.countRequest(status: 401, signature: verdict, bodyBytes: bodyBytes)
            if configuration.recordRejected {
                let signature = core.signature
                core.log.append(building: {
                    Self.makeRecord(request, path: path, query: query, remote: remote, instance: configuration.instance,
                                    verdict: verdict, signature: signature, status: 401)
                }, completion: { _ in })
            }
            responder.respond(status: 401, contentType: "text/plain; charset=utf-8", body: "signature \(verdict.rawValue)\n")
            return
        }
        if let forwarder = core.forwarder {
            let record = Self.makeRecord(request, path: path, query: query, remote: remote, instance: configuration.instance,
                                         verdict: verdict, signature: core.signature, status: nil)
            forward(record, head: request.head, body: request.body, through: forwarder, responder: responder)
            return
        }
        let status = configuration.responseStatus
        let signature = core.signature
        let metrics = core.metrics
        // async: answer as soon as the record is queued (it is written within 100 ms).
        let answersAtOnce = configuration.durability == .async
        let isQueued = core.log.append(building: {
            Self.makeRecord(request, path: path, query: query, remote: remote, instance: configuration.instance,
                            verdict: verdict, signature: signature, status: status)
        }, completion: { result in
            let answered = answersAtOnce || result.isSuccess ? status : 503
            let recordedVerdict = (try? result.get())?.signature ?? verdict
            metrics.countRequest(status: answered, signature: recordedVerdict, bodyBytes: bodyBytes)
            if !answersAtOnce { responder.respond(status: answered) }
        })
        if answersAtOnce { responder.respond(status: isQueued ? status : 503) }
    }

    private func signatureVerdict(of request: Request) -> SignatureVerdict {
        guard let signature = core.signature else { return .unchecked }
        let body = request.body.getBytes(at: request.body.readerIndex, length: request.body.readableBytes) ?? []
        return signature.verify(body, header: request.head.headers.first(name: WebhookSignature.headerName))
    }

    /// The record of a request: body bytes copied, `Type`/`EventId` found,
    /// headers lower-cased, the signature verified unless `verdict` is known.
    private static func makeRecord(
        _ request: Request, path: String, query: String, remote: String?, instance: String,
        verdict: SignatureVerdict?, signature: WebhookSignature?, status: Int?
    ) -> RecordedRequest {
        let body = request.body.getBytes(at: request.body.readerIndex, length: request.body.readableBytes) ?? []
        let header = request.head.headers.first(name: WebhookSignature.headerName)
        let envelope = EventEnvelope(scanning: body)
        return RecordedRequest(
            seq: 0, instance: instance, receivedAt: request.receivedAt,
            method: request.head.method.rawValue, path: path, query: query,
            headers: lowerCasedHeaders(request.head.headers), body: body,
            type: envelope?.type, eventId: envelope?.eventId, remote: remote,
            signature: verdict ?? signature.map { $0.verify(body, header: header) } ?? .unchecked,
            status: status, source: .recorded)
    }

    /// Pass-through: the caller always gets the real receiver's answer (or 502);
    /// a record that cannot be written is logged and counted, never an error for
    /// the caller, so capturing cannot interrupt production traffic.
    private func forward(_ record: RecordedRequest, head: HTTPRequestHead, body: ByteBuffer, through forwarder: Forwarder, responder: Responder) {
        let headers = head.headers.map { (name: $0.name, value: $0.value) }
        let core = self.core
        Task {
            var record = record
            let result = await forwarder.forward(method: head.method.rawValue, pathAndQuery: head.uri, headers: headers, body: body)
            switch result {
            case .success(let response):
                record.status = response.status
                record.upstreamStatus = response.status
                record.upstreamMilliseconds = Double(response.elapsed.nanoseconds) / 1_000_000
            case .failure(let failure):
                record.status = 502
                core.logger.warning("upstream unreachable", metadata: ["error": "\(failure)"])
            }
            let answered = record.status ?? 502
            core.metrics.countRequest(status: answered, signature: record.signature, bodyBytes: record.body.count)
            core.log.append(record) { _ in
                switch result {
                case .success(let response):
                    let contentType = response.headers.first { $0.name.lowercased() == "content-type" }?.value
                    responder.respond(status: response.status, contentType: contentType, buffer: response.body)
                case .failure:
                    responder.respond(status: 502, contentType: "text/plain; charset=utf-8", body: "upstream unreachable\n")
                }
            }
        }
    }
}

/// Writes one response on the connection's event loop, from any thread,
/// always through the loop's `LoopWorkQueue`: answers completed together (a
/// group commit, or a burst of async-mode requests) are written in one loop
/// task, which measured faster than writing each at once (async mode went from
/// 0.33x to 0.44x of nginx in scripts/bench-recorder.sh).
struct Responder: Sendable {
    private let context: NIOLoopBound<ChannelHandlerContext>
    private let handler: NIOLoopBound<RecorderHTTPHandler>
    private let keepAlive: Bool
    private let core: RecorderCore

    init(context: ChannelHandlerContext, handler: RecorderHTTPHandler, keepAlive: Bool, core: RecorderCore) {
        self.context = NIOLoopBound(context, eventLoop: context.eventLoop)
        self.handler = NIOLoopBound(handler, eventLoop: context.eventLoop)
        self.keepAlive = keepAlive
        self.core = core
    }

    private func onLoop(_ work: @escaping @Sendable () -> Void) {
        core.workQueue(for: context.eventLoop).enqueue(work)
    }

    func respond(status: Int, contentType: String? = nil, body text: String? = nil, extraHeaders: [(String, String)] = []) {
        respond(status: status, contentType: contentType, bytes: text.map { Array($0.utf8) } ?? [], extraHeaders: extraHeaders)
    }

    func respond(status: Int, contentType: String?, bytes: [UInt8], extraHeaders: [(String, String)] = []) {
        respond(status: status, contentType: contentType, buffer: ByteBuffer(bytes: bytes), extraHeaders: extraHeaders)
    }

    func respond(status: Int, contentType: String?, buffer: ByteBuffer, extraHeaders: [(String, String)] = []) {
        let context = self.context
        let keepAlive = self.keepAlive
        let core = self.core
        let handler = self.handler
        onLoop {
            let context = context.value
            var headers = HTTPHeaders()
            headers.reserveCapacity(4 + extraHeaders.count)
            headers.add(name: "Content-Length", value: String(buffer.readableBytes))
            if let contentType { headers.add(name: "Content-Type", value: contentType) }
            if !keepAlive { headers.add(name: "Connection", value: "close") }
            for (name, value) in extraHeaders { headers.add(name: name, value: value) }
            let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: status), headers: headers)
            context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
            if buffer.readableBytes > 0 { context.write(NIOAny(HTTPServerResponsePart.body(.byteBuffer(buffer))), promise: nil) }
            let written = context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)))
            core.inFlight.finished()
            if !keepAlive {
                let channel = context.channel
                written.whenComplete { _ in channel.close(promise: nil) }
            } else {
                handler.value.answerSent(context: context)
            }
        }
    }
}

func splitURI(_ uri: String) -> (path: String, query: String) {
    guard let mark = uri.firstIndex(of: "?") else { return (uri, "") }
    return (String(uri[..<mark]), String(uri[uri.index(after: mark)...]))
}

/// Lower-cased names in arrival order, repeated headers joined with `, `.
func lowerCasedHeaders(_ headers: HTTPHeaders) -> [HeaderField] {
    var fields: [HeaderField] = []
    fields.reserveCapacity(headers.count)
    for (name, value) in headers {
        let lowered = name.utf8.contains(where: { (0x41...0x5A).contains($0) }) ? name.lowercased() : name
        if let index = fields.firstIndex(where: { $0.name == lowered }) {
            fields[index].value += ", " + value
        } else {
            fields.append(HeaderField(name: lowered, value: value))
        }
    }
    return fields
}

func describe(_ address: SocketAddress) -> String {
    guard let ip = address.ipAddress, let port = address.port else { return "\(address)" }
    return address.protocol == .inet6 ? "[\(ip)]:\(port)" : "\(ip):\(port)"
}

private extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
