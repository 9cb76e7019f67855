import NIOCore
import NIOHTTP1
import NIOPosix

/// The listener the recorder and the sink share: HTTP/1.1 on swift-nio's
/// codecs (each connection's requests answered in order by the handler, so no
/// pipelining assistance, and unparsable requests answered by the handler too:
/// see `rejectUnparsableRequest`), Nagle off, and a deep accept backlog for
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

/// What NIOHTTP1's `HTTPServerProtocolErrorHandler` does, done by the handler
/// that owns the connection's answers: a request NIO cannot parse gets 400 and
/// the connection is closed. That handler sits in every read and every write;
/// without it a bare server answered 7%-14% more requests/s
/// (docs/benchmarks.md). When earlier requests still wait for their answers, a
/// 400 would overtake them, so the connection just closes. Any other error
/// closes the connection too.
func rejectUnparsableRequest(context: ChannelHandlerContext, error: any Error, answersPending: Bool) {
    if error is HTTPParserError, !answersPending {
        let head = HTTPResponseHead(version: .http1_1, status: .badRequest,
                                    headers: ["Content-Length": "0", "Connection": "close"])
        context.write(NIOAny(HTTPServerResponsePart.head(head)), promise: nil)
        context.writeAndFlush(NIOAny(HTTPServerResponsePart.end(nil)), promise: nil)
    }
    context.close(promise: nil)
}
