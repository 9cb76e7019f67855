import EventModel
import NIOCore
import NIOHTTP1

/// One connection of the sink: reads each request, has the core plan its
/// answer, and holds the answer with a timer on the event loop (never a
/// sleeping thread) until it is due.
///
/// Answers leave in request order, as HTTP/1.1 requires: a pipelined request
/// whose answer is due before an earlier one's waits for it. Timers run
/// concurrently, so each answer leaves at max(own due time, previous answer).
final class SinkHTTPHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    /// A pipelining client may get this many requests ahead; more closes the connection.
    static let maximumPendingAnswers = 64

    private struct Request {
        var head: HTTPRequestHead
        var body: ByteBuffer
        var isBodyTooLarge: Bool
    }

    private struct Answer {
        var status: Int
        var contentType: String?
        var body: String
        var keepAlive: Bool
        /// Only deliveries' answers are counted by status.
        var isDelivery: Bool
    }

    private let core: SinkCore
    private var reading: Request?
    /// Answers of requests read in full, in request order; nil until due.
    private var answers = CircularBuffer<Answer?>()
    /// The sequence number of `answers.first`.
    private var firstSequence = 0
    private var isOpen = true
    /// A request could not be parsed: 400 and close once the answers owed are written.
    private var rejectsAfterAnswers = false
    private var remote: String?

    init(core: SinkCore) {
        self.core = core
    }

    func channelActive(context: ChannelHandlerContext) {
        remote = context.remoteAddress.map(describe)
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let head):
            let declared = head.headers.first(name: "content-length").flatMap(Int.init) ?? 0
            reading = Request(head: head, body: ByteBuffer(), isBodyTooLarge: declared > core.configuration.maximumBodyBytes)
        case .body(var chunk):
            guard reading?.isBodyTooLarge == false else { return }
            if reading!.body.readableBytes + chunk.readableBytes > core.configuration.maximumBodyBytes {
                reading!.isBodyTooLarge = true
                reading!.body = ByteBuffer()
            } else if reading!.body.readableBytes == 0 {
                reading!.body = chunk
            } else {
                reading!.body.writeBuffer(&chunk)
            }
        case .end:
            guard let request = reading else { return }
            reading = nil
            // After an answer that closes the connection, nothing more is taken.
            guard isOpen else { return }
            guard answers.count < Self.maximumPendingAnswers else {
                context.close(promise: nil)
                return
            }
            let sequence = firstSequence + answers.count
            answers.append(nil)
            core.inFlight.started()
            route(request, sequence: sequence, context: context)
        }
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard isUnparsableRequest(error) else {
            context.close(promise: nil)
            return
        }
        // After an answer that closes the connection, nothing more is said.
        guard isOpen, !rejectsAfterAnswers else { return }
        rejectsAfterAnswers = true
        if answers.isEmpty { rejectNow(context: context) }
    }

    private func rejectNow(context: ChannelHandlerContext) {
        isOpen = false
        answerBadRequestAndClose(context: context)
    }

    func channelInactive(context: ChannelHandlerContext) {
        isOpen = false
        // Answers not yet written never will be: nobody is listening.
        for _ in 0..<answers.count { core.inFlight.finished() }
        answers.removeAll()
        context.fireChannelInactive()
    }

    // MARK: Routing

    private func route(_ request: Request, sequence: Int, context: ChannelHandlerContext) {
        let head = request.head
        let keepAlive = head.isKeepAlive && !request.isBodyTooLarge
        let path = splitURI(head.uri).path
        switch (head.method, path) {
        case (.GET, SinkCore.healthPath):
            ready(sequence, Answer(status: 200, contentType: "text/plain; charset=utf-8", body: "ok\n", keepAlive: keepAlive, isDelivery: false), context: context)
        case (.GET, SinkCore.metricsPath):
            ready(sequence, Answer(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                                   body: String(decoding: core.metrics.exposition(), as: UTF8.self), keepAlive: keepAlive, isDelivery: false),
                  context: context)
        case (.POST, _) where request.isBodyTooLarge:
            core.countOversized()
            ready(sequence, Answer(status: 413, contentType: "text/plain; charset=utf-8",
                                   body: "request body larger than \(core.configuration.maximumBodyBytes) bytes\n", keepAlive: false, isDelivery: true),
                  context: context)
        case (.POST, _):
            let body = request.body.getBytes(at: request.body.readerIndex, length: request.body.readableBytes) ?? []
            let (status, due) = core.receive(head: head, body: body, remote: remote)
            let answer = Answer(status: status, contentType: status == 200 ? nil : "text/plain; charset=utf-8",
                                body: Self.text(for: status), keepAlive: keepAlive, isDelivery: true)
            if due <= .now() {
                ready(sequence, answer, context: context)
            } else {
                context.eventLoop.assumeIsolated().scheduleTask(deadline: due) {
                    self.ready(sequence, answer, context: context)
                }
            }
        default:
            ready(sequence, Answer(status: 405, contentType: "text/plain; charset=utf-8", body: "deliveries are POSTs\n",
                                   keepAlive: keepAlive, isDelivery: false), context: context)
        }
    }

    private static func text(for status: Int) -> String {
        switch status {
        case 200...299: ""
        case AnswerPlanner.unauthorizedStatus: "signature missing or invalid\n"
        default: "injected error\n"
        }
    }

    /// Stores the answer, then writes every answer that is next in order.
    private func ready(_ sequence: Int, _ answer: Answer, context: ChannelHandlerContext) {
        guard isOpen else { return }
        answers[answers.index(answers.startIndex, offsetBy: sequence - firstSequence)] = answer
        var wrote = false
        while isOpen, let next = answers.first, let answer = next {
            answers.removeFirst()
            firstSequence += 1
            write(answer, context: context)
            wrote = true
        }
        if isOpen, rejectsAfterAnswers, answers.isEmpty {
            rejectNow(context: context)
        } else if wrote {
            context.flush()
        }
    }

    private func write(_ answer: Answer, context: ChannelHandlerContext) {
        var headers = HTTPHeaders()
        headers.add(name: "Content-Length", value: String(answer.body.utf8.count))
        if let contentType = answer.contentType { headers.add(name: "Content-Type", value: contentType) }
        if !answer.keepAlive { headers.add(name: "Connection", value: "close") }
        let head = HTTPResponseHead(version: .http1_1, status: HTTPResponseStatus(statusCode: answer.status), headers: headers)
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        if !answer.body.isEmpty {
            context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(string: answer.body)))), promise: nil)
        }
        core.inFlight.finished()
        if answer.isDelivery { core.answered(status: answer.status) }
        guard answer.keepAlive else {
            isOpen = false
            let channel = context.channel
            context.writeAndFlush(wrapOutboundOut(.end(nil))).whenComplete { _ in channel.close(promise: nil) }
            // The requests after this one are dropped with the connection.
            for _ in 0..<answers.count { core.inFlight.finished() }
            answers.removeAll()
            return
        }
        context.write(wrapOutboundOut(.end(nil)), promise: nil)
    }
}
