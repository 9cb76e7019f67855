import HTTPWire
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@Suite struct RequestHeadEncoderTests {
    private let encoder = try! RequestHeadEncoder(
        target: "/hooks/orchestrator?tenant=acme", host: "receiver.local:8443",
        fields: [("Content-Type", "application/json; charset=utf-8"), ("User-Agent", "UiPath-WebhookService/Webhooks")],
        signatureName: "X-UiPath-Signature")

    /// What NIOHTTP1's decoder reads from the encoder's head followed by `body`.
    private func decoded(head: [UInt8], body: [UInt8]) throws -> (HTTPRequestHead, [UInt8]) {
        let channel = EmbeddedChannel(handler: ByteToMessageHandler(HTTPRequestDecoder()))
        try channel.writeInbound(channel.allocator.buffer(bytes: head + body))
        guard case .head(let request) = try channel.readInbound(as: HTTPServerRequestPart.self) else { throw ChannelError.badInterfaceAddressFamily }
        var received: [UInt8] = []
        while case .body(let buffer) = try channel.readInbound(as: HTTPServerRequestPart.self) { received += buffer.readableBytesView }
        _ = try channel.finish()
        return (request, received)
    }

    @Test(arguments: [0, 1, 9, 10, 1_400, 1_048_576])
    func nioReadsTheRequest(bodyLength: Int) throws {
        let body = (0..<bodyLength).map { UInt8(truncatingIfNeeded: $0 % 251) }
        var head: [UInt8] = []
        try encoder.encodeHead(contentLength: body.count, signature: "sha256=c2lnbmF0dXJl", into: &head)
        #expect(head.count == encoder.headSize(contentLength: body.count, signatureLength: 19))
        let (request, received) = try decoded(head: head, body: body)
        #expect(request.method == .POST)
        #expect(request.uri == "/hooks/orchestrator?tenant=acme")
        #expect(request.version == .http1_1)
        #expect(request.headers.map { "\($0.name): \($0.value)" } == [
            "Host: receiver.local:8443", "Content-Type: application/json; charset=utf-8",
            "User-Agent: UiPath-WebhookService/Webhooks", "content-length: \(bodyLength)",
            "X-UiPath-Signature: sha256=c2lnbmF0dXJl",
        ])
        #expect(received == body)
    }

    @Test func theHeadIsRenderedOnceAndReused() throws {
        var first: [UInt8] = [], second: [UInt8] = []
        try encoder.encodeHead(contentLength: 5, into: &first)
        try encoder.encodeHead(contentLength: 50, into: &second)
        #expect(first.starts(with: encoder.prefix) && second.starts(with: encoder.prefix))
        #expect(String(decoding: first[encoder.prefix.count...], as: UTF8.self) == "5\r\n\r\n")
        #expect(String(decoding: second[encoder.prefix.count...], as: UTF8.self) == "50\r\n\r\n")
    }

    @Test func refusesWhatCannotBeSentAsGiven() {
        #expect(throws: HTTPWireError(.invalidTarget, at: 0)) { try RequestHeadEncoder(target: "hooks", host: "x") }
        #expect(throws: HTTPWireError(.invalidTarget, at: 2)) { try RequestHeadEncoder(target: "/a b", host: "x") }
        #expect(throws: HTTPWireError(.invalidFieldValue, at: 1)) { try RequestHeadEncoder(target: "/", host: "x\r\nEvil: 1") }
        #expect(throws: HTTPWireError(.invalidFieldName, at: 1)) { try RequestHeadEncoder(target: "/", host: "x", fields: [("X A", "v")]) }
        #expect(throws: HTTPWireError(.invalidFieldValue, at: 1)) { try RequestHeadEncoder(target: "/", host: "x", fields: [("X", "a\nb")]) }
        #expect(throws: HTTPWireError(.reservedField, at: 0)) { try RequestHeadEncoder(target: "/", host: "x", fields: [("Content-Length", "1")]) }
        #expect(throws: HTTPWireError(.reservedField, at: 0)) {
            try RequestHeadEncoder(target: "/", host: "x", fields: [("x-uipath-signature", "1")], signatureName: "X-UiPath-Signature")
        }
        var head: [UInt8] = []
        #expect(throws: HTTPWireError(.invalidFieldValue, at: 3)) { try encoder.encodeHead(contentLength: 0, signature: "abc\r\n", into: &head) }
        #expect(head.isEmpty)
    }
}
