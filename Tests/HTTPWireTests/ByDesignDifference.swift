import HTTPWire

/// The written list of inputs NIOHTTP1 accepts and HTTPWire refuses, or reads
/// differently, on purpose. The differential tests accept a disagreement only
/// when one of these applies, checked on what NIOHTTP1 parsed (not on what
/// HTTPWire says), and with the rule HTTPWire is expected to name.
enum ByDesignDifference: CaseIterable {
    /// Only RFC 9110's methods and PATCH: WebDAV, CONNECT (a tunnel) and other extensions have no place here.
    case methodOutsideRFC9110
    /// Absolute-, authority- and asterisk-form (but OPTIONS *) are for proxies and tunnels (RFC 9112 §3.2).
    case targetNotOriginForm
    /// Target bytes outside RFC 3986 (`{`, `"`, `#`, ...) are read differently by different servers.
    case targetOutsideRFC3986
    /// More than one space between request-line parts lets parsers split the line differently (RFC 9112 §3).
    case requestLineSpacing
    /// A bare CR or LF before a start line: HTTPWire takes none anywhere (RFC 9112 §2.2).
    case strayLineBreakBeforeStartLine
    /// An HTTP/1.1 request must carry exactly one Host (RFC 9112 §3.2: 400).
    case missingOrRepeatedHost
    /// Codings other than a lone `chunked` would have to be undone to find the body (RFC 9112 §6.1).
    case transferCodingOtherThanChunked
    /// Transfer-Encoding in HTTP/1.0 means the framing is faulty (RFC 9112 §6.1).
    case transferEncodingInHTTP10
    /// Connection with both close and keep-alive: NIOHTTP1 keeps an HTTP/1.0 connection,
    /// RFC 9112 §9.3 closes it; HTTPWire refuses to guess.
    case contradictoryConnectionOptions
    /// Heads over 64 KiB or 256 field lines are refused (NIOHTTP1 allows 80 KiB and 65534 lines).
    case headOverLimits
    /// A 101 that no request asked for: NIOHTTP1 stops parsing, HTTPWire fails the connection.
    case unaskedSwitchingProtocols
    /// A 1xx that closes the connection leaves no way for the final response: HTTPWire fails
    /// at once, NIOHTTP1 at the next byte (or never, when the connection ends there).
    case closingInterimResponse
    /// Status codes outside 100...599 are invalid (RFC 9110 §15).
    case statusOutside100To599
    /// A status line is held to RFC 9112 §4 (no control characters, no bare CR) like any head line.
    case lenientStatusLine
    /// A chunk extension must be `;token[=token|quoted-string]` (RFC 9112 §7.1.1): lax
    /// extension parsing has been a smuggling vector.
    case malformedChunkExtension
    /// Content-Length, Transfer-Encoding or Connection in a trailer section: NIOHTTP1 refuses
    /// some (a Content-Length) and reads others (an empty Transfer-Encoding; a Connection,
    /// refusing the rest of the connection); HTTPWire refuses them all (RFC 9110 §6.5.1).
    case framingFieldInTrailers
    /// Not a refusal: HTTPWire reads an upgrade request as an ordinary one (RFC 9110 §7.8)
    /// and goes on; NIOHTTP1 stops parsing after it, so the comparison stops there too.
    case readsUpgradeAsOrdinaryRequest

    /// The rules HTTPWire may name for this difference.
    var rules: Set<HTTPWireError.Rule> {
        switch self {
        case .methodOutsideRFC9110: [.unsupportedMethod]
        case .targetNotOriginForm: [.invalidTarget]
        case .targetOutsideRFC3986: [.invalidTarget]
        case .requestLineSpacing: [.malformedRequestLine, .invalidTarget]
        case .strayLineBreakBeforeStartLine: [.bareLineFeed, .bareCarriageReturn]
        case .missingOrRepeatedHost: [.missingHost, .repeatedHost]
        case .transferCodingOtherThanChunked: [.unsupportedTransferCoding]
        case .transferEncodingInHTTP10: [.transferEncodingInHTTP10]
        case .contradictoryConnectionOptions: [.contradictoryConnectionOptions]
        case .headOverLimits: [.headTooLarge, .tooManyFieldLines]
        case .unaskedSwitchingProtocols: [.unexpectedSwitchingProtocols]
        case .closingInterimResponse: [.closingInterimResponse]
        case .framingFieldInTrailers: [.framingFieldInTrailers]
        case .statusOutside100To599: [.invalidStatus]
        case .lenientStatusLine: [.controlCharacter, .bareCarriageReturn]
        case .malformedChunkExtension: [.invalidChunkExtension]
        case .readsUpgradeAsOrdinaryRequest: []
        }
    }

    /// Whether this difference explains HTTPWire refusing, with `error`, the
    /// message NIOHTTP1 read as `accepted` (nil when NIOHTTP1 read no more messages).
    func explains(_ accepted: OracleMessage?, error: HTTPWireError, input: [UInt8]) -> Bool {
        guard rules.contains(error.rule) else { return false }
        let byte = error.offset < input.count ? input[error.offset] : nil
        let isLineBreak = byte == UInt8(ascii: "\r") || byte == UInt8(ascii: "\n")
        let lineStart = input[..<min(error.offset, input.count)].lastIndex(of: UInt8(ascii: "\n")).map { $0 + 1 } ?? 0
        // Differences seen in the input alone.
        switch self {
        case .lenientStatusLine:
            // The offending byte (a control or CR) sits in a status line.
            guard let byte, byte.isControl else { return false }
            return input[lineStart..<error.offset].firstRange(of: Array("HTTP/1.".utf8)) != nil
        case .malformedChunkExtension:
            // The offending byte follows a ";" on a line that starts with a chunk size.
            let line = input[lineStart..<error.offset]
            return line.first.map(\.isHexDigit) == true && line.contains(UInt8(ascii: ";"))
        case .closingInterimResponse:
            // The refused head is a 1xx status line, and NIOHTTP1 read no final response after it.
            let head = input[error.offset...]
            return accepted == nil && head.starts(with: "HTTP/1.".utf8) && head.dropFirst(9).first == UInt8(ascii: "1")
        case .framingFieldInTrailers:
            // The refused field is one of the three (the rule says it sits in a trailer section).
            let field = String(decoding: input[error.offset...].prefix(18), as: UTF8.self).lowercased()
            return ["content-length:", "transfer-encoding:", "connection:"].contains { field.hasPrefix($0) }
        case .strayLineBreakBeforeStartLine where accepted == nil:
            // Only line breaks follow, or a status line NIOHTTP1 read as an interim response.
            let rest = input[error.offset...].drop { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }
            return isLineBreak && (rest.isEmpty || rest.starts(with: "HTTP/1.".utf8))
        default:
            break
        }
        guard let accepted else { return false }
        let uri = Array(accepted.target.utf8)
        let isResponse = accepted.target.isEmpty
        switch self {
        case .methodOutsideRFC9110:
            return !RequestMethod.allCases.contains { $0.name == accepted.method }
        case .targetNotOriginForm:
            return uri.first != UInt8(ascii: "/") && !(accepted.method == "OPTIONS" && uri == [UInt8(ascii: "*")])
        case .targetOutsideRFC3986:
            return uri.contains { !rfc3986TargetBytes.contains($0) }
        case .requestLineSpacing:
            return byte == UInt8(ascii: " ") && input[error.offset - 1] == UInt8(ascii: " ")
        case .strayLineBreakBeforeStartLine:
            // Only CR and LF from the offending byte to the start line NIOHTTP1 read next.
            guard isLineBreak else { return false }
            let rest = input[error.offset...].drop { $0 == UInt8(ascii: "\r") || $0 == UInt8(ascii: "\n") }
            return rest.starts(with: (isResponse ? "HTTP/" : accepted.method + " ").utf8)
        case .missingOrRepeatedHost:
            let hosts = accepted.headers.filter { $0.name.lowercased() == "host" }.count
            return !isResponse && (hosts > 1 || (hosts == 0 && accepted.version == "HTTP/1.1"))
        case .transferCodingOtherThanChunked:
            let codings = accepted.headers.filter { $0.name.lowercased() == "transfer-encoding" }
            return codings.count > 1 || codings.contains { trimmed($0.value).lowercased() != "chunked" }
        case .transferEncodingInHTTP10:
            return accepted.version == "HTTP/1.0" && accepted.headers.contains { $0.name.lowercased() == "transfer-encoding" }
        case .contradictoryConnectionOptions:
            let options = Set(Self.connectionOptions(accepted))
            return options.contains("close") && options.contains("keep-alive")
        case .headOverLimits:
            let size = accepted.headers.reduce(accepted.method.utf8.count + uri.count + 12) { $0 + $1.name.utf8.count + $1.value.utf8.count + 4 }
            return accepted.headers.count >= 256 || size >= 64 * 1024 - 2048
        case .unaskedSwitchingProtocols:
            return isResponse && accepted.method == "101"
        case .statusOutside100To599:
            return isResponse && !(100...599).contains(Int(accepted.method) ?? 0)
        case .lenientStatusLine, .malformedChunkExtension, .closingInterimResponse, .framingFieldInTrailers:
            return false
        case .readsUpgradeAsOrdinaryRequest:
            return false
        }
    }

    /// Whether NIOHTTP1 stopped parsing after `message` because it asked for an upgrade
    /// (llhttp: an Upgrade field and an `upgrade` Connection option).
    static func isUpgrade(_ message: OracleMessage) -> Bool {
        !message.target.isEmpty && connectionOptions(message).contains("upgrade")
            && message.headers.contains { $0.name.lowercased() == "upgrade" }
    }

    /// The Connection options of `message`, lower-cased, as llhttp reads them: leading
    /// spaces and tabs dropped, trailing spaces only.
    private static func connectionOptions(_ message: OracleMessage) -> [String] {
        message.headers.filter { $0.name.lowercased() == "connection" }
            .flatMap { $0.value.split(separator: ",").map { trimmed(String($0.drop { $0 == " " || $0 == "\t" })).lowercased() } }
    }
}

private extension UInt8 {
    var isHexDigit: Bool { (48...57).contains(self) || (65...70).contains(self) || (97...102).contains(self) }
    var isControl: Bool { self < 0x20 || self == 0x7F }
}

private let rfc3986TargetBytes = Set(("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789" + "-._~!$&'()*+,;=:@/?%").utf8)

/// `text` without surrounding spaces, as llhttp reads framing values (tabs stay).
func trimmed(_ text: String) -> String {
    String(text.drop { $0 == " " }.reversed().drop { $0 == " " }.reversed())
}
