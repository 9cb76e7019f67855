/// Renders the head of a request passed on to another origin (the recorder's
/// pass-through): the method, target and fields of a request the server
/// parsed, re-addressed to the origin's host and path.
///
///     <method> <path prefix><target> HTTP/1.1\r\n
///     Host: <host>\r\n
///     <name>: <value>\r\n          (the received fields, in order, minus the ones below)
///     content-length: <n>\r\n
///     \r\n
///
/// Left out: the fields that describe the incoming connection rather than the
/// request (RFC 9110 §7.6.1: Connection, the fields it names, Keep-Alive,
/// Proxy-*, TE, Trailer, Transfer-Encoding, Upgrade), and Host, Content-Length
/// and Expect, which belong to the new message (its body is whole and sent at
/// once). The received head was validated by `RequestParser`, so its parts are
/// written as they are.
public struct PassThroughHeadEncoder: Sendable {
    static let connectionName = Array("connection".utf8)
    static let droppedNames: [[UInt8]] = [connectionName] + [
        "keep-alive", "proxy-connection", "proxy-authenticate", "proxy-authorization", "te", "trailer",
        "transfer-encoding", "upgrade", "host", "content-length", "expect",
    ].map { Array($0.utf8) }

    private let pathPrefix: [UInt8]
    private let hostLine: [UInt8]

    /// - Parameters:
    ///   - pathPrefix: the origin's path, put before each received target; a
    ///     trailing `/` is dropped (`/hooks/` and `/hooks` both give `/hooks/x`).
    ///     Empty or `/` for none.
    ///   - host: the `Host` value, the origin's authority.
    /// - Throws: when the prefix is not an absolute path or the host not a field value.
    public init(pathPrefix: String, host: String) throws(HTTPWireError) {
        var prefix = Array(pathPrefix.utf8)
        if prefix.last == UInt8(ascii: "/") { prefix.removeLast() }
        if let first = prefix.first, first != UInt8(ascii: "/") { throw HTTPWireError(.invalidTarget, at: 0) }
        if let bad = prefix.firstIndex(where: { !ByteSet.target.contains($0) || $0 == UInt8(ascii: "?") }) {
            throw HTTPWireError(.invalidTarget, at: bad)
        }
        if let bad = host.utf8.firstIndex(where: { !ByteSet.fieldValue.contains($0) || $0 == .space || $0 == .tab }) {
            throw HTTPWireError(.invalidFieldValue, at: host.utf8.distance(from: host.utf8.startIndex, to: bad))
        }
        self.pathPrefix = prefix
        hostLine = Array("Host: \(host)\r\n".utf8)
    }

    /// Appends the head of `request` re-addressed, for a body of `contentLength` bytes, to `output`.
    public func encodeHead(of request: RequestHead, contentLength: Int, into output: inout [UInt8]) {
        precondition(contentLength >= 0, "a body has no negative length")
        let headers = request.headers
        output.reserveCapacity(output.count + headers.bytes.count + pathPrefix.count + hostLine.count + 32)
        output += request.method.name.utf8
        output.append(.space)
        output += pathPrefix
        output += request.targetBytes
        output += " HTTP/1.1\r\n".utf8
        output += hostLine
        let named = namedByConnection(headers)
        for field in headers where !isDropped(field.name, namedByConnection: named) {
            output += field.name
            output += ": ".utf8
            output += field.value
            output += "\r\n".utf8
        }
        output += "content-length: ".utf8
        RequestHeadEncoder.appendDecimal(contentLength, to: &output)
        output += "\r\n\r\n".utf8
    }

    /// The field names listed in the Connection fields, lower-cased: hop-by-hop too.
    private func namedByConnection(_ headers: HeaderBlock) -> [[UInt8]] {
        var names: [[UInt8]] = []
        for field in headers where Self.equalsIgnoringCase(field.name, Self.connectionName) {
            for token in field.value.split(separator: UInt8(ascii: ",")) {
                let name = token.drop { $0 == .space || $0 == .tab }.reversed().drop { $0 == .space || $0 == .tab }.reversed()
                if !name.isEmpty { names.append(name.map(\.lowercasedASCII)) }
            }
        }
        return names
    }

    private func isDropped(_ name: ArraySlice<UInt8>, namedByConnection named: [[UInt8]]) -> Bool {
        Self.droppedNames.contains { Self.equalsIgnoringCase(name, $0) } || named.contains { Self.equalsIgnoringCase(name, $0) }
    }

    /// `name` equals the lower-case `lowered`, ignoring ASCII case.
    private static func equalsIgnoringCase(_ name: ArraySlice<UInt8>, _ lowered: [UInt8]) -> Bool {
        name.count == lowered.count && name.elementsEqual(lowered) { $0.lowercasedASCII == $1 }
    }
}
