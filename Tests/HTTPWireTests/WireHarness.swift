import HTTPWire

/// What HTTPWire made of one input followed by the end of the connection.
struct WireOutcome: Equatable {
    var messages: [OracleMessage] = []
    var error: HTTPWireError?
}

/// Feeds bytes to HTTPWire's parsers, split where asked, and collects messages
/// in the shape NIOHTTP1's are collected.
enum Wire {
    static func parseRequests(_ input: [UInt8], splitAt splits: [Int] = [], limits: HeadLimits = HeadLimits()) -> WireOutcome {
        var parser = RequestParser(limits: limits)
        var outcome = WireOutcome()
        var current: OracleMessage?
        do throws(HTTPWireError) {
            for piece in pieces(of: input, splitAt: splits) {
                try withBytes(piece) { (bytes) throws(HTTPWireError) in
                    var index = 0
                    while let part = try parser.read(from: bytes, at: &index) {
                        switch part {
                        case .head(let head):
                            current = OracleMessage(method: head.method.name, target: head.target, version: head.version.description,
                                                    headers: fields(head.headers), body: [], keepAlive: head.keepAlive)
                        case .body(let range):
                            current!.body += bytes[range]
                        case .end:
                            outcome.messages.append(current!)
                            current = nil
                        }
                    }
                }
            }
            try parser.finish()
        } catch {
            outcome.error = error
        }
        return outcome
    }

    static func parseResponses(_ input: [UInt8], splitAt splits: [Int] = []) -> WireOutcome {
        var parser = ResponseParser()
        var outcome = WireOutcome()
        var current: OracleMessage?
        func take(_ part: ResponsePart, _ bytes: UnsafeRawBufferPointer) {
            switch part {
            case .head(let head):
                current = OracleMessage(method: String(head.status), target: "", version: head.version.description,
                                        headers: fields(head.headers), body: [], keepAlive: head.keepAlive)
            case .body(let range):
                current!.body += bytes[range]
            case .end:
                outcome.messages.append(current!)
                current = nil
            }
        }
        do throws(HTTPWireError) {
            for piece in pieces(of: input, splitAt: splits) {
                try withBytes(piece) { (bytes) throws(HTTPWireError) in
                    var index = 0
                    while let part = try parser.read(from: bytes, at: &index) { take(part, bytes) }
                }
            }
            if let part = try parser.finish() { take(part, UnsafeRawBufferPointer(start: nil, count: 0)) }
        } catch {
            outcome.error = error
        }
        return outcome
    }

    private static func fields(_ headers: HeaderBlock) -> [OracleMessage.Field] {
        headers.map { OracleMessage.Field(name: $0.nameString, value: $0.valueString) }
    }

    /// Runs `body` on `array`'s bytes, keeping the error typed.
    static func withBytes<T>(_ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(HTTPWireError) -> T) throws(HTTPWireError) -> T {
        try array.withUnsafeBytes { bytes in Result { () throws(HTTPWireError) in try body(bytes) } }.get()
    }

    /// `input` cut at `splits` (ascending offsets), each piece its own array as a
    /// socket read would be.
    static func pieces(of input: [UInt8], splitAt splits: [Int]) -> [[UInt8]] {
        var pieces: [[UInt8]] = []
        var start = 0
        for end in splits + [input.count] where end >= start {
            pieces.append(Array(input[start..<end]))
            start = end
        }
        return pieces
    }
}

/// Runs `RequestParser` over `text` in one block; the requests' heads and bodies (copied out).
func parsedRequests(_ text: String) throws -> [(head: RequestHead, body: [UInt8])] {
    var parser = RequestParser()
    var requests: [(head: RequestHead, body: [UInt8])] = []
    try Array(text.utf8).withUnsafeBytes { bytes in
        var index = 0
        while let part = try parser.read(from: bytes, at: &index) {
            switch part {
            case .head(let head): requests.append((head, []))
            case .body(let range): requests[requests.count - 1].body += bytes[range]
            case .end: break
            }
        }
    }
    return requests
}
