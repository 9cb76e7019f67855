import Delivery
import NIOCore
import NIOPosix
import Synchronization
import Testing

/// What real receivers answer, byte for byte, and what the client makes of
/// it: every framing HTTP/1.1 allows is read, anything else is a `protocol`
/// failure, never a crash or a hang.
@Suite struct ResponseShapesTests {
    /// A server on 127.0.0.1 that answers the first request of each connection
    /// with `answer` once its blank line arrived, then closes when `closes`.
    private final class ScriptedServer: ChannelInboundHandler, Sendable {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        let answer: [UInt8]
        let closes: Bool

        init(answer: String, closes: Bool) {
            self.answer = Array(answer.utf8)
            self.closes = closes
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            // The client's requests are small: one read holds the whole head and body.
            let written = context.writeAndFlush(wrapOutboundOut(context.channel.allocator.buffer(bytes: answer)))
            if closes {
                let channel = context.channel
                written.whenComplete { _ in channel.close(promise: nil) }
            }
        }
    }

    /// - Parameter responseBodyLimit: nil: the client keeps statuses only (replay); else answers too (pass-through).
    private func outcome(of answer: String, closes: Bool = false, responseBodyLimit: Int? = nil) async throws -> DeliveryOutcome {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let server = ScriptedServer(answer: answer, closes: closes)
        let channel = try await ServerBootstrap(group: group)
            .childChannelInitializer { child in
                child.eventLoop.makeCompletedFuture { try child.pipeline.syncOperations.addHandler(server) }
            }
            .bind(host: "127.0.0.1", port: 0).get()
        let target = try DeliveryTarget(url: "http://127.0.0.1:\(channel.localAddress!.port!)/hooks")
        let client = DeliveryClient(target: target, loops: [group.next()], connections: 1, timeout: .seconds(3),
                                    responseBodyLimit: responseBodyLimit)
        let request = try DeliveryRequestEncoder(target: target, fields: [], signatureName: nil).encode(body: Array("{}".utf8))
        let outcome = await withCheckedContinuation { continuation in
            client.loops[0].execute { client.send(request, onLoop: 0) { continuation.resume(returning: $0) } }
        }
        await client.shutdown()
        try await channel.close()
        try await group.shutdownGracefully()
        return outcome
    }

    @Test(arguments: [
        ("a length", "HTTP/1.1 202 Accepted\r\nContent-Length: 2\r\n\r\nok", false, 202, 2),
        ("no body", "HTTP/1.1 204 No Content\r\n\r\n", false, 204, 0),
        ("chunked", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", false, 200, 5),
        ("interim answers first", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 103 Early Hints\r\nLink: </a>\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 0\r\n\r\n",
         false, 201, 0),
        ("closed to end the body", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end", true, 200, 13),
        ("HTTP/1.0", "HTTP/1.0 500 Internal Server Error\r\nContent-Length: 1\r\n\r\nx", true, 500, 1),
    ] as [(String, String, Bool, Int, Int)])
    func framingsReceiversUseAreRead(name: String, answer: String, closes: Bool, status: Int, bodyBytes: Int) async throws {
        let outcome = try await outcome(of: answer, closes: closes)
        #expect(outcome.result == .success(status), "\(name)")
        #expect(outcome.bytesReceived == bodyBytes, "\(name)")
        #expect(outcome.answer == nil, "replay's client keeps no bodies")
    }

    /// Pass-through keeps what the receiver said, in every framing.
    @Test(arguments: [
        ("a length", "HTTP/1.1 409 Conflict\r\nContent-Type: application/json\r\nContent-Length: 9\r\n\r\n{\"a\":\"b\"}", false,
         "application/json", "{\"a\":\"b\"}"),
        ("no body", "HTTP/1.1 204 No Content\r\n\r\n", false, nil, ""),
        ("chunked", "HTTP/1.1 200 OK\r\ncontent-type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n",
         false, "text/plain", "abcde"),
        ("interim answers first", "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok", false, nil, "ok"),
        ("closed to end the body", "HTTP/1.1 200 OK\r\nConnection: close\r\n\r\nuntil the end", true, nil, "until the end"),
    ] as [(String, String, Bool, String?, String)])
    func aClientKeepingAnswersKeepsTheirTypeAndBody(name: String, answer: String, closes: Bool, contentType: String?,
                                                   body: String) async throws {
        let outcome = try await outcome(of: answer, closes: closes, responseBodyLimit: 1024)
        let kept = try #require(outcome.answer, "\(name)")
        #expect(kept.contentType == contentType, "\(name)")
        #expect(String(buffer: kept.body) == body, "\(name)")
    }

    @Test func aBodyOverTheLimitFailsTheRequest() async throws {
        let overTheLimit = try await outcome(of: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", responseBodyLimit: 9)
        #expect(overTheLimit.result == .failure(.other("response body larger than 9 bytes")))
        #expect(overTheLimit.answer == nil)
        let atTheLimit = try await outcome(of: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n0123456789", responseBodyLimit: 10)
        #expect(atTheLimit.answer.map { String(buffer: $0.body) } == "0123456789")
    }

    @Test(arguments: [
        ("not HTTP", "SSH-2.0-OpenSSH_9.2\r\n"),
        ("two lengths", "HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
        ("length and chunked", "HTTP/1.1 200 OK\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("a bad chunk size", "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n"),
        ("obsolete folding", "HTTP/1.1 200 OK\r\nX-A: 1\r\n folded\r\nContent-Length: 0\r\n\r\n"),
    ])
    func anythingElseIsAProtocolFailure(name: String, answer: String) async throws {
        let outcome = try await outcome(of: answer)
        guard case .failure(.protocolViolation(let reason)) = outcome.result else {
            Issue.record("\(name): \(outcome.result)")
            return
        }
        #expect(!reason.isEmpty)
    }

    @Test func anAnswerCutShortIsAReset() async throws {
        let outcome = try await outcome(of: "HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\nabc", closes: true)
        #expect(outcome.result == .failure(.reset))
    }
}
