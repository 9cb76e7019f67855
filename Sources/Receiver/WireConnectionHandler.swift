import EventModel
import HTTPWire
import NIOCore

/// One connection of the recorder or the sink, on raw bytes: parses requests
/// with HTTPWire, enforces the limits, hands each complete request to the
/// service, and writes the answers in request order (HTTP/1.1 pipelining).
///
/// - A request counts only once its last byte arrived and the parser accepted
///   it: nothing of a rejected request reaches the service.
/// - Bytes the parser refuses are answered 400 and the connection closed, after
///   the answers owed to earlier requests (a 400 must not overtake them).
/// - A body over the limit is answered 413 as soon as that is known (its
///   declared length, or the chunks so far); the rest of the connection's input
///   is ignored and it is closed after the answer.
/// - A request must arrive whole within `requestTimeout` of its first byte,
///   head included; a connection with nothing owed that has neither sent nor
///   been answered for `idleTimeout` is closed.
/// - A connection the server ends is half-closed first and its input drained
///   (for `lingerTime` at most), so a client still sending a body it was
///   refused reads the answer instead of a reset.
///
/// Confinement: every member is touched on the connection's event loop only.
final class WireConnectionHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// A request being read.
    private struct Reading {
        let head: RequestHead
        var body = ByteBuffer()
        let receivedAt: Timestamp
    }

    /// An answer's place in the connection's order.
    private struct Pending {
        var answer: Answer?
        let method: RequestMethod
        let keepsAlive: Bool
    }

    private let service: any RequestService
    private let limits: ConnectionLimits
    private var parser: RequestParser
    private var context: ChannelHandlerContext?
    private var reading: Reading?
    /// The request being read asked to be told to continue while earlier
    /// answers were owed: the interim answer goes out once they are written.
    private var owesContinue = false
    /// Bytes of a request that has not ended have been read (its deadline runs).
    private var isMidRequest = false
    /// Answers owed, in request order; the first has sequence `firstSequence`.
    private var pending = CircularBuffer<Pending>()
    private var firstSequence = 0
    /// False once the input is no longer read: after a refused request, a body
    /// over the limit, or an answer that closes the connection.
    private var isReading = true
    private var isOpen = true
    /// Bytes were refused: answered 400 once the answers owed are written.
    private var refusal: HTTPWireError?
    private var remote: String?
    private var requestDeadline: Scheduled<Void>?
    /// When the peer last sent bytes or was last answered.
    private var lastActivity = NIODeadline.now()
    /// How long a connection the server ends may still deliver input before it is closed.
    static let lingerTime = TimeAmount.seconds(2)
    private var idleCheck: RepeatedTask?
    private var output: [UInt8] = []
    /// What answer slots hold instead of the handler itself.
    private lazy var reference = ConnectionReference(self)

    init(service: any RequestService) {
        self.service = service
        limits = service.limits
        parser = RequestParser(limits: limits.head)
    }

    func handlerAdded(context: ChannelHandlerContext) { self.context = context }
    func handlerRemoved(context: ChannelHandlerContext) { self.context = nil }

    func channelActive(context: ChannelHandlerContext) {
        remote = context.remoteAddress.map(describe)
        let idleTimeout = TimeAmount(limits.idleTimeout)
        let loopBound = NIOLoopBound(self, eventLoop: context.eventLoop)
        let channel = context.channel
        // One repeating check per connection, not a timer per read. A client
        // waiting for its answers is not idle.
        let interval = TimeAmount.nanoseconds(max(idleTimeout.nanoseconds / 4, 1_000_000))
        idleCheck = context.eventLoop.scheduleRepeatedTask(initialDelay: idleTimeout, delay: interval) { _ in
            let connection = loopBound.value
            if connection.pending.isEmpty, NIODeadline.now() - connection.lastActivity >= idleTimeout { channel.close(promise: nil) }
        }
        context.fireChannelActive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        lastActivity = .now()
        guard isReading else { return }
        let buffer = unwrapInboundIn(data)
        buffer.withUnsafeReadableBytes { bytes in
            var index = 0
            // Where the input after the last complete request starts; nil while one is being read.
            var boundary: Int? = isMidRequest ? nil : 0
            var endedRequest = false
            do throws(HTTPWireError) {
                while isReading, let part = try parser.read(from: bytes, at: &index) {
                    switch part {
                    case .head(let head):
                        started(head)
                    case .body(let range):
                        received(buffer.getSlice(at: buffer.readerIndex + range.lowerBound, length: range.count)!)
                    case .end:
                        ended()
                        boundary = index
                        endedRequest = true
                    }
                }
            } catch {
                refuse(error)
            }
            if let boundary { isMidRequest = index > boundary }
            // A request that ended takes its deadline along; the next one gets its own.
            if endedRequest {
                requestDeadline?.cancel()
                requestDeadline = nil
            }
        }
        if isReading && isMidRequest {
            if requestDeadline == nil {
                let channel = context.channel
                // A client too slow to send its request loses the connection.
                requestDeadline = context.eventLoop.scheduleTask(in: TimeAmount(limits.requestTimeout)) { channel.close(promise: nil) }
            }
        } else {
            requestDeadline?.cancel()
            requestDeadline = nil
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        flushOutput()
        context.fireChannelReadComplete()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        context.close(promise: nil)
    }

    func channelInactive(context: ChannelHandlerContext) {
        isOpen = false
        isReading = false
        idleCheck?.cancel()
        requestDeadline?.cancel()
        // Answers not yet written never will be: nobody is listening.
        for _ in 0..<pending.count { service.inFlight.finished() }
        pending.removeAll()
        context.fireChannelInactive()
    }

    // MARK: Reading

    private func started(_ head: RequestHead) {
        reading = Reading(head: head, receivedAt: .now())
        if let length = head.contentLength, length > limits.maximumBodyBytes {
            tooLarge()
        } else if head.expectsContinue {
            // An interim answer must not overtake final ones still owed.
            if pending.isEmpty { output += ResponseHeadEncoder.continueHead } else { owesContinue = true }
        }
    }

    private func received(_ chunk: ByteBuffer) {
        guard reading != nil else { return }
        if reading!.body.readableBytes + chunk.readableBytes > limits.maximumBodyBytes {
            tooLarge()
        } else if reading!.body.readableBytes == 0 {
            reading!.body = chunk  // the usual single piece: kept, not copied
        } else {
            var chunk = chunk
            reading!.body.writeBuffer(&chunk)
        }
    }

    private func ended() {
        guard let request = reading else { return }
        reading = nil
        owesContinue = false
        dispatch(request, isBodyTooLarge: false)
    }

    /// The body is over the limit: the request is answered 413 and nothing
    /// more is read from this connection.
    private func tooLarge() {
        guard let request = reading else { return }
        reading = nil
        owesContinue = false
        isReading = false
        dispatch(request, isBodyTooLarge: true)
    }

    private func dispatch(_ request: Reading, isBodyTooLarge: Bool) {
        guard pending.count < limits.maximumPendingAnswers, let context else {
            isReading = false
            context?.close(promise: nil)
            return
        }
        let sequence = firstSequence + pending.count
        pending.append(Pending(method: request.head.method, keepsAlive: request.head.keepAlive && !isBodyTooLarge))
        service.inFlight.started()
        let received = ReceivedRequest(head: request.head, body: isBodyTooLarge ? ByteBuffer() : request.body,
                                       isBodyTooLarge: isBodyTooLarge, receivedAt: request.receivedAt, remote: remote)
        let slot = AnswerSlot(connection: NIOLoopBound(reference, eventLoop: context.eventLoop), sequence: sequence,
                              workQueue: service.workQueues.queue(for: context.eventLoop))
        service.handle(received, reply: slot)
    }

    private func refuse(_ error: HTTPWireError) {
        isReading = false
        reading = nil
        owesContinue = false
        refusal = error
        if pending.isEmpty { answerRefusal() }
    }

    // MARK: Answering

    /// Stores the answer of request `sequence`, then writes every answer that is next in order.
    func ready(_ sequence: Int, _ answer: Answer) {
        guard isOpen else { return }
        pending[pending.index(pending.startIndex, offsetBy: sequence - firstSequence)].answer = answer
        while isOpen, let next = pending.first, let answer = next.answer {
            pending.removeFirst()
            firstSequence += 1
            write(answer, to: next.method, keepsAlive: next.keepsAlive && !answer.closesConnection)
            service.inFlight.finished()
            service.answerWritten(answer, to: next.method)
        }
        if pending.isEmpty {
            lastActivity = .now()
            if owesContinue, isOpen, reading?.body.readableBytes == 0 { output += ResponseHeadEncoder.continueHead }
            owesContinue = false
        }
        if isOpen, refusal != nil, pending.isEmpty {
            answerRefusal()
        } else {
            flushOutput()
        }
    }

    private func write(_ answer: Answer, to method: RequestMethod, keepsAlive: Bool) {
        var fields = answer.extraFields
        if let contentType = answer.contentType { fields.insert(("Content-Type", contentType), at: 0) }
        if !keepsAlive { fields.append(("Connection", "close")) }
        ResponseHeadEncoder.encode(status: answer.status, contentLength: answer.body.readableBytes, fields: fields, into: &output)
        // The answer to HEAD states its length and carries no body (RFC 9110 §9.3.2).
        if method != .head { output += answer.body.readableBytesView }
        if !keepsAlive { closeAfterOutput() }
    }

    /// 400 for the refused bytes, then the close.
    private func answerRefusal() {
        ResponseHeadEncoder.encode(status: 400, contentLength: 0, fields: [("Connection", "close")], into: &output)
        closeAfterOutput()
    }

    /// Writes what is buffered and ends the connection; the answers after it
    /// are dropped. The output is closed first and the input drained until the
    /// peer closes (or `lingerTime` passes): closing with unread input would
    /// reset the connection and could destroy the answer before it is read.
    private func closeAfterOutput() {
        isOpen = false
        isReading = false
        for _ in 0..<pending.count { service.inFlight.finished() }
        pending.removeAll()
        guard let context else { return }
        let channel = context.channel
        let loop = context.eventLoop
        writeOutput(context: context).whenComplete { _ in
            channel.close(mode: .output).whenFailure { _ in channel.close(promise: nil) }
            loop.scheduleTask(in: Self.lingerTime) { channel.close(promise: nil) }
        }
    }

    private func flushOutput() {
        guard let context, !output.isEmpty else { return }
        _ = writeOutput(context: context)
    }

    private func writeOutput(context: ChannelHandlerContext) -> EventLoopFuture<Void> {
        let buffer = context.channel.allocator.buffer(bytes: output)
        output.removeAll(keepingCapacity: true)
        return context.writeAndFlush(wrapOutboundOut(buffer))
    }
}
