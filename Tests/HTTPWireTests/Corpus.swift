/// Inputs for the differential tests: well-formed requests in every shape the
/// recorder must keep byte-exact, and the smuggling and malformed-head cases of
/// RFC 9112 §11 (most of which HTTPWire and NIOHTTP1 both refuse).
enum Corpus {
    static let webhookBody = #"{"Type":"job.completed","EventId":"8c1f6a4e-2b1d-4a8e-9d6f-3f2a1b0c9d8e","Timestamp":"2026-11-20T10:00:00.000Z","Job":{"Id":4711,"State":"Successful","Key":"5c3e9a1b"}}"#

    static func post(_ body: String = webhookBody, target: String = "/hooks/orchestrator?tenant=acme", extra: String = "") -> String {
        "POST \(target) HTTP/1.1\r\nHost: recorder.local:8080\r\nContent-Type: application/json; charset=utf-8\r\n"
            + "User-Agent: UiPath-WebhookService/Webhooks\r\nX-UiPath-Signature: c2lnbmF0dXJlIGJ5dGVz\r\n\(extra)"
            + "Content-Length: \(body.utf8.count)\r\n\r\n\(body)"
    }

    static let wellFormedRequests: [String] = [
        post(),
        post(""),
        post(extra: "X-Repeat: one\r\nx-repeat: two\r\nX-REPEAT:three\r\n"),
        post(extra: "X-Spaces:   padded value  \r\nX-Tab:\tq\t\r\nX-Empty:\r\nX-Blank: \r\n"),
        post(extra: "X-Obs-Text: caf\u{E9} \u{2603}\r\n"),
        post(target: "/p/a%20b;c=d/@x:y!$&'()*+,=?q=1&r=%7B%7D/?"),
        post(target: "/"),
        post(extra: "Expect: 100-continue\r\n"),
        post(extra: "Connection: close\r\n"),
        post(extra: "Connection: keep-alive, Upgrade\r\nUpgrade: h2c\r\nHTTP2-Settings: AAMAAABkAAQAoAAAAAIAAAAA\r\n"),
        post() + post("{}", target: "/second") + "\r\n" + post("[1]", target: "/third"),
        "POST /h HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}",
        "POST /h HTTP/1.0\r\nHost: x\r\nConnection: Keep-Alive\r\nContent-Length: 2\r\n\r\n{}POST /h HTTP/1.0\r\nContent-Length: 0\r\n\r\n",
        "POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n3;ext;name=value;q=\"quo\\\"ted\"\r\n1}\n\r\n0\r\n\r\n",
        "POST /chunked HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: Chunked\r\n\r\n000A\r\n0123456789\r\n0;last\r\nX-Trailer: t\r\nX-Checksum: abc\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        "\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n",
        "GET /metrics HTTP/1.1\r\nhost: x\r\naccept: */*\r\n\r\n",
        "OPTIONS * HTTP/1.1\r\nHost: x\r\n\r\n",
        "PUT /p HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabcDELETE /p HTTP/1.1\r\nHost: x\r\n\r\nHEAD /p HTTP/1.1\r\nHost: x\r\n\r\n",
        "PATCH /p HTTP/1.1\r\nHost: x\r\nContent-Length: 01\r\n\r\n!",
        "POST /p HTTP/1.1\r\nHost: x\r\nContent-Length:\t7 \r\n\r\n1234567",
    ]

    /// Request smuggling and malformed heads (RFC 9112 §11.2 and the issue's list).
    static let malformedRequests: [String] = [
        "POST /h HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nContent-Length: 3\r\n\r\n0\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 4\r\n\r\nabcd",
        "POST /h HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\nContent-Length: 3\r\n\r\nabc",
        "POST /h HTTP/1.1\r\nHost: x\r\nContent-Length: 3, 3\r\n\r\nabc",
        "POST /h HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nContent-Length: 0x10\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nContent-Length: 99999999999999999999\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked, identity\r\n\r\n0\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: xchunked\r\n\r\n0\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\t\r\n\r\n0\r\n\r\n",
        "POST /h HTTP/1.0\r\nHost: x\r\nConnection: keep-alive\t\r\nContent-Length: 0\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nConnection: close\t\r\nContent-Length: 0\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nConnection: keep-alive,\t close\r\nContent-Length: 0\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nContent-Length: 3\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nTransfer-Encoding: chunked\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nTransfer-Encoding:\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\nConnection: close\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding : chunked\r\n\r\n0\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: \u{B}chunked\r\n\r\n0\r\n\r\n",
        "POST /h HTTP/1.0\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n-1\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n0x5\r\nhello\r\n0\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5 \r\nhello\r\n0\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5;a\nb\r\nhello\r\n0\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhelloXX0\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\nhello\n0\n\n",
        "POST /h HTTP/1.1\nHost: x\nContent-Length: 0\n\n",
        "POST /h HTTP/1.1\r\nHost: x\rContent-Length: 0\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nX-A: a\r\n folded\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\n\tX-A: a\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nX-A\t: a\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nX A: a\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nX-A: a\u{0}b\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nX-A: a\u{7F}b\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\n: empty name\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nno colon\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nX(A): a\r\n\r\n",
        "P@ST /h HTTP/1.1\r\nHost: x\r\n\r\n",
        "post /h HTTP/1.1\r\nHost: x\r\n\r\n",
        "CONNECT recorder.local:443 HTTP/1.1\r\nHost: recorder.local:443\r\n\r\n",
        "PROPFIND /h HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST http://recorder.local/h HTTP/1.1\r\nHost: recorder.local\r\n\r\n",
        "POST * HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /h#fragment HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /h{x}|y HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /h\u{E9} HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST  /h HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /h  HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /h HTTP/1.1 \r\nHost: x\r\n\r\n",
        "POST /h HTTP/2.0\r\nHost: x\r\n\r\n",
        "POST /h HTTP/1.2\r\nHost: x\r\n\r\n",
        "POST /h\r\nHost: x\r\n\r\n",
        "POST /h HTTP/1.1\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: a\r\nHost: b\r\n\r\n",
        "\nPOST /h HTTP/1.1\r\nHost: x\r\n\r\n",
        "POST /h HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nshort",
        "POST /h HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\nGET / HTTP/1.1\r\nHost: x\r\n\r\n",
    ]

    static let wellFormedResponses: [String] = [
        "HTTP/1.1 202 Accepted\r\nContent-Length: 0\r\nDate: Fri, 20 Nov 2026 10:00:00 GMT\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 11\r\n\r\n{\"ok\":true}",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nWiki\r\n5;x=y\r\npedia\r\n0\r\nX-T: 1\r\n\r\n",
        "HTTP/1.1 500 Internal Server Error\r\nConnection: close\r\nContent-Length: 5\r\n\r\noops!",
        "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nbody until the connection closes",
        "HTTP/1.0 200 OK\r\n\r\nold server",
        "HTTP/1.0 204 No Content\r\nConnection: keep-alive\r\n\r\n",
        "HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 102 Processing\r\nX: y\r\n\r\nHTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\nok",
        "HTTP/1.1 204 No Content\r\nContent-Length: 7\r\n\r\nHTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n",
        "HTTP/1.1 200\r\nContent-Length: 1\r\n\r\nxHTTP/1.1 429 \r\nRetry-After: 1\r\nContent-Length: 0\r\n\r\n",
        "\r\nHTTP/1.1 200 OK\r\nServer: nginx\r\nX-Spaces:  v  \r\nContent-Length: 0\r\n\r\n",
    ]

    static let malformedResponses: [String] = [
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\nabc",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip\r\n\r\nzzz",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\t\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nConnection: close\t\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.0 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n",
        "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n",
        "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nab",
        "HTTP/1.1 200 OK\r\nX: a\r\n b\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 200 OK\nContent-Length: 0\n\n",
        "HTTP/1.1 2000 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 099 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 600 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\n",
        "HTTP/1.1 200 O\u{1}K\r\nContent-Length: 0\r\n\r\n",
        "HTTP/2 200\r\n\r\n",
        "HTTP/1.1  200 OK\r\nContent-Length: 0\r\n\r\n",
        "garbage\r\n\r\n",
        "HTTP/1.0 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n",
        "HTTP/1.1 100 Continue\r\nConnection: close\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n",
    ]

    static let requests: [[UInt8]] = (wellFormedRequests + malformedRequests).map { Array($0.utf8) }
    static let responses: [[UInt8]] = (wellFormedResponses + malformedResponses).map { Array($0.utf8) }
}
