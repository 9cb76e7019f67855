import Foundation

/// The on-disk names of a record's fields (`docs/recording-format.md`), in the order
/// they are written.
public enum RecordField: String, CaseIterable, Sendable {
    case version = "v"
    case seq
    case instance
    case receivedAt = "received_at"
    case method
    case path
    case query
    case headers
    case body
    case bodyBase64 = "body_b64"
    case type
    case eventId = "event_id"
    case remote
    case signature
    case status
    case source
    case upstreamStatus = "upstream_status"
    case upstreamMilliseconds = "upstream_ms"
    case redacted

    /// This field's bit in a set of seen fields.
    fileprivate var bit: UInt32 {
        switch self {
        case .version: 1 << 0
        case .seq: 1 << 1
        case .instance: 1 << 2
        case .receivedAt: 1 << 3
        case .method: 1 << 4
        case .path: 1 << 5
        case .query: 1 << 6
        case .headers: 1 << 7
        case .body: 1 << 8
        case .bodyBase64: 1 << 9
        case .type: 1 << 10
        case .eventId: 1 << 11
        case .remote: 1 << 12
        case .signature: 1 << 13
        case .status: 1 << 14
        case .source: 1 << 15
        case .upstreamStatus: 1 << 16
        case .upstreamMilliseconds: 1 << 17
        case .redacted: 1 << 18
        }
    }

    /// Fields every record must carry (besides one of `body` / `body_b64`).
    static let required: [RecordField] = [.version, .seq, .instance, .receivedAt, .method, .path, .query, .headers]

    fileprivate var staticName: StaticString {
        switch self {
        case .version: "v"
        case .seq: "seq"
        case .instance: "instance"
        case .receivedAt: "received_at"
        case .method: "method"
        case .path: "path"
        case .query: "query"
        case .headers: "headers"
        case .body: "body"
        case .bodyBase64: "body_b64"
        case .type: "type"
        case .eventId: "event_id"
        case .remote: "remote"
        case .signature: "signature"
        case .status: "status"
        case .source: "source"
        case .upstreamStatus: "upstream_status"
        case .upstreamMilliseconds: "upstream_ms"
        case .redacted: "redacted"
        }
    }
}

/// Why a line is not a record.
public enum RecordLineError: Error, Sendable, Equatable, CustomStringConvertible {
    case notJSON(JSONSyntaxError)
    case missingField(String)
    case wrongType(field: String, expected: String)
    case unsupportedVersion(Int64)
    case invalidTimestamp(field: String)
    case invalidBase64(field: String)
    case tooLong(Int)

    public var description: String {
        switch self {
        case .notJSON(let error): "not valid JSON: \(error)"
        case .missingField(let name): "missing required field '\(name)'"
        case .wrongType(let field, let expected): "field '\(field)' is not \(expected)"
        case .unsupportedVersion(let version): "unsupported format version \(version) (this hookreel reads v\(RecordedRequest.formatVersion))"
        case .invalidTimestamp(let field): "field '\(field)' is not an RFC 3339 timestamp"
        case .invalidBase64(let field): "field '\(field)' is not valid base64"
        case .tooLong(let count): "line of \(count) bytes is longer than \(JSONScanner.maximumInputSize)"
        }
    }
}

// MARK: - Encoding

extension RecordedRequest {
    /// Appends this record as one NDJSON line, ending in `\n`.
    public func appendLine(to json: inout JSONWriter) {
        json.raw("{\"v\":")
        json.integer(Self.formatVersion)
        json.raw(",\"seq\":")
        json.integer(seq)
        json.raw(",\"instance\":")
        json.string(instance)
        json.raw(",\"received_at\":\"")
        receivedAt.appendRFC3339(to: &json)
        json.raw("\",\"method\":")
        json.string(method)
        json.raw(",\"path\":")
        json.string(path)
        json.raw(",\"query\":")
        json.string(query)
        json.raw(",\"headers\":{")
        for (index, header) in headers.enumerated() {
            if index > 0 { json.raw(",") }
            json.string(header.name)
            json.raw(":")
            json.string(header.value)
        }
        json.raw("}")
        body.withUnsafeBufferPointer { bodyBytes in
            let keyStart = json.count
            json.raw(",\"body\":")
            // The writer reports an all-ASCII body, the usual case, as it goes.
            let isASCII = json.string(utf8: bodyBytes)
            if !isASCII, !isValidUTF8(bodyBytes) {
                json.truncate(to: keyStart)
                json.raw(",\"body_b64\":\"")
                Data(bodyBytes).base64EncodedData().withUnsafeBytes { json.append($0) }
                json.raw("\"")
            }
        }
        if let type { json.raw(",\"type\":"); json.string(type) }
        if let eventId { json.raw(",\"event_id\":"); json.string(eventId) }
        if let remote { json.raw(",\"remote\":"); json.string(remote) }
        if let signature { json.raw(",\"signature\":"); json.string(signature.rawValue) }
        if let status { json.raw(",\"status\":"); json.integer(status) }
        if let source { json.raw(",\"source\":"); json.string(source.rawValue) }
        if let upstreamStatus { json.raw(",\"upstream_status\":"); json.integer(upstreamStatus) }
        if let upstreamMilliseconds { json.raw(",\"upstream_ms\":"); json.number(upstreamMilliseconds) }
        if let redacted {
            json.raw(",\"redacted\":[")
            for (index, pointer) in redacted.enumerated() {
                if index > 0 { json.raw(",") }
                json.string(pointer)
            }
            json.raw("]")
        }
        json.raw("}\n")
    }

    /// This record as one NDJSON line, ending in `\n`.
    public var line: [UInt8] {
        var json = JSONWriter(reservingCapacity: body.count + 512)
        appendLine(to: &json)
        return json.bytes
    }
}

/// Whether `bytes` is well-formed UTF-8 (the standard library's validator).
func isValidUTF8(_ bytes: UnsafeBufferPointer<UInt8>) -> Bool {
    // Bodies are nearly always ASCII: check eight bytes at a time first.
    var asciiPrefix = 0
    if let base = bytes.baseAddress {
        while asciiPrefix + 8 <= bytes.count,
              UnsafeRawPointer(base + asciiPrefix).loadUnaligned(as: UInt64.self) & 0x8080_8080_8080_8080 == 0 {
            asciiPrefix += 8
        }
    }
    var iterator = UnsafeBufferPointer(rebasing: bytes[asciiPrefix...]).makeIterator()
    var decoder = UTF8()
    while true {
        switch decoder.decode(&iterator) {
        case .scalarValue: continue
        case .emptyInput: return true
        case .error: return false
        }
    }
}

// MARK: - Decoding

/// A validated record line whose fields are located but not yet materialised.
///
/// Parsing checks the whole line (JSON syntax, required fields and their types)
/// yet allocates nothing; callers that only filter or merge read `seq`,
/// `receivedAt` and `type`, and only callers that need the request call `decode()`.
public struct RecordLine: Sendable {
    /// The line's bytes, without the trailing newline.
    public let bytes: ArraySlice<UInt8>
    public let seq: Int64
    public let receivedAt: Timestamp
    fileprivate let slices: Slices

    fileprivate struct Slices: Sendable {
        var instance = JSONStringSlice(range: 0..<0, hasEscapes: false)
        var method = JSONStringSlice(range: 0..<0, hasEscapes: false)
        var path = JSONStringSlice(range: 0..<0, hasEscapes: false)
        var query = JSONStringSlice(range: 0..<0, hasEscapes: false)
        var headers: JSONStringSlice?  // the whole object, braces included
        var body: JSONStringSlice?
        var bodyIsBase64 = false
        var type: JSONStringSlice?
        var eventId: JSONStringSlice?
        var remote: JSONStringSlice?
        var signature: JSONStringSlice?
        var source: JSONStringSlice?
        var status: Int64?
        var upstreamStatus: Int64?
        var upstreamMilliseconds: JSONNumberSlice?
        var redacted: JSONStringSlice?  // the whole array, brackets included
    }

    /// Parses and validates `bytes` (one line, without its newline).
    public init(_ bytes: ArraySlice<UInt8>) throws(RecordLineError) {
        guard bytes.count < JSONScanner.maximumInputSize else { throw .tooLong(bytes.count) }
        self.bytes = bytes
        let result: Result<(Int64, Timestamp, Slices), RecordLineError> = bytes.withUnsafeBufferPointer { buffer in
            do throws(RecordLineError) {
                return .success(try Self.scan(buffer))
            } catch {
                return .failure(error)
            }
        }
        (seq, receivedAt, slices) = try result.get()
    }

    private static func scan(_ buffer: UnsafeBufferPointer<UInt8>) throws(RecordLineError) -> (Int64, Timestamp, Slices) {
        var scanner = JSONScanner(buffer)
        var slices = Slices()
        var version: Int64?
        var seq: Int64?
        var receivedAt: Timestamp?
        var seen: UInt32 = 0  // bit per RecordField.bit
        var failure: RecordLineError?

        func string(_ scanner: inout JSONScanner, _ field: RecordField) throws(JSONSyntaxError) -> JSONStringSlice? {
            guard scanner.peekAfterWhitespace() == UInt8(ascii: "\"") else {
                failure = failure ?? .wrongType(field: field.rawValue, expected: "a string")
                try scanner.skipValue()
                return nil
            }
            return try scanner.scanString()
        }
        func integer(_ scanner: inout JSONScanner, _ field: RecordField) throws(JSONSyntaxError) -> Int64? {
            guard let first = scanner.peekAfterWhitespace(), first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
                failure = failure ?? .wrongType(field: field.rawValue, expected: "an integer")
                try scanner.skipValue()
                return nil
            }
            let number = try scanner.scanNumber()
            guard let value = scanner.integerValue(number) else {
                failure = failure ?? .wrongType(field: field.rawValue, expected: "an integer")
                return nil
            }
            return value
        }

        do throws(JSONSyntaxError) {
            try scanner.scanRecordMembers { scanner, field throws(JSONSyntaxError) in
                guard let field else {
                    try scanner.skipValue()
                    return
                }
                seen |= field.bit
                switch field {
                case .version: version = try integer(&scanner, field)
                case .seq: seq = try integer(&scanner, field)
                case .instance: slices.instance = try string(&scanner, field) ?? slices.instance
                case .receivedAt:
                    if let slice = try string(&scanner, field) {
                        receivedAt = slice.hasEscapes ? nil : Timestamp(rfc3339Bytes: UnsafeRawBufferPointer(UnsafeBufferPointer(rebasing: buffer[slice.range])))
                        if receivedAt == nil { failure = failure ?? .invalidTimestamp(field: field.rawValue) }
                    }
                case .method: slices.method = try string(&scanner, field) ?? slices.method
                case .path: slices.path = try string(&scanner, field) ?? slices.path
                case .query: slices.query = try string(&scanner, field) ?? slices.query
                case .headers:
                    let start = scanner.index
                    var allStrings = true
                    if scanner.peekAfterWhitespace() == UInt8(ascii: "{") {
                        try scanner.scanObject { scanner, _ throws(JSONSyntaxError) in
                            if scanner.peekAfterWhitespace() == UInt8(ascii: "\"") {
                                _ = try scanner.scanString()
                            } else {
                                allStrings = false
                                try scanner.skipValue()
                            }
                        }
                        if allStrings { slices.headers = JSONStringSlice(range: start..<scanner.index, hasEscapes: false) }
                    } else {
                        try scanner.skipValue()
                        allStrings = false
                    }
                    if !allStrings { failure = failure ?? .wrongType(field: field.rawValue, expected: "an object of strings") }
                case .body, .bodyBase64:
                    if let slice = try string(&scanner, field) {
                        slices.body = slice
                        slices.bodyIsBase64 = field == .bodyBase64
                        // Checked here, so that a reader skips such a line with
                        // its location instead of replaying an empty body.
                        if field == .bodyBase64, Data(base64Encoded: Data(scanner.decodeBytes(slice))) == nil {
                            failure = failure ?? .invalidBase64(field: field.rawValue)
                        }
                    }
                case .type: slices.type = try string(&scanner, field)
                case .eventId: slices.eventId = try string(&scanner, field)
                case .remote: slices.remote = try string(&scanner, field)
                case .signature: slices.signature = try string(&scanner, field)
                case .source: slices.source = try string(&scanner, field)
                case .status: slices.status = try integer(&scanner, field)
                case .upstreamStatus: slices.upstreamStatus = try integer(&scanner, field)
                case .upstreamMilliseconds:
                    guard let first = scanner.peekAfterWhitespace(), first == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
                        failure = failure ?? .wrongType(field: field.rawValue, expected: "a number")
                        try scanner.skipValue()
                        return
                    }
                    slices.upstreamMilliseconds = try scanner.scanNumber()
                case .redacted:
                    // The slice starts at the bracket: `decodeStrings(inArray:)` reads from there.
                    _ = scanner.peekAfterWhitespace()
                    let start = scanner.index
                    if try scanner.scanArrayOfStrings() {
                        slices.redacted = JSONStringSlice(range: start..<scanner.index, hasEscapes: false)
                    } else {
                        failure = failure ?? .wrongType(field: field.rawValue, expected: "an array of strings")
                    }
                }
            }
            scanner.skipWhitespace()
            if !scanner.isAtEnd { throw scanner.error("unexpected data after the object") }
        } catch {
            throw .notJSON(error)
        }
        if let failure { throw failure }
        for field in RecordField.required where seen & field.bit == 0 {
            throw .missingField(field.rawValue)
        }
        guard slices.body != nil else { throw .missingField("body") }
        if let version, version > Int64(RecordedRequest.formatVersion) || version < 1 {
            throw .unsupportedVersion(version)
        }
        guard let seq, let receivedAt else { throw .missingField("seq") }
        return (seq, receivedAt, slices)
    }

    /// Runs `body` with a scanner over this line.
    private func withScanner<T>(_ body: (JSONScanner) -> T) -> T {
        bytes.withUnsafeBufferPointer { body(JSONScanner($0)) }
    }

    private func string(_ slice: JSONStringSlice?) -> String? {
        guard let slice else { return nil }
        return withScanner { $0.decodeString(slice) }
    }

    public var instance: String { string(slices.instance)! }

    /// The record's `type`, if it has one.
    public var type: String? { string(slices.type) }

    /// Whether the stored body was redacted (`record --redact`).
    public var isRedacted: Bool { slices.redacted != nil }

    /// The pointers redacted in the stored body (`record --redact`); nil when it was not.
    public var redacted: [String]? {
        guard let slice = slices.redacted else { return nil }
        return withScanner { $0.decodeStrings(inArray: slice) }
    }

    /// Whether the record's `type` matches `pattern` (false when it has no type).
    public func typeMatches(_ pattern: EventTypePattern) -> Bool {
        guard let slice = slices.type else { return false }
        return withScanner { scanner in
            if slice.hasEscapes {
                return scanner.decodeBytes(slice).withUnsafeBufferPointer { pattern.matches($0) }
            }
            return pattern.matches(UnsafeBufferPointer(rebasing: scanner.bytes[slice.range]))
        }
    }

    /// The exact request body bytes.
    public var body: [UInt8] {
        let slice = slices.body!
        return withScanner { scanner in
            let text = scanner.decodeBytes(slice)
            guard slices.bodyIsBase64 else { return text }
            // Validated when the line was parsed.
            return Array(Data(base64Encoded: Data(text))!)
        }
    }

    /// The value of the recorded header called `name` (compared
    /// case-insensitively), found without materialising the record.
    public func header(_ name: String) -> String? {
        guard let range = slices.headers?.range else { return nil }
        // HTTP names are ASCII: fold A-Z on both sides (lines from other tools may keep capitals).
        func folded(_ byte: UInt8) -> UInt8 { (0x41...0x5A).contains(byte) ? byte | 0x20 : byte }
        let wanted = name.utf8.map(folded)
        return withScanner { scanner in
            var headerScanner = scanner
            headerScanner.index = range.lowerBound
            var found: String?
            // Already validated as an object of strings; this cannot fail.
            try? headerScanner.scanObject { headerScanner, key throws(JSONSyntaxError) in
                let value = try headerScanner.scanString()
                if found == nil, headerScanner.decodeBytes(key).lazy.map(folded).elementsEqual(wanted) { found = headerScanner.decodeString(value) }
            }
            return found
        }
    }

    /// Materialises the whole record.
    public func decode() -> RecordedRequest {
        withScanner { scanner in
            var headers: [HeaderField] = []
            if let range = slices.headers?.range {
                var headerScanner = scanner
                headerScanner.index = range.lowerBound
                // Already validated as an object of strings; this cannot fail.
                try? headerScanner.scanObject { headerScanner, key throws(JSONSyntaxError) in
                    let value = try headerScanner.scanString()
                    headers.append(HeaderField(name: headerScanner.decodeString(key), value: headerScanner.decodeString(value)))
                }
            }
            return RecordedRequest(
                seq: seq,
                instance: scanner.decodeString(slices.instance),
                receivedAt: receivedAt,
                method: scanner.decodeString(slices.method),
                path: scanner.decodeString(slices.path),
                query: scanner.decodeString(slices.query),
                headers: headers,
                body: body,
                type: slices.type.map { scanner.decodeString($0) },
                eventId: slices.eventId.map { scanner.decodeString($0) },
                remote: slices.remote.map { scanner.decodeString($0) },
                signature: slices.signature.map { SignatureVerdict(rawValue: scanner.decodeString($0)) },
                status: slices.status.map { Int($0) },
                source: slices.source.map { RecordSource(rawValue: scanner.decodeString($0)) },
                upstreamStatus: slices.upstreamStatus.map { Int($0) },
                upstreamMilliseconds: slices.upstreamMilliseconds.flatMap { scanner.doubleValue($0) },
                redacted: slices.redacted.map { scanner.decodeStrings(inArray: $0) }
            )
        }
    }
}

extension RecordField {
    /// The field the writer puts after this one, if it is there.
    fileprivate var next: RecordField? {
        switch self {
        case .version: .seq
        case .seq: .instance
        case .instance: .receivedAt
        case .receivedAt: .method
        case .method: .path
        case .path: .query
        case .query: .headers
        case .headers: .body
        case .body, .bodyBase64: .type
        case .type: .eventId
        case .eventId: .remote
        case .remote: .signature
        case .signature: .status
        case .status: .source
        case .source: .upstreamStatus
        case .upstreamStatus: .upstreamMilliseconds
        case .upstreamMilliseconds: .redacted
        case .redacted: nil
        }
    }

    /// The key as it stands in a line the writer wrote: quoted, then a colon.
    fileprivate var writtenKey: StaticString {
        switch self {
        case .version: #""v":"#
        case .seq: #""seq":"#
        case .instance: #""instance":"#
        case .receivedAt: #""received_at":"#
        case .method: #""method":"#
        case .path: #""path":"#
        case .query: #""query":"#
        case .headers: #""headers":"#
        case .body: #""body":"#
        case .bodyBase64: #""body_b64":"#
        case .type: #""type":"#
        case .eventId: #""event_id":"#
        case .remote: #""remote":"#
        case .signature: #""signature":"#
        case .status: #""status":"#
        case .source: #""source":"#
        case .upstreamStatus: #""upstream_status":"#
        case .upstreamMilliseconds: #""upstream_ms":"#
        case .redacted: #""redacted":"#
        }
    }

    /// The field a scanned key names, or nil for a field this version does not know.
    static func matching(_ key: JSONStringSlice, in scanner: JSONScanner) -> RecordField? {
        if key.hasEscapes {
            return allCases.first { scanner.string(key, equals: $0.staticName) }
        }
        // Dispatch on length and first byte, then confirm: one comparison per key.
        let candidate: RecordField?
        let first = scanner.bytes[key.range.lowerBound]
        switch key.range.count {
        case 1: candidate = .version
        case 3: candidate = .seq
        case 4: candidate = first == UInt8(ascii: "p") ? .path : first == UInt8(ascii: "b") ? .body : .type
        case 5: candidate = .query
        case 6:
            switch first {
            case UInt8(ascii: "m"): candidate = .method
            case UInt8(ascii: "r"): candidate = .remote
            default: candidate = scanner.bytes[key.range.lowerBound + 2] == UInt8(ascii: "a") ? .status : .source
            }
        case 7: candidate = .headers
        case 8:
            switch first {
            case UInt8(ascii: "i"): candidate = .instance
            case UInt8(ascii: "b"): candidate = .bodyBase64
            case UInt8(ascii: "r"): candidate = .redacted
            default: candidate = .eventId
            }
        case 9: candidate = .signature
        case 11: candidate = first == UInt8(ascii: "r") ? .receivedAt : .upstreamMilliseconds
        case 15: candidate = .upstreamStatus
        default: candidate = nil
        }
        guard let candidate, scanner.string(key, equals: candidate.staticName) else { return nil }
        return candidate
    }
}

extension JSONScanner {
    /// Walks the members of a record's object like `scanObject`, calling
    /// `member` with the field each key names (nil for an unknown one).
    /// Keys are expected in the writer's order, as it writes them (no
    /// whitespace, no escapes): such a key is compared whole, with its quotes
    /// and colon, instead of scanned and looked up. Any other is scanned.
    fileprivate mutating func scanRecordMembers(
        _ member: (inout JSONScanner, RecordField?) throws(JSONSyntaxError) -> Void
    ) throws(JSONSyntaxError) {
        try expect(UInt8(ascii: "{"), "'{'")
        if consume(UInt8(ascii: "}")) { return }
        var expected: RecordField? = .version
        repeat {
            // The expected field, or one the writer puts after it (optional ones may be absent).
            var field = expected
            while let guess = field, !consume(guess.writtenKey) { field = guess.next }
            if field == nil {
                let key = try scanString()
                try expect(UInt8(ascii: ":"), "':'")
                field = RecordField.matching(key, in: self)
            }
            try member(&self, field)
            expected = field?.next
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "}"), "',' or '}'")
    }

    /// Consumes `text` if the bytes at the cursor are exactly it.
    @inline(__always)
    private mutating func consume(_ text: StaticString) -> Bool {
        let count = text.utf8CodeUnitCount
        guard index + count <= bytes.count, memcmpEqual(bytes.baseAddress! + index, text.utf8Start, count) else { return false }
        index += count
        return true
    }

    @inline(__always)
    mutating func peekAfterWhitespace() -> UInt8? {
        if let byte = peek(), byte > 0x20 { return byte }
        skipWhitespace()
        return peek()
    }

    /// Reads an array, returning whether every element is a string (the
    /// array is read and validated either way).
    mutating func scanArrayOfStrings() throws(JSONSyntaxError) -> Bool {
        guard peekAfterWhitespace() == UInt8(ascii: "[") else {
            try skipValue()
            return false
        }
        index += 1
        if consume(UInt8(ascii: "]")) { return true }
        var allStrings = true
        repeat {
            if peekAfterWhitespace() == UInt8(ascii: "\"") {
                _ = try scanString()
            } else {
                allStrings = false
                try skipValue(depth: 1)
            }
        } while consume(UInt8(ascii: ","))
        try expect(UInt8(ascii: "]"), "',' or ']'")
        return allStrings
    }

    /// The strings of an array `scanArrayOfStrings` accepted.
    func decodeStrings(inArray slice: JSONStringSlice) -> [String] {
        var strings: [String] = []
        var scanner = JSONScanner(UnsafeBufferPointer(rebasing: bytes[slice.range]))
        scanner.index = 1
        if scanner.consume(UInt8(ascii: "]")) { return strings }
        repeat {
            guard let string = try? scanner.scanString() else { break }
            strings.append(scanner.decodeString(string))
        } while scanner.consume(UInt8(ascii: ","))
        return strings
    }
}
