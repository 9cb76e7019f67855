import EventModel

/// A JSON value whose object members keep the order they were given in, for
/// the free-form parts of a payload (`SpecificContent`, `Output`,
/// `InputArguments`, `OutputArguments`, `ExecutionSettings`). Dictionary
/// literals keep their written order, so `["Amount": 12.5, "Currency": "EUR"]`
/// always serializes in that order.
public indirect enum JSONValue: Sendable, Hashable {
    case null
    case bool(Bool)
    case integer(Int)
    /// Non-finite values are written as `null` (JSON has no NaN/infinity).
    case double(Double)
    case string(String)
    case array([JSONValue])
    case object([Member])

    public struct Member: Sendable, Hashable {
        public var name: String
        public var value: JSONValue
        public init(_ name: String, _ value: JSONValue) {
            self.name = name
            self.value = value
        }
    }

    func write(to writer: inout JSONWriter) {
        switch self {
        case .null: writer.raw("null")
        case .bool(let value): value ? writer.raw("true") : writer.raw("false")
        case .integer(let value): writer.integer(value)
        case .double(let value): value.isFinite ? writer.number(value) : writer.raw("null")
        case .string(let value): writer.string(value)
        case .array(let elements):
            writer.array(elements) { $1.write(to: &$0) }
        case .object(let members):
            writer.raw("{")
            for (index, member) in members.enumerated() {
                if index > 0 { writer.raw(",") }
                writer.string(member.name)
                writer.raw(":")
                member.value.write(to: &writer)
            }
            writer.raw("}")
        }
    }
}

extension JSONValue: ExpressibleByNilLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByStringLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral {
    public init(nilLiteral: ()) { self = .null }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .integer(value) }
    public init(floatLiteral value: Double) { self = .double(value) }
    public init(stringLiteral value: String) { self = .string(value) }
    public init(arrayLiteral elements: JSONValue...) { self = .array(elements) }
    public init(dictionaryLiteral elements: (String, JSONValue)...) {
        self = .object(elements.map { Member($0.0, $0.1) })
    }
}

/// A JSON value already serialized to bytes. Snapshots hold their free-form
/// parts this way so that an item's `SpecificContent`, written in three or four
/// events of one lifecycle, is encoded once and then copied.
public struct JSONFragment: Sendable, Hashable {
    public let bytes: [UInt8]

    public init(_ value: JSONValue) {
        var writer = JSONWriter(reservingCapacity: 64)
        value.write(to: &writer)
        bytes = writer.bytes
    }

    public static let null = JSONFragment(.null)
    public static let emptyObject = JSONFragment(.object([]))
}
