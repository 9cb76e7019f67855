import HTTPWire
import NIOCore

/// Passes a captured request on to the real receiver and brings back its
/// answer: the recorder's pass-through mode. It sends on the event loop the
/// request came in on, over a `DeliveryClient` sharing the server's loops, so
/// a forward crosses no thread: a pass-through adds little to the receiver's
/// own latency (docs/benchmarks.md). Call `shutdown()` when done.
public final class Forwarder: Sendable {
    /// What the real receiver answered.
    public struct Response: Sendable {
        public var status: Int
        public var contentType: String?
        public var body: ByteBuffer
        /// From handing the request over to receiving the whole response.
        public var elapsed: Duration
    }

    /// Why the receiver gave no answer.
    public struct Failure: Error, Sendable, CustomStringConvertible {
        public var target: String
        public var reason: DeliveryFailure
        public var description: String { "forwarding to \(target) failed: \(reason)" }
    }

    /// The largest response body passed back to the caller.
    public static let maximumResponseBytes = 16 << 20

    public let target: DeliveryTarget
    private let client: DeliveryClient
    private let encoder: PassThroughHeadEncoder

    /// - Parameters:
    ///   - target: where requests go; each request's target is appended to its path.
    ///   - loops: the loops `forward` is called on (the server's).
    ///   - tls: for an https target; required for one.
    public init(target: DeliveryTarget, loops: [any EventLoop], timeout: Duration, maximumConnections: Int,
                tls: DeliveryTLS?) throws(ForwarderError) {
        let path = String(target.pathAndQuery.prefix { $0 != "?" })
        guard path.count == target.pathAndQuery.count else {
            throw ForwarderError(description: "\(target): a pass-through URL cannot have a query (each request brings its own)")
        }
        do {
            encoder = try PassThroughHeadEncoder(pathPrefix: path, host: target.authority)
        } catch {
            throw ForwarderError(description: "\(target): \(error)")
        }
        self.target = target
        client = DeliveryClient(target: target, loops: loops, connections: max(maximumConnections, loops.count), timeout: timeout,
                                tls: tls, responseBodyLimit: Self.maximumResponseBytes)
    }

    /// Sends `request` with its exact `body` bytes, from `loop` (the one the
    /// caller runs on, one of the server's); `completion` runs there.
    public func forward(_ request: RequestHead, body: ByteBuffer, on loop: any EventLoop,
                        completion: @escaping (Result<Response, Failure>) -> Void) {
        var head: [UInt8] = []
        encoder.encodeHead(of: request, contentLength: body.readableBytes, into: &head)
        var bytes = ByteBuffer()
        bytes.reserveCapacity(head.count + body.readableBytes)
        bytes.writeBytes(head)
        bytes.writeImmutableBuffer(body)
        let start = NIODeadline.now()
        let target = target.description
        client.send(DeliveryRequest(encoded: bytes), on: loop) { outcome in
            switch outcome.result {
            case .success(let status):
                let answer = outcome.answer
                completion(.success(Response(status: status, contentType: answer?.contentType, body: answer?.body ?? ByteBuffer(),
                                             elapsed: .nanoseconds((outcome.completedAt - start).nanoseconds))))
            case .failure(let failure):
                completion(.failure(Failure(target: target, reason: failure)))
            }
        }
    }

    /// Closes every connection; forwards still in flight fail.
    public func shutdown() async {
        await client.shutdown()
    }
}

public struct ForwarderError: Error, Sendable, Equatable, CustomStringConvertible {
    public let description: String
}
