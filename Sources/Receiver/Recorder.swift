import Delivery
import EventModel
import Foundation
import Logging
import NIOCore
import NIOPosix
import SegmentStore

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
    /// The pings received while watched (`record --register`).
    public var pings: PingArrivals { core.pings }

    private let core: RecorderService
    private let serverChannel: any Channel
    private let group: MultiThreadedEventLoopGroup

    private init(configuration: RecorderConfiguration, core: RecorderService, serverChannel: any Channel, group: MultiThreadedEventLoopGroup) {
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
        let group = MultiThreadedEventLoopGroup(numberOfThreads: configuration.serverThreads ?? configuration.defaultServerThreads)
        let forwarder: Forwarder?
        let channel: any Channel
        do {
            forwarder = try configuration.forwardURL.map { url in
                // On the server's own loops: a forward is sent and answered where its request came in.
                let target = try DeliveryTarget(url: url)
                return try Forwarder(target: target, loops: Array(group.makeIterator()), timeout: configuration.forwardTimeout,
                                     maximumConnections: 256, tls: target.isSecure ? configuration.forwardTLS ?? DeliveryTLS() : nil)
            }
        } catch {
            log.close()
            try? await group.shutdownGracefully()
            throw error
        }
        let core = RecorderService(configuration: configuration, log: log, metrics: metrics, forwarder: forwarder, logger: logger)
        let bootstrap = makeWireServerBootstrap(group: group, service: core, tls: configuration.tls)
        do {
            channel = try await bootstrap.bind(host: configuration.host, port: configuration.port).get()
        } catch {
            log.close()
            await forwarder?.shutdown()
            try? await group.shutdownGracefully()
            throw error
        }
        let recorder = Recorder(configuration: configuration, core: core, serverChannel: channel, group: group)
        logger.notice("listening", metadata: [
            "address": "\(configuration.host):\(recorder.port)", "scheme": "\(configuration.tls == nil ? "http" : "https")", "recording": "\(configuration.directory)",
            "instance": "\(configuration.instance)", "durability": "\(configuration.durability.rawValue)",
        ])
        return recorder
    }

    /// Stops accepting connections, lets requests in flight finish (up to
    /// `drainTimeout`), then seals the open segment. Returns whether all of
    /// that happened; what did not is logged as an error.
    @discardableResult
    public func shutdown() async -> Bool {
        try? await serverChannel.close()
        let left = await core.inFlight.drain(timeout: Self.drainTimeout)
        if left > 0 {
            core.logger.error("stopping with requests still in flight: they got no answer", metadata: ["requests": "\(left)"])
        }
        await core.forwarder?.shutdown()
        let sealFailure = core.log.close()
        if let sealFailure {
            core.logger.error(
                "could not seal the open segment; it stays open (cut back to its last durable record) and the next start on this directory recovers it",
                metadata: ["segment": "\(sealFailure.path)", "error": "\(sealFailure.message)"])
        }
        try? await group.shutdownGracefully()
        let isClean = left == 0 && sealFailure == nil
        if isClean {
            core.logger.notice("stopped", metadata: ["recording": "\(configuration.directory)"])
        } else {
            core.logger.error("stopped, not cleanly", metadata: ["recording": "\(configuration.directory)"])
        }
        return isClean
    }
}
