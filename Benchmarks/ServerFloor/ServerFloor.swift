// Floors for the recorder benchmark (docs/benchmarks.md): how fast a swift-nio
// server can answer wrk's POSTs on this machine when it does nothing else.
//
//   server-floor PORT THREADS http   NIOHTTP1's server pipeline as the recorder
//                                    sets it up, and a handler that collects
//                                    the body and answers 202
//   server-floor PORT THREADS raw    no HTTP handlers at all: the bytes are
//                                    scanned for each request's end and a
//                                    fixed 202 is written back
//
// It serves 127.0.0.1:PORT until SIGTERM or SIGINT. The raw floor frames
// requests only as far as wrk's requests need (a Content-Length body, no
// chunking): a measuring probe, not an HTTP server.
import Dispatch
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

@main
struct ServerFloor {
    static func main() throws {
        let arguments = CommandLine.arguments
        guard arguments.count == 4, let port = Int(arguments[1]), let threads = Int(arguments[2]),
              ["http", "raw"].contains(arguments[3]) else {
            FileHandle.standardError.write(Data("usage: server-floor PORT THREADS http|raw\n".utf8))
            exit(64)
        }
        let isRaw = arguments[3] == "raw"
        let group = MultiThreadedEventLoopGroup(numberOfThreads: threads)
        let channel = try ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 1024)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.tcpOption(.tcp_nodelay), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    if isRaw {
                        try channel.pipeline.syncOperations.addHandler(RawAnswerHandler())
                    } else {
                        // As the recorder's listener does (HTTPServerBootstrap.swift).
                        try channel.pipeline.syncOperations.configureHTTPServerPipeline(
                            withPipeliningAssistance: false, withErrorHandling: false)
                        try channel.pipeline.syncOperations.addHandler(HTTPAnswerHandler())
                    }
                }
            }
            .bind(host: "127.0.0.1", port: port).wait()

        signal(SIGTERM, SIG_IGN)
        signal(SIGINT, SIG_IGN)
        let stop = DispatchSemaphore(value: 0)
        let sources = [SIGTERM, SIGINT].map { signalNumber in
            let source = DispatchSource.makeSignalSource(signal: signalNumber)
            source.setEventHandler { @Sendable in stop.signal() }
            source.resume()
            return source
        }
        stop.wait()
        sources.forEach { $0.cancel() }
        try channel.close().wait()
        try group.syncShutdownGracefully()
    }
}

/// Collects each request's body and answers 202 with no body.
private final class HTTPAnswerHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart

    private var body = ByteBuffer()
    private let headers: HTTPHeaders = ["Content-Length": "0"]

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head:
            body.clear()
        case .body(var chunk):
            body.writeBuffer(&chunk)
        case .end:
            let head = HTTPResponseHead(version: .http1_1, status: .accepted, headers: headers)
            context.write(wrapOutboundOut(.head(head)), promise: nil)
            context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        }
    }
}

/// Counts requests in the byte stream (head up to the blank line, then
/// Content-Length bytes) and writes a fixed answer per request.
private final class RawAnswerHandler: ChannelInboundHandler {
    typealias InboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private static let answer = Array("HTTP/1.1 202 Accepted\r\ncontent-length: 0\r\n\r\n".utf8)
    private static let contentLength = Array("content-length:".utf8)
    /// The start of a head split across reads.
    private var pending: [UInt8] = []
    private var bodyBytesToSkip = 0
    private var answers = 0

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let buffer = unwrapInboundIn(data)
        if pending.isEmpty {
            buffer.withUnsafeReadableBytes { consume($0) }
        } else {
            let joined = pending + buffer.readableBytesView
            pending.removeAll(keepingCapacity: true)
            joined.withUnsafeBytes { consume($0) }
        }
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        guard answers > 0 else { return }
        var out = context.channel.allocator.buffer(capacity: Self.answer.count * answers)
        for _ in 0..<answers { out.writeBytes(Self.answer) }
        answers = 0
        context.writeAndFlush(wrapOutboundOut(out), promise: nil)
    }

    private func consume(_ bytes: UnsafeRawBufferPointer) {
        var index = 0
        while index < bytes.count {
            if bodyBytesToSkip > 0 {
                let skipped = min(bodyBytesToSkip, bytes.count - index)
                bodyBytesToSkip -= skipped
                index += skipped
                if bodyBytesToSkip == 0 { answers += 1 }
                continue
            }
            guard let end = Self.endOfHead(in: bytes, from: index) else {
                pending.append(contentsOf: bytes[index...])
                return
            }
            bodyBytesToSkip = Self.declaredLength(in: UnsafeRawBufferPointer(rebasing: bytes[index..<end]))
            if bodyBytesToSkip == 0 { answers += 1 }
            index = end
        }
    }

    /// The index just past the first CR LF CR LF at or after `start`.
    private static func endOfHead(in bytes: UnsafeRawBufferPointer, from start: Int) -> Int? {
        var index = start
        while index + 3 < bytes.count {
            if bytes[index + 3] == 10, bytes[index] == 13, bytes[index + 1] == 10, bytes[index + 2] == 13 { return index + 4 }
            index += 1
        }
        return nil
    }

    /// The Content-Length value in a request head (0 when absent).
    private static func declaredLength(in head: UnsafeRawBufferPointer) -> Int {
        let name = contentLength
        guard head.count > name.count else { return 0 }
        for start in 0..<(head.count - name.count) {
            guard (0..<name.count).allSatisfy({ head[start + $0] | 0x20 == name[$0] }) else { continue }
            var value = 0
            var index = start + name.count
            while index < head.count, head[index] == 32 { index += 1 }
            while index < head.count, (48...57).contains(head[index]) {
                value = value * 10 + Int(head[index] - 48)
                index += 1
            }
            return value
        }
        return 0
    }
}
