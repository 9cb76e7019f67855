import HTTPWire
import Testing

/// The recorder's pass-through re-sends a request it parsed: the head it
/// writes must be read by NIOHTTP1 as the same request, re-addressed, with
/// the connection's own fields left out.
@Suite struct PassThroughHeadEncoderTests {
    private let oracle = NIOOracle()

    /// The request re-encoded by `encoder` with its body, as NIOHTTP1 reads it.
    private func forwarded(_ request: (head: RequestHead, body: [UInt8]), by encoder: PassThroughHeadEncoder) throws -> OracleMessage {
        var bytes: [UInt8] = []
        encoder.encodeHead(of: request.head, contentLength: request.body.count, into: &bytes)
        let outcome = oracle.parseRequests(bytes + request.body)
        #expect(outcome.ending == .accepted)
        #expect(Wire.parseRequests(bytes + request.body).messages == outcome.messages, "HTTPWire reads it as NIOHTTP1 does")
        return try #require(outcome.messages.first)
    }

    @Test func theRequestIsReAddressedWithoutItsConnectionFields() throws {
        let text = "POST /hooks/a?x=1 HTTP/1.1\r\nHost: recorder:8080\r\nConnection: keep-alive, X-Hop\r\nX-Hop: 1\r\n"
            + "Content-Type: application/json\r\nX-UiPath-Signature: c2ln\r\nKeep-Alive: timeout=5\r\nExpect: 100-continue\r\n"
            + "TE: trailers\r\nx-tag: one\r\nX-Tag: two\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"
        let request = try #require(try parsedRequests(text).first)
        let message = try forwarded(request, by: try PassThroughHeadEncoder(pathPrefix: "/base/", host: "receiver.local:8443"))
        #expect(message.method == "POST")
        #expect(message.target == "/base/hooks/a?x=1")
        #expect(message.version == "HTTP/1.1")
        #expect(message.headers.map { "\($0.name): \($0.value)" } == [
            "Host: receiver.local:8443", "Content-Type: application/json", "X-UiPath-Signature: c2ln", "x-tag: one", "X-Tag: two",
            "content-length: 2",
        ])
        #expect(message.body == Array("{}".utf8))
        #expect(message.keepAlive)
    }

    @Test(arguments: ["", "/", "/base", "/base/"])
    func thePrefixJoinsTheTargetWithOneSlash(prefix: String) throws {
        let request = try #require(try parsedRequests("POST /x?y HTTP/1.1\r\nHost: r\r\nContent-Length: 0\r\n\r\n").first)
        let message = try forwarded(request, by: try PassThroughHeadEncoder(pathPrefix: prefix, host: "h"))
        #expect(message.target == (prefix.hasPrefix("/base") ? "/base/x?y" : "/x?y"))
    }

    /// Every well-formed request of the corpus comes out as the same request
    /// to NIOHTTP1: method, target, body, and its fields minus the dropped ones.
    @Test func everyWellFormedRequestSurvivesTheTrip() throws {
        let encoder = try PassThroughHeadEncoder(pathPrefix: "", host: "h")
        let dropped: Set<String> = ["connection", "keep-alive", "te", "trailer", "transfer-encoding", "upgrade", "host", "content-length",
                                    "expect", "proxy-connection"]
        var checked = 0
        for text in Corpus.wellFormedRequests {
            let originals = oracle.parseRequests(Array(text.utf8)).messages
            let requests = try parsedRequests(text)
            #expect(originals.count == requests.count, "\(text)")
            for (original, request) in zip(originals, requests) {
                let message = try forwarded(request, by: encoder)
                #expect(message.method == original.method)
                #expect(message.target == original.target)
                #expect(message.body == original.body)
                let named = Set(original.headers.filter { $0.name.lowercased() == "connection" }.flatMap { field in
                    field.value.split(separator: ",").map { $0.filter { $0 != " " && $0 != "\t" }.lowercased() }
                })
                let kept = original.headers.filter { !dropped.contains($0.name.lowercased()) && !named.contains($0.name.lowercased()) }
                #expect(Array(message.headers.dropFirst().dropLast()) == kept, "\(text)")
                checked += 1
            }
        }
        #expect(checked >= Corpus.wellFormedRequests.count)
    }

    @Test func refusesAPrefixOrHostThatCannotBeSent() {
        #expect(throws: HTTPWireError(.invalidTarget, at: 0)) { try PassThroughHeadEncoder(pathPrefix: "base", host: "h") }
        #expect(throws: HTTPWireError(.invalidTarget, at: 2)) { try PassThroughHeadEncoder(pathPrefix: "/a?b", host: "h") }
        #expect(throws: HTTPWireError(.invalidFieldValue, at: 1)) { try PassThroughHeadEncoder(pathPrefix: "", host: "h\r\nEvil: 1") }
    }
}
