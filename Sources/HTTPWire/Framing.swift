/// What a head's fields say about its message: how the body is delimited and
/// what the connection does after it. Read once the head is complete.
struct FramingFields {
    /// The Content-Length, if one was given.
    var contentLength: Int?
    /// A Transfer-Encoding was given (and is exactly `chunked`).
    var isChunked = false
    var asksToClose = false
    var asksToKeepAlive = false
    var expectsContinue = false
    var hostCount = 0
    /// Stream offsets of the fields that decided the framing, for errors found later.
    private var contentLengthOffset = 0
    private var transferEncodingOffset = 0
    private var connectionOffset = 0

    init(_ head: HeaderBlock, headOffset: Int) throws(HTTPWireError) {
        let bytes = head.bytes
        for span in head.spans {
            let offset = headOffset + Int(span.nameStart)
            switch Self.knownName(bytes[span.name]) {
            case .contentLength:
                guard contentLength == nil else { throw HTTPWireError(.repeatedContentLength, at: offset) }
                guard let length = Self.decimal(Self.trimmed(bytes[span.value])) else {
                    throw HTTPWireError(.invalidContentLength, at: headOffset + Int(span.valueStart))
                }
                contentLength = length
                contentLengthOffset = offset
            case .transferEncoding:
                // Only `chunked`, once: another coding would have to be undone to find
                // the body, and `chunked` twice is forbidden (RFC 9112 §6.1).
                guard !isChunked, Self.equalsIgnoringCase(Self.trimmed(bytes[span.value]), "chunked") else {
                    throw HTTPWireError(.unsupportedTransferCoding, at: headOffset + Int(span.valueStart))
                }
                isChunked = true
                transferEncodingOffset = offset
            case .connection:
                connectionOffset = offset
                for option in bytes[span.value].split(separator: UInt8(ascii: ",")) {
                    // Whitespace before an option is OWS, after it see `trimmed`.
                    let option = Self.trimmed(option.drop { $0 == .space || $0 == .tab })
                    if Self.equalsIgnoringCase(option, "close") { asksToClose = true }
                    if Self.equalsIgnoringCase(option, "keep-alive") { asksToKeepAlive = true }
                }
            case .expect:
                if Self.equalsIgnoringCase(Self.trimmed(bytes[span.value]), "100-continue") { expectsContinue = true }
            case .host:
                hostCount += 1
                if hostCount > 1 { throw HTTPWireError(.repeatedHost, at: offset) }
            case nil:
                break
            }
        }
        // close and keep-alive together: RFC 9112 §9.3 says close, NIOHTTP1 keeps an HTTP/1.0 connection.
        if asksToClose && asksToKeepAlive { throw HTTPWireError(.contradictoryConnectionOptions, at: connectionOffset) }
        if contentLength != nil && isChunked {
            throw HTTPWireError(.contentLengthWithTransferEncoding, at: max(contentLengthOffset, transferEncodingOffset))
        }
    }

    /// Refuses a Transfer-Encoding in an HTTP/1.0 message: its framing cannot be
    /// trusted (RFC 9112 §6.1).
    func checkTransferEncoding(for version: HTTPVersion) throws(HTTPWireError) {
        if isChunked && version == .http1_0 { throw HTTPWireError(.transferEncodingInHTTP10, at: transferEncodingOffset) }
    }

    /// Whether the connection stays open after this message (RFC 9112 §9.3).
    func keepsAlive(_ version: HTTPVersion) -> Bool {
        version == .http1_1 ? !asksToClose : asksToKeepAlive
    }

    enum KnownName {
        case contentLength, transferEncoding, connection, expect, host
    }

    /// The framing field `name` is (compared case-insensitively), if any.
    static func knownName(_ name: ArraySlice<UInt8>) -> KnownName? {
        // Dispatch on length first: most fields are none of these.
        switch name.count {
        case 4: equalsIgnoringCase(name, "host") ? .host : nil
        case 6: equalsIgnoringCase(name, "expect") ? .expect : nil
        case 10: equalsIgnoringCase(name, "connection") ? .connection : nil
        case 14: equalsIgnoringCase(name, "content-length") ? .contentLength : nil
        case 17: equalsIgnoringCase(name, "transfer-encoding") ? .transferEncoding : nil
        default: nil
        }
    }

    /// `bytes` equals `lowercased` (ASCII lower case) ignoring case.
    static func equalsIgnoringCase(_ bytes: ArraySlice<UInt8>, _ lowercased: StaticString) -> Bool {
        guard bytes.count == lowercased.utf8CodeUnitCount else { return false }
        var expected = lowercased.utf8Start
        for byte in bytes {
            guard byte.lowercasedASCII == expected.pointee else { return false }
            expected += 1
        }
        return true
    }

    /// `bytes` without surrounding spaces. Not tabs, though OWS allows them (RFC 9110
    /// §5.6.3): NIOHTTP1 reads `chunked<TAB>` as another coding and `close<TAB>` as
    /// another option, so a tab there is a value parsers disagree on, and is refused
    /// (or, in Connection, left as part of the option).
    static func trimmed(_ bytes: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var bytes = bytes
        while bytes.first == .space { bytes.removeFirst() }
        while bytes.last == .space { bytes.removeLast() }
        return bytes
    }

    /// 1*DIGIT as an Int, or nil if it is not one or does not fit.
    static func decimal(_ bytes: ArraySlice<UInt8>) -> Int? {
        guard !bytes.isEmpty else { return nil }
        var value = 0
        for byte in bytes {
            guard (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) else { return nil }
            let (times10, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times10.addingReportingOverflow(Int(byte - UInt8(ascii: "0")))
            guard !overflow && !overflow2 else { return nil }
            value = sum
        }
        return value
    }
}
