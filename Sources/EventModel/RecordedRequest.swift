/// One HTTP request as kept in a recording: a line of a segment
/// (`docs/recording-format.md`, "Records"). Field names on disk are in `RecordField`.
public struct RecordedRequest: Sendable, Equatable {
    /// The `v` this code writes and the highest it reads.
    public static let formatVersion = 1

    public var seq: Int64
    public var instance: String
    public var receivedAt: Timestamp
    public var method: String
    public var path: String
    /// The raw query string, `""` when there was none.
    public var query: String
    /// Lower-cased header names in arrival order; repeated headers already joined with `, `.
    public var headers: [HeaderField]
    /// The exact body bytes. Written as `body` when valid UTF-8, otherwise as `body_b64`.
    public var body: [UInt8]

    /// The event's `Type`, copied from the body.
    public var type: String?
    /// The event's `EventId`, copied from the body.
    public var eventId: String?
    /// The peer address `ip:port`.
    public var remote: String?
    public var signature: SignatureVerdict?
    /// The HTTP status the recorder answered.
    public var status: Int?
    public var source: RecordSource?
    /// Pass-through mode: what the real receiver answered (nil if unreachable).
    public var upstreamStatus: Int?
    /// Pass-through mode: the real receiver's response time.
    public var upstreamMilliseconds: Double?
    /// The JSON Pointers whose values were redacted in `body` before it was
    /// stored (`record --redact`): the body is no longer the one received,
    /// and its recorded signature no longer matches it. Nil when unredacted.
    public var redacted: [String]?

    public init(
        seq: Int64, instance: String, receivedAt: Timestamp,
        method: String = "POST", path: String, query: String = "",
        headers: [HeaderField], body: [UInt8],
        type: String? = nil, eventId: String? = nil, remote: String? = nil,
        signature: SignatureVerdict? = nil, status: Int? = nil, source: RecordSource? = nil,
        upstreamStatus: Int? = nil, upstreamMilliseconds: Double? = nil, redacted: [String]? = nil
    ) {
        self.seq = seq
        self.instance = instance
        self.receivedAt = receivedAt
        self.method = method
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.type = type
        self.eventId = eventId
        self.remote = remote
        self.signature = signature
        self.status = status
        self.source = source
        self.upstreamStatus = upstreamStatus
        self.upstreamMilliseconds = upstreamMilliseconds
        self.redacted = redacted
    }

    /// The value of the header called `name` (compared case-insensitively).
    public func header(_ name: String) -> String? {
        let lowered = name.lowercased()
        return headers.first { $0.name == lowered }?.value
    }
}

public struct HeaderField: Sendable, Equatable, Hashable {
    public var name: String
    public var value: String

    public init(name: String, value: String) {
        self.name = name
        self.value = value
    }
}

/// The recorder's verdict on `x-uipath-signature`. Open set: values written by a
/// newer version are kept as they are.
public struct SignatureVerdict: RawRepresentable, Sendable, Hashable {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let valid = SignatureVerdict(rawValue: "valid")
    public static let invalid = SignatureVerdict(rawValue: "invalid")
    public static let missing = SignatureVerdict(rawValue: "missing")
    public static let unchecked = SignatureVerdict(rawValue: "unchecked")
}

/// Where a record came from. Open set, like `SignatureVerdict`.
public struct RecordSource: RawRepresentable, Sendable, Hashable {
    public var rawValue: String
    public init(rawValue: String) { self.rawValue = rawValue }

    public static let recorded = RecordSource(rawValue: "recorded")
    public static let synthesized = RecordSource(rawValue: "synthesized")
}
