import NIOCore
import NIOEmbedded
import NIOHTTP1

/// One message as NIOHTTP1 decoded it, in the shape the differential tests compare.
struct OracleMessage: Equatable, CustomStringConvertible {
    var method: String  // the status code's digits, for a response
    var target: String  // empty for a response
    var version: String
    var headers: [Field]
    var body: [UInt8]
    var keepAlive: Bool

    struct Field: Equatable {
        var name: String
        var value: String
    }

    var description: String {
        "\(method) \(target) \(version) \(headers.map { "\($0.name): \($0.value)" }) body:\(body.count) keepAlive:\(keepAlive)"
    }
}

/// What NIOHTTP1 made of one input followed by the end of the connection.
struct OracleOutcome: Equatable {
    enum Ending: Equatable {
        /// Every byte was read, and the input ended between messages.
        case accepted
        /// The decoder refused the input after `messages`.
        case rejected(String)
    }

    var messages: [OracleMessage] = []
    var ending: Ending = .accepted
}

/// Feeds inputs to NIOHTTP1's decoders, `ByteToMessageHandler(HTTPRequestDecoder)`
/// and `HTTPResponseDecoder`, as a channel does: each input gets a fresh decoder
/// in an `EmbeddedChannel`, then the end of input (`ChannelEvent.inputClosed`,
/// which makes the decoder finish as a closed connection does).
///
/// The cheapest honest way measured in a debug build: a new channel per input
/// cost 40 µs, adding and removing the decoder 20 µs; here each input's decoder
/// and a collector for its output go in front of the last input's, which never
/// hears from the channel again, and a channel serves 256 inputs.
final class NIOOracle {
    private static let inputsPerChannel = 256
    private var channel = EmbeddedChannel()
    private var inputsInChannel = 0

    func parseRequests(_ input: [UInt8]) -> OracleOutcome {
        parse(input, decoder: HTTPRequestDecoder(leftOverBytesStrategy: .forwardBytes)) { head in
            OracleMessage(method: head.method.rawValue, target: head.uri, version: "\(head.version)",
                          headers: head.headers.map { .init(name: $0.name, value: $0.value) }, body: [], keepAlive: head.isKeepAlive)
        }
    }

    private static let post = HTTPClientRequestPart.head(HTTPRequestHead(version: .http1_1, method: .POST, uri: "/"))

    /// Reads `input` as the answers to `requests` POSTs.
    func parseResponses(_ input: [UInt8], requests: Int = 8) -> OracleOutcome {
        let decoder = HTTPResponseDecoder(leftOverBytesStrategy: .forwardBytes)
        // What the decoder would see of the requests written through its handler.
        for _ in 0..<requests { decoder.write(data: Self.post) }
        return parse(input, decoder: decoder) { head in
            OracleMessage(method: String(head.status.code), target: "", version: "\(head.version)",
                          headers: head.headers.map { .init(name: $0.name, value: $0.value) }, body: [], keepAlive: head.isKeepAlive)
        }
    }

    /// Feeds `input` to `decoder` and collects its messages; `message` turns a head into one.
    private func parse<Head>(_ input: [UInt8], decoder: HTTPDecoder<HTTPPart<Head, ByteBuffer>, some Any>,
                             message: (Head) -> OracleMessage) -> OracleOutcome {
        typealias Part = HTTPPart<Head, ByteBuffer>
        if inputsInChannel == Self.inputsPerChannel {
            _ = try? channel.finish()
            channel = EmbeddedChannel()
            inputsInChannel = 0
        }
        inputsInChannel += 1
        let collector = Collector<Part>()
        try! channel.pipeline.syncOperations.addHandlers([ByteToMessageHandler(decoder), collector], position: .first)
        channel.pipeline.fireChannelRead(channel.allocator.buffer(bytes: input))
        channel.pipeline.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        var outcome = OracleOutcome()
        var current: OracleMessage?
        for part in collector.parts {
            switch part {
            case .head(let head): current = message(head)
            case .body(let buffer): current?.body += buffer.readableBytesView
            case .end:
                if let message = current { outcome.messages.append(message) }
                current = nil
            }
        }
        if let error = collector.error { outcome.ending = .rejected("\(error)") }
        return outcome
    }
}

/// Takes what one decoder passes on, and passes nothing further: the decoders of
/// earlier inputs behind it hear nothing.
private final class Collector<Part>: ChannelInboundHandler {
    typealias InboundIn = Part

    var parts: [Part] = []
    var error: (any Error)?

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        parts.append(unwrapInboundIn(data))
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if self.error == nil { self.error = error }
    }

    func channelReadComplete(context: ChannelHandlerContext) {}
    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {}
    func channelInactive(context: ChannelHandlerContext) {}
}
