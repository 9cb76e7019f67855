import NIOCore
import NIOHTTP1
import NIOPosix

/// The listener the recorder and the sink share: HTTP/1.1 on swift-nio's
/// codecs (each connection's requests answered in order by the handler, so no
/// pipelining assistance), Nagle off, and a deep accept backlog for bursts of
/// new connections.
func makeHTTPServerBootstrap(group: any EventLoopGroup,
                             handler: @escaping @Sendable () -> any ChannelHandler) -> ServerBootstrap {
    ServerBootstrap(group: group)
        .serverChannelOption(.backlog, value: 1024)
        .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
        .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
        .childChannelInitializer { channel in
            channel.eventLoop.makeCompletedFuture {
                let pipeline = channel.pipeline.syncOperations
                try pipeline.configureHTTPServerPipeline(withPipeliningAssistance: false, withErrorHandling: true)
                try pipeline.addHandler(handler())
            }
        }
}
