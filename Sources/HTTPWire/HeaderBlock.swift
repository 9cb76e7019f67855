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
        for span in spans {
            let name = String(decoding: bytes[span.name].lazy.map(\.lowercasedASCII), as: UTF8.self)
            let value = String(decoding: bytes[span.value], as: UTF8.self)
            if let index = fields.firstIndex(where: { $0.name == name }) {
                fields[index].value += ", " + value
            } else {
                fields.append((name, value))
            }
        }
        return fields
    }
}
