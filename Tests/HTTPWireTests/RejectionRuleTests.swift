import HTTPWire
import Testing

/// One input per rule, each breaking that rule only: removing a check makes its
/// row fail (the input is then read, or refused under another rule or offset).
struct RejectionCase: CustomTestStringConvertible, Sendable {
    enum Side: Sendable {
        case request, response
    }

    let rule: HTTPWireError.Rule
    let side: Side
    let input: [UInt8]
    /// Where the rule is broken: marked with "¦" in the text.
    let offset: Int
    /// Messages read in full before the broken one.
    let messagesBefore: Int

    static func request(_ rule: HTTPWireError.Rule, _ marked: String..., messagesBefore: Int = 0) -> RejectionCase {
        RejectionCase(rule, .request, marked.joined(), messagesBefore: messagesBefore)
    }

    static func response(_ rule: HTTPWireError.Rule, _ marked: String..., messagesBefore: Int = 0) -> RejectionCase {
        RejectionCase(rule, .response, marked.joined(), messagesBefore: messagesBefore)
    }

    private init(_ rule: HTTPWireError.Rule, _ side: Side, _ marked: String, messagesBefore: Int) {
        let bytes = Array(marked.utf8)
        let marker = Array("¦".utf8)
        let at = bytes.firstRange(of: marker)!
        self.rule = rule
        self.side = side
        input = Array(bytes[..<at.lowerBound] + bytes[at.upperBound...])
        offset = at.lowerBound
        self.messagesBefore = messagesBefore
    }

    var testDescription: String { "\(rule): \(String(decoding: input.prefix(80), as: UTF8.self).debugDescription)" }
}

private let head = "POST /h HTTP/1.1\r\nHost: x\r\n"
private let chunked = head + "Transfer-Encoding: chunked\r\n\r\n"

let rejectionCases: [RejectionCase] = [
    .request(.invalidMethod, "P¦@ST /h HTTP/1.1\r\nHost: x\r\n\r\n"),
    .request(.unsupportedMethod, "¦PROPFIND /h HTTP/1.1\r\nHost: x\r\n\r\n"),
    .request(.unsupportedMethod, "¦CONNECT x:443 HTTP/1.1\r\nHost: x\r\n\r\n"),
    .request(.unsupportedMethod, "¦post /h HTTP/1.1\r\nHost: x\r\n\r\n"),
    .request(.malformedRequestLine, "POST ¦ /h HTTP/1.1\r\nHost: x\r\n\r\n"),
    .request(.malformedRequestLine, "POST /h ¦ HTTP/1.1\r\nHost: x\r\n\r\n"),
    .request(.malformedRequestLine, "POST /h¦\r\nHost: x\r\n\r\n"),
    .request(.invalidTarget, "POST /h¦#fragment HTTP/1.1\r\nHost: x\r\n\r\n"),
    .request(.invalidTarget, "POST /a¦{b} HTTP/1.1\r\nHost: x\r\n\r\n"),
    .request(.invalidTarget, "POST ¦http://x/h HTTP/1.1\r\nHost: x\r\n\r\n"),
    .request(.invalidTarget, "POST ¦* HTTP/1.1\r\nHost: x\r\n\r\n"),
    .request(.unsupportedVersion, "POST /h HTTP/1.¦2\r\nHost: x\r\n\r\n"),
    .request(.unsupportedVersion, "POST /h HTTP/¦2.0\r\nHost: x\r\n\r\n"),
    .response(.unsupportedVersion, "HTTP/¦2 200 OK\r\n\r\n"),
    .response(.malformedStatusLine, "HTTP/1.1 200¦-OK\r\nContent-Length: 0\r\n\r\n"),
    .response(.invalidStatus, "HTTP/1.1 ¦099 Low\r\nContent-Length: 0\r\n\r\n"),
    .response(.invalidStatus, "HTTP/1.1 ¦600 High\r\nContent-Length: 0\r\n\r\n"),
    .response(.invalidStatus, "HTTP/1.1 2¦x0 OK\r\nContent-Length: 0\r\n\r\n"),
    .response(.closingInterimResponse, "¦HTTP/1.0 100 Continue\r\n\r\nHTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n"),
    .response(.closingInterimResponse, "HTTP/1.1 100 Continue\r\n\r\n¦HTTP/1.1 102 Processing\r\nConnection: close\r\n\r\n"),
    .response(.unexpectedSwitchingProtocols, "¦HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\n\r\n"),
    .request(.bareCarriageReturn, head, "X-A: a¦\rb\r\n\r\n"),
    .request(.bareCarriageReturn, "POST /h HTTP/1.1¦\rHost: x\r\n\r\n"),
    .request(.bareCarriageReturn, chunked, "5¦\rhello\r\n0\r\n\r\n"),
    .response(.bareCarriageReturn, "HTTP/1.1 200 OK¦\r\rContent-Length: 0\r\n\r\n"),
    .request(.bareLineFeed, head, "X-A: a¦\n\r\n"),
    .request(.bareLineFeed, "¦\nPOST /h HTTP/1.1\r\nHost: x\r\n\r\n"),
    .request(.controlCharacter, head, "X-A: a¦\u{0}b\r\n\r\n"),
    .request(.controlCharacter, head, "X-A: a¦\u{7F}b\r\n\r\n"),
    .response(.controlCharacter, "HTTP/1.1 200 O¦\u{1}K\r\nContent-Length: 0\r\n\r\n"),
    .request(.obsoleteLineFolding, head, "X-A: a\r\n¦ folded\r\n\r\n"),
    .request(.whitespaceBeforeColon, head, "Transfer-Encoding¦ : chunked\r\n\r\n"),
    .request(.invalidFieldName, head, "X¦(A): a\r\n\r\n"),
    .request(.invalidFieldName, head, "¦: no name\r\n\r\n"),
    .request(.missingColon, head, "no-colon¦\r\n\r\n"),
    .request(.headTooLarge, head, "X-Big: ", String(repeating: "a", count: 64 * 1024 - head.utf8.count - 7), "¦a\r\n\r\n"),
    .request(.tooManyFieldLines, head, String(repeating: "X: y\r\n", count: 255), "¦X: y\r\n\r\n"),
    .request(.contentLengthWithTransferEncoding, head, "Content-Length: 5\r\n¦Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    .request(.contentLengthWithTransferEncoding, head, "Transfer-Encoding: chunked\r\n¦Content-Length: 5\r\n\r\n0\r\n\r\n"),
    .request(.repeatedContentLength, head, "Content-Length: 5\r\n¦Content-Length: 5\r\n\r\nhello"),
    .response(.repeatedContentLength, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n¦Content-Length: 6\r\n\r\nhello!"),
    .request(.invalidContentLength, head, "Content-Length: ¦5, 5\r\n\r\nhello"),
    .request(.invalidContentLength, head, "Content-Length: ¦+5\r\n\r\nhello"),
    .request(.invalidContentLength, head, "Content-Length: ¦5\t\r\n\r\nhello"),
    .request(.invalidContentLength, head, "Content-Length: ¦99999999999999999999\r\n\r\n"),
    .request(.unsupportedTransferCoding, head, "Transfer-Encoding: ¦gzip, chunked\r\n\r\n0\r\n\r\n"),
    .request(.unsupportedTransferCoding, head, "Transfer-Encoding: ¦chunked\t\r\n\r\n0\r\n\r\n"),
    .request(.unsupportedTransferCoding, head, "Transfer-Encoding: chunked\r\nTransfer-Encoding: ¦chunked\r\n\r\n0\r\n\r\n"),
    .response(.unsupportedTransferCoding, "HTTP/1.1 200 OK\r\nTransfer-Encoding: ¦gzip\r\n\r\nzz"),
    .request(.transferEncodingInHTTP10, "POST /h HTTP/1.0\r\n¦Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    .response(.transferEncodingInHTTP10, "HTTP/1.0 200 OK\r\n¦Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
    .request(.contradictoryConnectionOptions, "POST /h HTTP/1.0\r\n¦Connection: keep-alive, close\r\n\r\n"),
    .response(.contradictoryConnectionOptions, "HTTP/1.1 200 OK\r\nConnection: close\r\n¦Connection: Keep-Alive\r\nContent-Length: 0\r\n\r\n"),
    .request(.missingHost, "¦POST /h HTTP/1.1\r\nContent-Length: 0\r\n\r\n"),
    .request(.repeatedHost, head, "¦Host: y\r\n\r\n"),
    .request(.invalidChunkSize, chunked, "¦zz\r\n"),
    .request(.invalidChunkSize, chunked, "¦\r\n"),
    .request(.invalidChunkSize, chunked, "5¦ \r\nhello\r\n0\r\n\r\n"),
    .request(.chunkSizeOverflow, chunked, "1000000000000000¦0\r\n"),
    .request(.invalidChunkExtension, chunked, "5;¦=v\r\nhello\r\n0\r\n\r\n"),
    .request(.invalidChunkExtension, chunked, "5;a=¦\u{1}\r\nhello\r\n0\r\n\r\n"),
    .request(.invalidChunkExtension, chunked, "5;¦ a\r\nhello\r\n0\r\n\r\n"),
    .request(.chunkLineTooLong, chunked, "5;", String(repeating: "a", count: 4094), "¦a\r\nhello\r\n0\r\n\r\n"),
    .request(.invalidChunkTerminator, chunked, "5\r\nhello¦XX0\r\n\r\n"),
    .request(.framingFieldInTrailers, chunked, "0\r\nX-Sum: 1\r\n¦content-length: 3\r\n\r\n"),
    .response(.framingFieldInTrailers, "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n¦Connection: close\r\n\r\n"),
    .request(.dataAfterClose, head, "Connection: close\r\n\r\n\r\n¦GET / HTTP/1.1\r\nHost: x\r\n\r\n", messagesBefore: 1),
    .response(.dataAfterClose, "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 0\r\n\r\n¦HTTP/1.1 200 OK\r\n\r\n", messagesBefore: 1),
    .request(.incompleteMessage, head, "Content-Length: 5\r\n\r\nhel¦"),
    .request(.incompleteMessage, "POST /h HTTP/1.1\r\nHo¦"),
    .response(.incompleteMessage, "HTTP/1.1 200 OK\r\nContent-Length: 5\r\n\r\nhel¦"),
]

@Suite struct RejectionRuleTests {
    @Test(arguments: rejectionCases)
    func refusesWithItsRule(_ row: RejectionCase) {
        let expected = HTTPWireError(row.rule, at: row.offset)
        for splits in [[], Array(0...row.input.count)] {  // one block, then one byte per call
            let outcome = row.side == .request ? Wire.parseRequests(row.input, splitAt: splits) : Wire.parseResponses(row.input, splitAt: splits)
            #expect(outcome.error == expected, "cut at \(splits.count) offsets")
            // Nothing of the refused message is handed over as complete.
            #expect(outcome.messages.count == row.messagesBefore)
        }
    }

    @Test func everyParserRuleHasARow() {
        let encoderOnly: Set<HTTPWireError.Rule> = [.invalidFieldValue, .reservedField]
        let covered = Set(rejectionCases.map(\.rule))
        #expect(covered == Set(HTTPWireError.Rule.allCases).subtracting(encoderOnly))
    }

    @Test func errorsNameTheRuleAndTheOffset() {
        let error = HTTPWireError(.whitespaceBeforeColon, at: 42)
        #expect("\(error)" == "whitespace between field name and colon (RFC 9112 §5.1) (byte 42)")
    }
}
