import EventModel
import Foundation
import Logging
import NIOCore
import HTTPWire
import NIOPosix
import Primitives
import SegmentStore
import Synchronization

/// The sink behind every connection: plans each delivery's answer (status,
/// latency, stalls), holds it with a timer on the connection's event loop
/// (never a sleeping thread) until it is due, and keeps the tally, the
/// metrics and the optional recording.
final class SinkCore: RequestService {
    static let healthPath = "/healthz"
    static let metricsPath = "/metrics"

    let configuration: SinkConfiguration
    let metrics: SinkMetrics
    private let planner: AnswerPlanner
    private let signature: WebhookSignature?
    let log: RecordLog?
    /// Stall windows are offsets from this.
    private let origin: NIODeadline
    private let tally: Mutex<SinkTally>
    /// Requests read in full and not yet answered.
    let inFlight = InFlightRequests()
    let workQueues = LoopWorkQueues()
    let limits: ConnectionLimits

    init(configuration: SinkConfiguration, seed: UInt64, metrics: SinkMetrics, log: RecordLog?) {
        self.configuration = configuration
        self.metrics = metrics
        planner = AnswerPlanner(configuration: configuration, seed: seed)
        signature = configuration.secret.map(WebhookSignature.init(secret:))
        self.log = log
        origin = .now()
        tally = Mutex(SinkTally(seed: seed))
        limits = ConnectionLimits(maximumBodyBytes: configuration.maximumBodyBytes)
    }

    func handle(_ request: ReceivedRequest, reply: AnswerSlot) {
        switch (request.method, request.pathAndQuery.path) {
        case (.get, Self.healthPath):
            reply.reply(.text(200, "ok\n"))
        case (.get, Self.metricsPath):
            reply.reply(Answer(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                               body: ByteBuffer(bytes: metrics.exposition())))
        case (.post, _) where request.isBodyTooLarge:
            countOversized()
            reply.reply(.text(413, "request body larger than \(configuration.maximumBodyBytes) bytes\n"))
        case (.post, _):
            let (status, due) = receive(request)
            let answer = status == 200 ? Answer(status: status) : .text(status, Self.text(for: status))
            if due <= .now() {
                reply.reply(answer)
            } else {
                reply.eventLoop.scheduleTask(deadline: due) { reply.reply(answer) }
            }
        default:
            reply.reply(.text(405, "deliveries are POSTs\n"))
        }
    }

    /// Only deliveries' answers are counted by status.
    func answerWritten(_ answer: Answer, to method: RequestMethod) {
        if method == .post { answered(status: answer.status) }
    }

    private static func text(for status: Int) -> String {
        switch status {
        case 200...299: ""
        case AnswerPlanner.unauthorizedStatus: "signature missing or invalid\n"
        default: "injected error\n"
        }
    }

    /// Takes a delivery in: verifies, plans, counts and records it. Returns
    /// its status and when its answer may leave (latency, then stalls).
    func receive(_ request: ReceivedRequest) -> (status: Int, due: NIODeadline) {
        let arrival = NIODeadline.now()
        let receivedAt = Timestamp.now()
        let body = request.bodyBytes
        let header = request.header(WebhookSignature.headerName)
        let verdict = signature.map { $0.verify(body, header: header) }
        let isRejected = configuration.requireSignature && verdict != .valid
        let plan = planner.plan(isSignatureRejected: isRejected)
        let envelope = EventEnvelope(scanning: body)
        let isAccepted = (200...299).contains(plan.status)
        // The entity matters only to the order check, which sees accepted deliveries.
        let entity = isAccepted ? envelope?.type.flatMap { EntityKey.entityKey(ofEventBody: body, type: $0) } : nil
        let findings = tally.withLock {
            $0.record(SinkTally.Delivery(type: envelope?.type, eventId: envelope?.eventId, entity: entity, verdict: verdict,
                                         status: plan.status, arrival: arrival))
        }
        if let verdict { metrics.countSignature(verdict) }
        if findings.isDuplicate { metrics.countDuplicate() }
        if findings.violation != nil { metrics.countOrderViolation() }
        if let log, let instance = configuration.recording?.instance {
            log.append(building: {
                let (path, query) = request.pathAndQuery
                return RecordedRequest(
                    seq: 0, instance: instance, receivedAt: receivedAt, method: request.method.name, path: path, query: query,
                    headers: request.recordedHeaders, body: body, type: envelope?.type, eventId: envelope?.eventId,
                    remote: request.remote, signature: verdict ?? .unchecked, status: plan.status, source: .recorded)
            }, completion: { _ in })
        }
        return (plan.status, release(arrival + TimeAmount(plan.latency)))
    }

    /// A body over the limit: counted as received, answered 413 at once.
    func countOversized() {
        _ = tally.withLock {
            $0.record(SinkTally.Delivery(type: nil, eventId: nil, entity: nil, verdict: nil, status: 413, arrival: .now()))
        }
    }

    /// When an answer due at `due` may leave, given the stalls.
    private func release(_ due: NIODeadline) -> NIODeadline {
        guard let stall = configuration.stall else { return due }
        let offset = Duration.nanoseconds(max(0, (due - origin).nanoseconds))
        return origin + TimeAmount(stall.release(due: offset))
    }

    func answered(status: Int) {
        tally.withLock { $0.answered(status: status) }
        metrics.countAnswer(status: status)
    }

    var summary: SinkSummary { tally.withLock { $0.current } }

}

/// `hookreel sink`: an HTTP server that answers webhook deliveries the way a
/// configured receiver would (latency, errors, stalls, signature checks) and
/// keeps an account of what arrived: duplicates, lifecycle order, types.
///
/// Every answer is held by a timer on the connection's event loop, so
/// thousands of held requests cost no threads.
public final class Sink: Sendable {
    /// How long shutdown waits for answers still held.
    public static let drainTimeout: Duration = .seconds(5)

    public let configuration: SinkConfiguration
    /// The port the server listens on (the one picked, when configured as 0).
    public let port: Int
    /// The seed of the latency and error draws (the configured one, or the one picked).
    public let seed: UInt64

    private let core: SinkCore
    private let serverChannel: any Channel
    private let group: MultiThreadedEventLoopGroup
    private let logger: Logger

    private init(configuration: SinkConfiguration, seed: UInt64, core: SinkCore, serverChannel: any Channel,
                 group: MultiThreadedEventLoopGroup, logger: Logger) {
        self.configuration = configuration
        self.seed = seed
        self.core = core
        self.serverChannel = serverChannel
        self.group = group
        self.logger = logger
        port = serverChannel.localAddress?.port ?? configuration.port
    }

    /// Opens the recording (if any), then starts listening.
    public static func start(_ configuration: SinkConfiguration, logger: Logger) async throws -> Sink {
        let seed = configuration.seed ?? UInt64.random(in: 0...UInt64.max)
        let metrics = SinkMetrics(logger: logger, isRecording: configuration.recording != nil)
        let log = try configuration.recording.map {
            try RecordLog(directory: $0.directory, instance: $0.instance, durability: .async, options: $0.segmentOptions, observer: metrics)
        }
        let core = SinkCore(configuration: configuration, seed: seed, metrics: metrics, log: log)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.serverThreads ?? ProcessInfo.processInfo.activeProcessorCount)
        let bootstrap = makeWireServerBootstrap(group: group, service: core, tls: configuration.tls)
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            log?.close()
            try? await group.shutdownGracefully()
            throw error
        }
        let sink = Sink(configuration: configuration, seed: seed, core: core, serverChannel: channel, group: group, logger: logger)
        var metadata: Logger.Metadata = [
            "address": "\(configuration.host):\(sink.port)", "scheme": "\(configuration.tls == nil ? "http" : "https")", "seed": "\(seed)", "latency": "\(configuration.latency.latencyOptionText)",
            "respond": "\(configuration.responseStatus)",
        ]
        if configuration.errorRate > 0 { metadata["errors"] = "\(configuration.errorRate * 100)% \(configuration.errorStatus)" }
        if let stall = configuration.stall { metadata["stall"] = "\(DurationText.format(stall.duration)) every \(DurationText.format(stall.period))" }
        if let recording = configuration.recording { metadata["recording"] = "\(recording.directory)" }
        logger.notice("listening", metadata: metadata)
        return sink
    }

    /// What was received and answered so far.
    public var summary: SinkSummary { core.summary }

    /// Stops accepting connections, lets held answers go out (up to
    /// `drainTimeout`), closes the recording; returns the final summary.
    @discardableResult
    public func shutdown() async -> SinkSummary {
        try? await serverChannel.close()
        let left = await core.inFlight.drain(timeout: Self.drainTimeout)
        if left > 0 {
            logger.warning("stopping with answers still held", metadata: ["requests": "\(left)"])
        }
        try? await group.shutdownGracefully()
        core.log?.close()
        logger.notice("stopped")
        return core.summary
    }
}
