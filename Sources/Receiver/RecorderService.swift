import Delivery
import EventModel
import HTTPWire
import Logging
import NIOCore

/// The recorder behind every connection: routes each request (`/healthz`,
/// `/metrics`, deliveries), carries out the `RecordingPolicy`'s decision with
/// the record log and the forwarder, and answers once the record is as
/// durable as promised.
final class RecorderService: RequestService {
    static let healthPath = "/healthz"
    static let metricsPath = "/metrics"

    let configuration: RecorderConfiguration
    let limits: ConnectionLimits
    let log: RecordLog
    let metrics: RecorderMetrics
    let forwarder: Forwarder?
    let logger: Logger
    /// Requests received and not yet answered.
    let inFlight = InFlightRequests()
    let workQueues = LoopWorkQueues()
    let pings: PingArrivals
    private let policy: RecordingPolicy

    init(configuration: RecorderConfiguration, log: RecordLog, metrics: RecorderMetrics, forwarder: Forwarder?, logger: Logger) {
        self.configuration = configuration
        limits = ConnectionLimits(maximumBodyBytes: configuration.maximumBodyBytes, idleTimeout: configuration.idleTimeout,
                                  requestTimeout: configuration.requestTimeout)
        self.log = log
        self.metrics = metrics
        self.forwarder = forwarder
        self.logger = logger
        policy = RecordingPolicy(configuration: configuration)
        pings = PingArrivals(secret: configuration.secret)
    }

    func handle(_ request: ReceivedRequest, reply: AnswerSlot) {
        switch (request.method, request.pathAndQuery.path) {
        case (.get, Self.healthPath):
            reply.reply(metrics.canWrite ? .text(200, "ok\n") : .text(503, "cannot write the recording\n"))
        case (.get, Self.metricsPath):
            reply.reply(Answer(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                               body: ByteBuffer(bytes: metrics.exposition())))
        case (.post, _) where request.isBodyTooLarge:
            metrics.countRequest(status: 413, signature: nil, bodyBytes: 0)
            reply.reply(.text(413, "request body larger than \(limits.maximumBodyBytes) bytes\n"))
        case (.post, _):
            pings.notice(request)
            carryOut(policy.decide(request), bodyBytes: request.body.readableBytes, request: request, reply: reply)
        default:
            reply.reply(.text(405, "only POST is recorded\n", extraFields: [("Allow", "POST")]))
        }
    }

    func answerWritten(_ answer: Answer, to method: RequestMethod) {}

    private func carryOut(_ decision: RecordingPolicy.Decision, bodyBytes: Int, request: ReceivedRequest, reply: AnswerSlot) {
        switch decision {
        case .reject(let verdict, let record):
            metrics.countRequest(status: 401, signature: verdict, bodyBytes: bodyBytes)
            if let record { log.append(building: { record.build() }, completion: { _ in }) }
            reply.reply(.text(401, "signature \(verdict.rawValue)\n"))
        case .keep(let record, let status):
            let metrics = metrics
            // async: answer as soon as the record is queued (it is written within 100 ms).
            let answersAtOnce = configuration.durability == .async
            let isQueued = log.append(building: { record.build() }, completion: { result in
                let answered = answersAtOnce || result.isSuccess ? status : 503
                metrics.countRequest(status: answered, signature: (try? result.get())?.signature ?? record.verdict, bodyBytes: bodyBytes)
                if !answersAtOnce { reply.reply(Answer(status: answered)) }
            })
            if answersAtOnce { reply.reply(Answer(status: isQueued ? status : 503)) }
        case .forward(let record):
            guard let forwarder else { return }
            forward(record, request: request, through: forwarder, reply: reply)
        case .skip(let type):
            metrics.countSkipped(type: type)
            if let forwarder {
                forward(nil, request: request, through: forwarder, reply: reply)
            } else {
                metrics.countRequest(status: configuration.responseStatus, signature: nil, bodyBytes: bodyBytes)
                reply.reply(Answer(status: configuration.responseStatus))
            }
        case .refuseUnredactable:
            if let forwarder { return forward(nil, request: request, through: forwarder, reply: reply) }
            metrics.countRequest(status: 422, signature: nil, bodyBytes: bodyBytes)
            reply.reply(.text(422, "body is not JSON: nothing can be redacted in it, and --redact-strict keeps no unredacted body\n"))
        }
    }

    /// Pass-through: the caller always gets the real receiver's answer (or 502);
    /// a record that cannot be written is logged and counted, never an error for
    /// the caller, so capturing cannot interrupt production traffic. A nil
    /// record (a type left out) is forwarded and not kept. The forward is sent
    /// and answered on the request's own loop.
    private func forward(_ record: RecordedRequest?, request: ReceivedRequest, through forwarder: Forwarder, reply: AnswerSlot) {
        let (log, metrics, logger, durability) = (log, metrics, logger, configuration.durability)
        let bodyBytes = request.body.readableBytes
        forwarder.forward(request.head, body: request.body, on: reply.eventLoop) { result in
            let answer: Answer
            var status = 502
            switch result {
            case .success(let response):
                status = response.status
                answer = Answer(status: response.status, contentType: response.contentType, body: response.body)
            case .failure(let failure):
                logger.warning("upstream unreachable", metadata: ["error": "\(failure)"])
                answer = .text(502, "upstream unreachable\n")
            }
            metrics.countRequest(status: status, signature: record?.signature, bodyBytes: bodyBytes)
            guard var record else { return reply.reply(answer) }
            record.status = status
            if case .success(let response) = result {
                record.upstreamStatus = response.status
                record.upstreamMilliseconds = Double(response.elapsed.nanoseconds) / 1_000_000
            }
            // async promises nothing about the record: the answer waits for no write.
            guard durability != .async else {
                log.append(record) { _ in }
                return reply.reply(answer)
            }
            log.append(record) { _ in reply.reply(answer) }
        }
    }
}

private extension Result {
    var isSuccess: Bool {
        if case .success = self { return true }
        return false
    }
}
