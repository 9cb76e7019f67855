import Crypto

/// A JSON Pointer (RFC 6901) naming values to redact, with `*` standing for
/// every element of an array: `/Job/InputArguments`, `/QueueItems/*/SpecificContent`.
public struct RedactionPointer: Sendable, Hashable, CustomStringConvertible {
    /// The pointer as written.
    public let description: String
    /// Reference tokens with `~1` and `~0` resolved.
    let tokens: [[UInt8]]

    public init(parsing text: String) throws(RedactionPointerError) {
        guard text.isEmpty || text.hasPrefix("/") else {
            throw RedactionPointerError(pointer: text, reason: "a JSON Pointer starts with '/' (or is empty for the whole body)")
        }
        var tokens: [[UInt8]] = []
        for (position, token) in text.utf8.split(separator: UInt8(ascii: "/"), omittingEmptySubsequences: false).dropFirst().enumerated() {
            var unescaped: [UInt8] = []
            var bytes = token.makeIterator()
            while let byte = bytes.next() {
                guard byte == UInt8(ascii: "~") else { unescaped.append(byte); continue }
                switch bytes.next() {
                case UInt8(ascii: "0"): unescaped.append(UInt8(ascii: "~"))
                case UInt8(ascii: "1"): unescaped.append(UInt8(ascii: "/"))
                default:
                    throw RedactionPointerError(pointer: text, reason: "token \(position + 1) has '~' not followed by 0 or 1 (write ~0 for '~', ~1 for '/')")
                }
            }
            tokens.append(unescaped)
        }
        description = text
        self.tokens = tokens
    }

    /// Whether token `depth` names the array element at `index`.
    func matches(element index: Int, at depth: Int) -> Bool {
        let token = tokens[depth]
        return token == [UInt8(ascii: "*")] || token.elementsEqual(String(index).utf8)
    }
}

/// A `--redact` text that is not a JSON Pointer.
public struct RedactionPointerError: Error, Sendable, Equatable, CustomStringConvertible {
    public let pointer: String
    public let reason: String
    public var description: String { "'\(pointer)': \(reason)" }
}

/// Replaces the values that pointers name in a JSON body, byte for byte
/// around them: what is not redacted keeps its exact bytes (so the body stays
/// what the receiver would parse, minus the secrets). Replacements keep the
/// value's type family, so a receiver replayed against still parses them:
///
/// | value | marker | keyed hash |
/// |---|---|---|
/// | string | `"[redacted]"` | `"hmac:<32 hex>"` |
/// | object | `{}` | `{"hmac":"<32 hex>"}` |
/// | array | `[]` | `["hmac:<32 hex>"]` |
/// | number | `0` | an integer below 2^48 |
/// | true, false | `false` | `false` |
/// | null | `null` | `null` |
///
/// The keyed hash is HMAC-SHA256 over the value's bytes as received (a
/// string's decoded content), truncated to 128 bits: equal values give equal
/// hashes across records and recordings made with the same key.
public struct BodyRedaction: Sendable {
    enum Replacement: Sendable {
        case marker
        case keyedHash(SymmetricKey)
    }

    public enum Outcome: Sendable, Equatable {
        /// Valid JSON in which no pointer named a value: the body is kept as is.
        case unchanged
        /// The body with the named values replaced, and the pointers that named one.
        case redacted(body: [UInt8], pointers: [String])
        /// Not JSON: no pointer can apply.
        case notJSON
    }

    public let pointers: [RedactionPointer]
    let replacement: Replacement

    /// - Parameter hashKey: replace with keyed hashes under this key; nil for markers.
    public init(pointers: [RedactionPointer], hashKey: [UInt8]? = nil) {
        self.pointers = pointers
        replacement = hashKey.map { .keyedHash(SymmetricKey(data: $0)) } ?? .marker
    }

    public func apply(to body: [UInt8]) -> Outcome {
        let found: Result<[Match], JSONSyntaxError> = body.withUnsafeBufferPointer { buffer in
            var walk = RedactionWalk(scanner: JSONScanner(buffer), pointers: pointers)
            do throws(JSONSyntaxError) {
                try walk.value(active: pointers.indices.map { ($0, 0) }, depth: 0)
                walk.scanner.skipWhitespace()
                guard walk.scanner.isAtEnd else { throw walk.scanner.error("unexpected data after the value") }
                return .success(walk.matches)
            } catch {
                return .failure(error)
            }
        }
        guard case .success(let matches) = found else { return .notJSON }
        guard !matches.isEmpty else { return .unchanged }
        var output: [UInt8] = []
        output.reserveCapacity(body.count)
        var copied = 0
        for match in matches {
            output += body[copied..<match.range.lowerBound]
            output += replacementBytes(for: body[match.range])
            copied = match.range.upperBound
        }
        output += body[copied...]
        let named = Set(matches.map(\.pointer))
        return .redacted(body: output, pointers: pointers.indices.filter(named.contains).map { pointers[$0].description })
    }

    private func replacementBytes(for value: ArraySlice<UInt8>) -> [UInt8] {
        let first = value.first ?? UInt8(ascii: "n")
        switch replacement {
        case .marker:
            switch first {
            case UInt8(ascii: "\""): return Array(#""[redacted]""#.utf8)
            case UInt8(ascii: "{"): return Array("{}".utf8)
            case UInt8(ascii: "["): return Array("[]".utf8)
            case UInt8(ascii: "t"), UInt8(ascii: "f"): return Array("false".utf8)
            case UInt8(ascii: "n"): return Array("null".utf8)
            default: return Array("0".utf8)
            }
        case .keyedHash(let key):
            let content = first == UInt8(ascii: "\"") ? decodedString(value) : Array(value)
            let digest = Array(HMAC<SHA256>.authenticationCode(for: content, using: key))
            let hex = String(decoding: digest.prefix(16).flatMap { [Self.hexDigits[Int($0 >> 4)], Self.hexDigits[Int($0 & 15)]] },
                             as: UTF8.self)
            switch first {
            case UInt8(ascii: "\""): return Array("\"hmac:\(hex)\"".utf8)
            case UInt8(ascii: "{"): return Array("{\"hmac\":\"\(hex)\"}".utf8)
            case UInt8(ascii: "["): return Array("[\"hmac:\(hex)\"]".utf8)
            case UInt8(ascii: "t"), UInt8(ascii: "f"): return Array("false".utf8)
            case UInt8(ascii: "n"): return Array("null".utf8)
            default: return Array(String(digest.prefix(6).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }).utf8)
            }
        }
    }

    private static let hexDigits = Array("0123456789abcdef".utf8)

    /// A JSON string value's content, escapes resolved.
    private func decodedString(_ value: ArraySlice<UInt8>) -> [UInt8] {
        Array(value).withUnsafeBufferPointer { buffer in
            var scanner = JSONScanner(buffer)
            guard let slice = try? scanner.scanString() else { return Array(value) }
            return scanner.decodeBytes(slice)
        }
    }
}

/// A value a pointer named: where it lies in the body, and which pointer.
private struct Match {
    let range: Range<Int>
    let pointer: Int
}

/// One pass over a body: validates all of it and notes each value a pointer
/// names, without descending into a value once it is named.
private struct RedactionWalk {
    var scanner: JSONScanner
    let pointers: [RedactionPointer]
    var matches: [Match] = []

    init(scanner: JSONScanner, pointers: [RedactionPointer]) {
        self.scanner = scanner
        self.pointers = pointers
    }

    /// Reads one value; `active` holds the pointers still following this path
    /// and how many of their tokens it has matched.
    mutating func value(active: [(pointer: Int, depth: Int)], depth: Int) throws(JSONSyntaxError) {
        scanner.skipWhitespace()
        if let done = active.first(where: { pointers[$0.pointer].tokens.count == $0.depth }) {
            let start = scanner.index
            try scanner.skipValue(depth: depth)
            matches.append(Match(range: start..<scanner.index, pointer: done.pointer))
            return
        }
        guard !active.isEmpty, depth < JSONScanner.maximumDepth else {
            try scanner.skipValue(depth: depth)
            return
        }
        switch scanner.peek() {
        case UInt8(ascii: "{"):
            scanner.index += 1
            if scanner.consume(UInt8(ascii: "}")) { return }
            repeat {
                let name = scanner.decodeBytes(try scanner.scanString())
                try scanner.expect(UInt8(ascii: ":"), "':'")
                let next = active.filter { pointers[$0.pointer].tokens[$0.depth] == name }.map { ($0.pointer, $0.depth + 1) }
                try value(active: next, depth: depth + 1)
            } while scanner.consume(UInt8(ascii: ","))
            try scanner.expect(UInt8(ascii: "}"), "',' or '}'")
        case UInt8(ascii: "["):
            scanner.index += 1
            if scanner.consume(UInt8(ascii: "]")) { return }
            var index = 0
            repeat {
                let next = active.filter { pointers[$0.pointer].matches(element: index, at: $0.depth) }.map { ($0.pointer, $0.depth + 1) }
                try value(active: next, depth: depth + 1)
                index += 1
            } while scanner.consume(UInt8(ascii: ","))
            try scanner.expect(UInt8(ascii: "]"), "',' or ']'")
        default:
            try scanner.skipValue(depth: depth)
        }
    }
}
