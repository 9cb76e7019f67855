import HTTPWire
import Testing

@Suite struct RequestParserTests {
    @Test func givesTheRecorderWhatItRecords() throws {
        let text = "POST /hooks/a?x=1 HTTP/1.1\r\nHost: r\r\nX-Tag: one\r\nContent-Type: application/json\r\n"
            + "x-tag: two\r\nX-UiPath-Signature: abc\r\nContent-Length: 2\r\n\r\n{}"
        let request = try #require(try parsedRequests(text).first)
        #expect(request.head.method == .post)
        #expect(request.head.target == "/hooks/a?x=1")
        #expect(request.head.version == .http1_1)
        #expect(request.body == Array("{}".utf8))
        #expect(request.head.headers.value(named: "x-uipath-signature") == Array("abc".utf8)[...])
        let recorded = request.head.headers.recordedFields()
        #expect(recorded.map(\.name) == ["host", "x-tag", "content-type", "x-uipath-signature", "content-length"])
        #expect(recorded[1].value == "one, two")
        #expect(Array(request.head.headers.fieldLines) == Array(Array(text.utf8)[28..<(text.utf8.count - 2)]))
    }

    @Test func bodyIsARangeOfTheInput() throws {
        var parser = RequestParser()
        let input = Array("POST /h HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello".utf8)
        try input.withUnsafeBytes { bytes in
            var index = 0
            _ = try parser.read(from: bytes, at: &index)  // the head
            let body = try #require(try parser.read(from: bytes, at: &index))
            guard case .body(let range) = body else { Issue.record("expected the body, got \(body)"); return }
            #expect(range == (input.count - 5)..<input.count)
        }
    }

    @Test(arguments: [
        ("POST /h HTTP/1.1\r\nHost: x\r\n\r\n", true),
        ("POST /h HTTP/1.1\r\nHost: x\r\nConnection: TE, Close\r\n\r\n", false),
        ("POST /h HTTP/1.0\r\n\r\n", false),
        ("POST /h HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", true),
    ])
    func decidesKeepAlive(_ text: String, _ keepAlive: Bool) throws {
        #expect(try parsedRequests(text).first?.head.keepAlive == keepAlive)
    }

    @Test func reportsExpectContinueAndTheDeclaredLength() throws {
        let head = try #require(try parsedRequests("POST /h HTTP/1.1\r\nHost: x\r\nExpect: 100-Continue\r\nContent-Length: 9000\r\n\r\n").first?.head)
        #expect(head.expectsContinue)
        #expect(head.contentLength == 9000)  // the caller can answer 413 before the body comes
        let old = try #require(try parsedRequests("POST /h HTTP/1.0\r\nExpect: 100-continue\r\n\r\n").first?.head)
        #expect(!old.expectsContinue)
        let chunked = try #require(try parsedRequests("POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n").first?.head)
        #expect(chunked.contentLength == nil)
    }

    @Test func pipelinedRequestsComeInOrder() throws {
        let text = "POST /1 HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nA"
            + "POST /2 HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nB\r\n1\r\nC\r\n0\r\nT: t\r\n\r\n"
            + "GET /3 HTTP/1.1\r\nHost: x\r\n\r\n"
        let requests = try parsedRequests(text)
        #expect(requests.map(\.head.target) == ["/1", "/2", "/3"])
        #expect(requests.map { String(decoding: $0.body, as: UTF8.self) } == ["A", "BC", ""])
    }

    @Test(arguments: [
        "Content-Length: 9223372036854775807\r\n\r\nabc",
        "Transfer-Encoding: chunked\r\n\r\n7fffffffffffffff\r\nabc",
    ])
    func theLargestLengthsDoNotOverflow(_ framing: String) throws {
        let request = try #require(try parsedRequests("POST /h HTTP/1.1\r\nHost: x\r\n" + framing).first)
        #expect(request.body == Array("abc".utf8))
    }

    @Test func anErrorStaysAnError() {
        var parser = RequestParser()
        let bad = Array("P@ST / HTTP/1.1\r\n\r\n".utf8)
        let good = Array("POST / HTTP/1.1\r\nHost: x\r\n\r\n".utf8)
        for input in [bad, good] {
            input.withUnsafeBytes { bytes in
                var index = 0
                #expect(throws: HTTPWireError(.invalidMethod, at: 1)) { try parser.read(from: bytes, at: &index) }
            }
        }
    }
}

@Suite struct ResponseParserTests {
    private func responses(_ text: String) throws -> [(head: ResponseHead, body: String)] {
        var parser = ResponseParser()
        var responses: [(head: ResponseHead, body: String)] = []
        func take(_ part: ResponsePart, _ bytes: UnsafeRawBufferPointer) {
            switch part {
            case .head(let head): responses.append((head, ""))
            case .body(let range): responses[responses.count - 1].body += String(decoding: bytes[range], as: UTF8.self)
            case .end: break
            }
        }
        try Array(text.utf8).withUnsafeBytes { bytes in
            var index = 0
            while let part = try parser.read(from: bytes, at: &index) { take(part, bytes) }
        }
        if let part = try parser.finish() { take(part, UnsafeRawBufferPointer(start: nil, count: 0)) }
        return responses
    }

    @Test func skipsInterimResponses() throws {
        let answers = try responses("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\nContent-Length: 0\r\n\r\n")
        #expect(answers.map(\.head.status) == [202])
        #expect(answers[0].head.keepAlive)
    }

    @Test func readsABodyThatEndsWithTheConnection() throws {
        let answers = try responses("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nall of it")
        #expect(answers.map(\.body) == ["all of it"])
        #expect(answers[0].head.keepAlive == false)
    }

    @Test func noBodyFor204And304() throws {
        let answers = try responses("HTTP/1.1 204 No Content\r\nContent-Length: 9\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\n")
        #expect(answers.map(\.head.status) == [204, 304])
        #expect(answers.map(\.body) == ["", ""])
    }

    @Test func connectionCloseEndsKeepAlive() throws {
        let answers = try responses("HTTP/1.1 500 Oops\r\nConnection: close\r\nContent-Length: 2\r\n\r\n:(")
        #expect(answers[0].head.keepAlive == false)
        #expect(answers[0].body == ":(")
    }
}
