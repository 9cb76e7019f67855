// Delivery clients at max rate against one target, in the same run: the
// measurement behind Delivery's choice of swift-nio's HTTP/1 codecs over
// AsyncHTTPClient for replay (docs/benchmarks.md), and a floor: raw NIO
// channels with no HTTP handlers at all, which bounds what any client built on
// swift-nio can reach here. Release build:
//   swift run -c release delivery-bench http://127.0.0.1:18080/ 10 64 scripts/bench/job-completed.json
import AsyncHTTPClient
import Delivery
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Synchronization

@main
struct DeliveryBench {
    static func main() async throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 5, let seconds = Double(arguments[2]), let concurrency = Int(arguments[3]),
              let body = FileManager.default.contents(atPath: arguments[4])
        else {
            print("usage: delivery-bench URL SECONDS CONCURRENCY BODY_FILE")
            return
        }
        let target = try DeliveryTarget(url: arguments[1])
        guard !target.isSecure else {
            // The floor writes plain TCP; comparing clients over TLS would measure TLS.
            print("delivery-bench: URL must be http:// (got \(target))")
            return
        }
        let asyncHTTPClient = try await measureAsyncHTTPClient(target: target, seconds: seconds, concurrency: concurrency, body: Array(body))
        let deliveryClient = try await measureDeliveryClient(target: target, seconds: seconds, concurrency: concurrency, body: Array(body))
        let floor = try await measureNIOFloor(target: target, seconds: seconds, concurrency: concurrency, body: Array(body))
        print("AsyncHTTPClient \(Int(asyncHTTPClient)) req/s")
        print("DeliveryClient  \(Int(deliveryClient)) req/s  (\(String(format: "%.2f", deliveryClient / asyncHTTPClient))x)")
        print("NIO floor       \(Int(floor)) req/s  (raw channels, pre-encoded requests, no HTTP handlers)")
    }

    /// `concurrency` tasks, each sending its next POST when the last is answered.
    static func measureAsyncHTTPClient(target: DeliveryTarget, seconds: Double, concurrency: Int, body: [UInt8]) async throws -> Double {
        var configuration = HTTPClient.Configuration()
        configuration.httpVersion = .http1Only
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: concurrency)
        let client = HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
        let deadline = ContinuousClock.now + .seconds(seconds)
        let count = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<concurrency {
                group.addTask {
                    var sent = 0
                    while ContinuousClock.now < deadline {
                        var request = HTTPClientRequest(url: target.description)
                        request.method = .POST
                        request.headers.add(name: "Content-Type", value: "application/json; charset=utf-8")
                        request.body = .bytes(body)
                        let response = try await client.execute(request, timeout: .seconds(10))
                        _ = try await response.body.collect(upTo: 1 << 20)
                        sent += 1
                    }
                    return sent
                }
            }
            return try await group.reduce(0, +)
        }
        try await client.shutdown()
        return Double(count) / seconds
    }

    /// `concurrency` workers on the event loops, each sending its next POST
    /// from the completion of the last, as `replay --rate max` does.
    static func measureDeliveryClient(target: DeliveryTarget, seconds: Double, concurrency: Int, body: [UInt8]) async throws -> Double {
        let loops = Array(MultiThreadedEventLoopGroup.singleton.makeIterator())
        let client = DeliveryClient(target: target, loops: loops, connections: concurrency, timeout: .seconds(10))
        let request = try DeliveryRequestEncoder(target: target, fields: [("Content-Type", "application/json; charset=utf-8")],
                                                 signatureName: nil).encode(body: body)
        let completed = Atomic<Int>(0)
        let deadline = NIODeadline.now() + .nanoseconds(Int64(seconds * 1e9))
        let finished = Mutex<Int>(0)
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            @Sendable func work(_ index: Int) {
                guard NIODeadline.now() < deadline else {
                    let done = finished.withLock { count -> Bool in
                        count += 1
                        return count == concurrency
                    }
                    if done { continuation.resume() }
                    return
                }
                client.send(request, onLoop: index) { _ in
                    completed.add(1, ordering: .relaxed)
                    work(index)
                }
            }
            for worker in 0..<concurrency {
                let index = worker % loops.count
                loops[index].execute { work(index) }
            }
        }
        await client.shutdown()
        return Double(completed.load(ordering: .relaxed)) / seconds
    }

    /// The most a swift-nio client can do here: `concurrency` connections on
    /// the event loops, each writing one pre-encoded POST and waiting for the
    /// blank line that ends a body-less answer (enough for `return 204`; not a
    /// general HTTP client), then the next.
    static func measureNIOFloor(target: DeliveryTarget, seconds: Double, concurrency: Int, body: [UInt8]) async throws -> Double {
        var head = "POST \(target.pathAndQuery) HTTP/1.1\r\nHost: \(target.authority)\r\n"
        head += "Content-Type: application/json; charset=utf-8\r\nContent-Length: \(body.count)\r\n\r\n"
        let request = ByteBuffer(bytes: Array(head.utf8) + body)
        let completed = AnswerCount()
        let deadline = NIODeadline.now() + .nanoseconds(Int64(seconds * 1e9))
        // nginx closes a keep-alive connection after 1,000 requests (as it
        // does for wrk and DeliveryClient): each worker then connects again.
        @Sendable func connect() {
            guard NIODeadline.now() < deadline else { return }
            ClientBootstrap(group: MultiThreadedEventLoopGroup.singleton)
                .channelOption(.tcpOption(.tcp_nodelay), value: 1)
                .channelInitializer { channel in
                    channel.pipeline.addHandler(FloorHandler(request: request, deadline: deadline, completed: completed,
                                                             reconnect: connect))
                }
                .connect(host: target.host, port: target.port)
                .whenSuccess { channel in channel.writeAndFlush(request, promise: nil) }
        }
        for _ in 0..<concurrency { connect() }
        try await Task.sleep(for: .seconds(seconds + 0.5))
        return Double(completed.value.load(ordering: .relaxed)) / seconds
    }
}

private final class AnswerCount: Sendable {
    let value = Atomic<Int>(0)
}

/// Counts answers by the `\r\n\r\n` that ends each, and sends the next request.
private final class FloorHandler: ChannelInboundHandler, @unchecked Sendable {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer
    private let request: ByteBuffer
    private let deadline: NIODeadline
    private let completed: AnswerCount
    private let reconnect: @Sendable () -> Void
    /// How much of `\r\n\r\n` the bytes so far end with.
    private var matched = 0

    init(request: ByteBuffer, deadline: NIODeadline, completed: AnswerCount, reconnect: @escaping @Sendable () -> Void) {
        self.request = request
        self.deadline = deadline
        self.completed = completed
        self.reconnect = reconnect
    }

    func channelInactive(context: ChannelHandlerContext) {
        reconnect()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        let terminator: [UInt8] = [13, 10, 13, 10]
        var answers = 0
        buffer.withUnsafeReadableBytes { bytes in
            for byte in bytes {
                matched = byte == terminator[matched] ? matched + 1 : (byte == 13 ? 1 : 0)
                if matched == 4 {
                    answers += 1
                    matched = 0
                }
            }
        }
        if NIODeadline.now() < deadline {
            for _ in 0..<answers { context.writeAndFlush(wrapOutboundOut(request), promise: nil) }
        } else {
            context.close(promise: nil)
        }
        completed.value.add(answers, ordering: .relaxed)
    }
}
