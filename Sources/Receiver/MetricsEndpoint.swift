import HTTPWire
import NIOCore
import NIOPosix

/// A listener that serves only `GET /metrics` (Prometheus text), for commands
/// that are not servers themselves: `replay --metrics-listen` and
/// `storm --metrics-listen`. It shares the recorder's and the sink's wire
/// server, on one event loop of its own so a busy run cannot starve a scrape.
public final class MetricsEndpoint: Sendable {
    /// The port it listens on (the one picked, when asked for 0).
    public let port: Int
    private let serverChannel: any Channel
    private let group: MultiThreadedEventLoopGroup

    private init(port: Int, serverChannel: any Channel, group: MultiThreadedEventLoopGroup) {
        self.port = port
        self.serverChannel = serverChannel
        self.group = group
    }

    /// Starts listening on `host:port`; `exposition` is called on each scrape.
    public static func start(host: String, port: Int, exposition: @escaping @Sendable () -> [UInt8]) async throws -> MetricsEndpoint {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let service = MetricsService(exposition: exposition)
        do {
            let channel = try await makeWireServerBootstrap(group: group, service: service).bind(host: host, port: port).get()
            return MetricsEndpoint(port: channel.localAddress?.port ?? port, serverChannel: channel, group: group)
        } catch {
            try? await group.shutdownGracefully()
            throw error
        }
    }

    /// Stops listening; a scrape being answered is cut short.
    public func shutdown() async {
        try? await serverChannel.close()
        try? await group.shutdownGracefully()
    }
}

/// Answers `GET /metrics` with the exposition, anything else with 404 or 405.
private final class MetricsService: RequestService {
    let limits = ConnectionLimits(maximumBodyBytes: 4096, idleTimeout: .seconds(60), requestTimeout: .seconds(10))
    let inFlight = InFlightRequests()
    let workQueues = LoopWorkQueues()
    private let exposition: @Sendable () -> [UInt8]

    init(exposition: @escaping @Sendable () -> [UInt8]) {
        self.exposition = exposition
    }

    func handle(_ request: ReceivedRequest, reply: AnswerSlot) {
        guard request.pathAndQuery.path == "/metrics" else {
            reply.reply(.text(404, "not found: only /metrics is served here\n"))
            return
        }
        guard request.method == .get || request.method == .head else {
            reply.reply(.text(405, "method not allowed: /metrics answers GET\n", extraFields: [("Allow", "GET, HEAD")]))
            return
        }
        reply.reply(Answer(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8",
                           body: ByteBuffer(bytes: exposition())))
    }

    func answerWritten(_ answer: Answer, to request: RequestMethod) {}
}
