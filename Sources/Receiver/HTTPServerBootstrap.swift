import NIOCore
import NIOHTTP1
import NIOPosix

/// The listener the recorder and the sink share: HTTP/1.1 on swift-nio's
/// codecs (each connection's requests answered in order by the handler, so no
/// pipelining assistance, and unparsable requests answered by the handler too:
/// see `isUnparsableRequest`), Nagle off, and a deep accept backlog for
/// bursts of new connections.
func makeHTTPServerBootstrap(group: any EventLoopGroup,
                             handler: @escaping @Sendable () -> any ChannelHandler) -> ServerBootstrap {
    ServerBootstrap(group: group)
        .serverChannelOption(.backlog, value: 1024)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                let pipeline = channel.pipeline.syncOperations
                try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: false)
                try pipeline.addHandler(handler())
            }
        }
}

/// Whether `error` means the connection's bytes are not HTTP NIO can parse
/// (the decoder stays in error after the first one, so later bytes raise
/// `ByteToMessageDecoderError`s).
///
/// The recorder and the sink answer such a request themselves, with 400 and a
/// close, once the answers owed to earlier requests are written (a 400 must
/// not overtake them). NIOHTTP1's `HTTPServerProtocolErrorHandler` would do it,
/// but it sits in every read and every write: without it a bare server
/// answered 7%-14% more requests/s (docs/benchmarks.md).
func isUnparsableRequest(_ error: any Error) -> Bool {
    error is HTTPParserError || error is ByteToMessageDecoderError
}

/// Answers 400 and closes the connection.
func answerBadRequestAndClose(context: ChannelHandlerContext) {
    let head = HTTPResponseHead(version: .http1_1, status: .badRequest,
                                headers: ["Content-Length": "0", "Connection": "close"])
    context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
    let channel = context.channel
    context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil))).whenComplete { _ in channel.close(promise: nil) }
}
