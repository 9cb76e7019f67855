/// Renders the head of the POSTs sent to one target. Everything but the body's
/// length and the signature is the same for every request, so it is validated
/// and rendered once; each request appends only those two fields.
///
///     POST <target> HTTP/1.1\r\n
///     Host: <host>\r\n
///     <name>: <value>\r\n          (the fixed fields, in order)
///     content-length: <n>\r\n
///     <signature name>: <value>\r\n (when a signature is given)
///     \r\n
///
/// The body follows as stored: it is not part of the head.
public struct RequestHeadEncoder: Sendable {
    /// The request line, Host and the fixed fields.
    public let prefix: [UInt8]
    /// `"\r\n<signature name>: "`, or nil when requests are unsigned.
    private let signaturePrefix: [UInt8]?

    /// - Parameters:
    ///   - target: origin-form (`/path?query`).
    ///   - fields: sent as given; Host, Content-Length, Transfer-Encoding and the
    ///     signature field are the encoder's own.
    ///   - signatureName: the field each request's signature goes in, if any.
    /// - Throws: when a part could not be sent as given (the offset is within that part).
    public init(target: String, host: String, fields: [(name: String, value: String)] = [],
                signatureName: String? = nil) throws(HTTPWireError) {
        try Self.validateTarget(target)
        try Self.validateValue(host.utf8)
        var prefix = Array("POST \(target) HTTP/1.1\r\nHost: \(host)\r\n".utf8)
        let reserved = ["host", "content-length", "transfer-encoding", signatureName?.lowercased()].compactMap { $0 }
        for (name, value) in fields {
            try Self.validateName(name)
            try Self.validateValue(value.utf8)
            guard !reserved.contains(name.lowercased()) else { throw HTTPWireError(.reservedField, at: 0) }
            prefix += name.utf8
            prefix += ": ".utf8
            prefix += value.utf8
            prefix += "\r\n".utf8
        }
        prefix += "content-length: ".utf8
        self.prefix = prefix
        if let signatureName {
            try Self.validateName(signatureName)
            signaturePrefix = Array("\r\n\(signatureName): ".utf8)
        } else {
            signaturePrefix = nil
        }
    }

    /// Appends the head of a request whose body is `contentLength` bytes to `output`.
    /// - Parameter signature: the signature field's value; the field is left out when nil.
    /// - Throws: when the signature is not a valid field value (nothing is appended).
    public func encodeHead(contentLength: Int, signature: String? = nil, into output: inout [UInt8]) throws(HTTPWireError) {
        precondition(contentLength >= 0, "a body has no negative length")
        precondition(signature == nil || signaturePrefix != nil, "the encoder was made without a signature field")
        if let signature { try Self.validateValue(signature.utf8) }
        output.reserveCapacity(output.count + headSize(contentLength: contentLength, signatureLength: signature?.utf8.count))
        output += prefix
        Self.appendDecimal(contentLength, to: &output)
        if let signaturePrefix, let signature {
            output += signaturePrefix
            output += signature.utf8
        }
        output += "\r\n\r\n".utf8
    }

    /// The bytes `encodeHead` appends.
    /// - Parameter signatureLength: the signature's length in bytes, nil when there is none.
    public func headSize(contentLength: Int, signatureLength: Int? = nil) -> Int {
        var digits = 1
        var rest = contentLength
        while rest >= 10 { (digits, rest) = (digits + 1, rest / 10) }
        let signature = signatureLength.map { (signaturePrefix?.count ?? 0) + $0 } ?? 0
        return prefix.count + digits + signature + 4
    }

    static func appendDecimal(_ value: Int, to output: inout [UInt8]) {
        let start = output.count
        var rest = value
        repeat {
            output.append(UInt8(ascii: "0") + UInt8(rest % 10))
            rest /= 10
        } while rest > 0
        output[start...].reverse()
    }

    private static func validateTarget(_ target: String) throws(HTTPWireError) {
        guard target.utf8.first == UInt8(ascii: "/") else { throw HTTPWireError(.invalidTarget, at: 0) }
        if let bad = target.utf8.firstIndex(where: { !ByteSet.target.contains($0) }) {
            throw HTTPWireError(.invalidTarget, at: target.utf8.distance(from: target.utf8.startIndex, to: bad))
        }
    }

    private static func validateName(_ name: String) throws(HTTPWireError) {
        guard !name.isEmpty else { throw HTTPWireError(.invalidFieldName, at: 0) }
        if let bad = name.utf8.firstIndex(where: { !ByteSet.token.contains($0) }) {
            throw HTTPWireError(.invalidFieldName, at: name.utf8.distance(from: name.utf8.startIndex, to: bad))
        }
    }

    /// Field-vchar, SP and HTAB, not starting with whitespace (a receiver would drop it).
    private static func validateValue(_ value: some Collection<UInt8>) throws(HTTPWireError) {
        for (offset, byte) in value.enumerated() where !ByteSet.fieldValue.contains(byte) {
            throw HTTPWireError(.invalidFieldValue, at: offset)
        }
        if let first = value.first, first == .space || first == .tab { throw HTTPWireError(.invalidFieldValue, at: 0) }
    }
}
