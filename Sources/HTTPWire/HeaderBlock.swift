/// Where one field line's name and value lie in a head's bytes.
struct FieldSpan: Sendable, Hashable {
    var nameStart: UInt32
    var nameEnd: UInt32
    var valueStart: UInt32
    /// The end of the value as received: trailing whitespace stays (NIOHTTP1 keeps it
    /// too, so records stay byte-for-byte what they were).
    var valueEnd: UInt32

    var name: Range<Int> { Int(nameStart)..<Int(nameEnd) }
    var value: Range<Int> { Int(valueStart)..<Int(valueEnd) }
}

/// A head as received, with its field lines located but nothing decoded: names,
/// values and strings are made only when asked for.
public struct HeaderBlock: Sendable, RandomAccessCollection {
    /// The head's bytes as received, from the start line to the empty line.
    public let bytes: [UInt8]
    let spans: [FieldSpan]

    init(bytes: [UInt8], spans: [FieldSpan]) {
        self.bytes = bytes
        self.spans = spans
    }

    /// One field line: its name and value share the head's storage.
    public struct Field: Sendable {
        public let name: ArraySlice<UInt8>
        /// Without leading whitespace; trailing whitespace as received.
        public let value: ArraySlice<UInt8>

        public var nameString: String { String(decoding: name, as: UTF8.self) }
        public var valueString: String { String(decoding: value, as: UTF8.self) }
    }

    public var startIndex: Int { spans.startIndex }
    public var endIndex: Int { spans.endIndex }

    public subscript(position: Int) -> Field {
        let span = spans[position]
        return Field(name: bytes[span.name], value: bytes[span.value])
    }

    /// The field lines as received, each with its CRLF, and the empty line.
    public var fieldLines: ArraySlice<UInt8> {
        bytes[(spans.first.map { Int($0.nameStart) } ?? bytes.count - 2)...]
    }

    /// The value of the first field called `name` (compared case-insensitively).
    public func value(named name: String) -> ArraySlice<UInt8>? {
        let wanted = Array(name.utf8.lazy.map(\.lowercasedASCII))
        return spans.first { bytes[$0.name].lazy.map(\.lowercasedASCII).elementsEqual(wanted) }.map { bytes[$0.value] }
    }

    /// The fields as the recorder records them: names lower-cased, in order of
    /// first appearance, the values of repeated names joined with ", ".
    public func recordedFields() -> [(name: String, value: String)] {
        var fields: [(name: String, value: String)] = []
        fields.reserveCapacity(spans.count)
        // For each field so far, the span that named it first: repeats are found
        // by comparing bytes, before any string is made.
        return withUnsafeTemporaryAllocation(of: FieldSpan.self, capacity: spans.count) { firstSpans in
            for span in spans {
                let value = String(decoding: bytes[span.value], as: UTF8.self)
                if let field = firstSpans.prefix(fields.count).firstIndex(where: { namesMatch($0, span) }) {
                    fields[field].value += ", " + value
                } else {
                    firstSpans[fields.count] = span
                    fields.append((lowercasedName(span), value))
                }
            }
            return fields
        }
    }

    private func namesMatch(_ a: FieldSpan, _ b: FieldSpan) -> Bool {
        a.name.count == b.name.count && bytes[a.name].elementsEqual(bytes[b.name]) { $0.lowercasedASCII == $1.lowercasedASCII }
    }

    /// A field name lower-cased (names are tokens: ASCII).
    private func lowercasedName(_ span: FieldSpan) -> String {
        String(unsafeUninitializedCapacity: span.name.count) { buffer in
            for (offset, byte) in bytes[span.name].enumerated() { buffer[offset] = byte.lowercasedASCII }
            return span.name.count
        }
    }
}
