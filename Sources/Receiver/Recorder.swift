import Delivery
import EventModel
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import NIOPosix
import SegmentStore
import Synchronization

/// What every connection of one recorder shares.
final class RecorderCore: Sendable {
    static let healthPath = "/healthz"
    static let metricsPath = "/metrics"

    let configuration: RecorderConfiguration
    let log: RecordLog
    let metrics: RecorderMetrics
    let signature: WebhookSignature?
    let forwarder: Forwarder?
    let logger: Logger
    /// Requests received and not yet answered.
    let inFlight = InFlightRequests()

    init(configuration: RecorderConfiguration, log: RecordLog, metrics: RecorderMetrics, forwarder: Forwarder?, logger: Logger) {
        self.configuration = configuration
        self.log = log
        self.metrics = metrics
        signature = configuration.secret.map(WebhookSignature.init(secret:))
        self.forwarder = forwarder
        self.logger = logger
    }

    /// One work queue per event loop (there are as many loops as cores).
    private let workQueues = Mutex<[ObjectIdentifier: LoopWorkQueue]>([:])

    func workQueue(for loop: any EventLoop) -> LoopWorkQueue {
        workQueues.withLock { queues in
            let key = ObjectIdentifier(loop)
            if let queue = queues[key] { return queue }
            let queue = LoopWorkQueue(loop: loop)
            queues[key] = queue
            return queue
        }
    }

}

/// `hookreel record`: an HTTP server that keeps every request it receives in a
/// recording, answering only once each record is as durable as the configured
/// `Durability` promises.
public final class Recorder: Sendable {
    /// How long shutdown waits for requests in flight.
    public static let drainTimeout: Duration = .seconds(30)

    public let configuration: RecorderConfiguration
    /// The port the server listens on (the one picked, when configured as 0).
    public let port: Int
    /// What start-up recovery did with segments left open by a crash.
    public var recoveryReports: [RecoveryReport] { core.log.recoveryReports }

    private let core: RecorderCore
    private let serverChannel: any Channel
    private let group: MultiThreadedEventLoopGroup

    private init(configuration: RecorderConfiguration, core: RecorderCore, serverChannel: any Channel, group: MultiThreadedEventLoopGroup) {
        self.configuration = configuration
        self.core = core
        self.serverChannel = serverChannel
        self.group = group
        port = serverChannel.localAddress?.port ?? configuration.port
    }

    /// Recovers the recording, then starts listening.
    public static func start(_ configuration: RecorderConfiguration, logger: Logger) async throws -> Recorder {
        let metrics = RecorderMetrics(logger: logger)
        let log = try RecordLog(directory: configuration.directory, instance: configuration.instance,
                                durability: configuration.durability, options: configuration.segmentOptions, observer: metrics)
        for report in log.recoveryReports {
            logger.notice("recovered open segment", metadata: [
                "segment": "\(report.openSegment)", "records": "\(report.recoveredRecords)", "dropped_bytes": "\(report.droppedBytes)",
            ])
        }
        let forwarder = configuration.forwardURL.map {
            Forwarder(target: $0, timeout: configuration.forwardTimeout, maximumConnections: 256)
        }
        let core = RecorderCore(configuration: configuration, log: log, metrics: metrics, forwarder: forwarder, logger: logger)
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.serverThreads ?? configuration.defaultServerThreads)
        let bootstrap = makeHTTPServerBootstrap(group: group) { RecorderHTTPHandler(core: core) }
        let channel: any Channel
        do {
            channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            log.close()
            try? await forwarder?.shutdown()
            try? await group.shutdownGracefully()
            throw error
        }
        let recorder = Recorder(configuration: configuration, core: core, serverChannel: channel, group: group)
        logger.notice("listening", metadata: [
            "address": "\(configuration.host):\(recorder.port)", "recording": "\(configuration.directory)",
            "instance": "\(configuration.instance)", "durability": "\(configuration.durability.rawValue)",
        ])
        return recorder
    }

    /// Stops accepting connections, lets requests in flight finish (up to
    /// `drainTimeout`), then seals the open segment.
    public func shutdown() async {
        try? await serverChannel.close()
        let left = await core.inFlight.drain(timeout: Self.drainTimeout)
        if left > 0 {
            core.logger.warning("shutting down with requests still in flight", metadata: ["requests": "\(left)"])
        }
        try? await core.forwarder?.shutdown()
        core.log.close()
        try? await group.shutdownGracefully()
        core.logger.notice("stopped", metadata: ["recording": "\(configuration.directory)"])
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
