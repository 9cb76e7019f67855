/// The envelope fields every Orchestrator event carries at its top level, found
/// with a targeted scan of the body (no full decode): what the recorder copies
/// into a record's `type` and `event_id`.
public struct EventEnvelope: Sendable, Equatable {
    public var type: String?
    public var eventId: String?

    public init(type: String? = nil, eventId: String? = nil) {
        self.type = type
        self.eventId = eventId
    }

    /// Scans `body`'s top-level members until both fields are found (Orchestrator
    /// puts them first, so the rest of a large body is not read); returns nil when
    /// the scanned part is not a JSON object. A `Type` that is not a string is left
    /// nil; an `EventId` number is kept as its text, since older payloads are
    /// loose about it. This finds fields; it does not validate the whole body.
    public init?(scanning body: UnsafeBufferPointer<UInt8>) {
        guard body.count < JSONScanner.maximumInputSize else { return nil }
        var scanner = JSONScanner(body)
        var envelope = EventEnvelope()
        do throws(JSONSyntaxError) {
            let isComplete = try scanner.scanObjectPrefix { scanner, key throws(JSONSyntaxError) in
                let isType = scanner.string(key, equals: "Type")
                let isEventId = !isType && scanner.string(key, equals: "EventId")
                guard isType || isEventId else {
                    try scanner.skipValue()
                    return true
                }
                switch scanner.peekAfterWhitespace() {
                case UInt8(ascii: "\""):
                    let value = scanner.decodeString(try scanner.scanString())
                    if isType { envelope.type = value } else { envelope.eventId = value }
                case .some(let byte) where isEventId && (byte == UInt8(ascii: "-") || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte)):
                    let number = try scanner.scanNumber()
                    envelope.eventId = String(decoding: UnsafeBufferPointer(rebasing: scanner.bytes[number.range]), as: UTF8.self)
                default:
                    try scanner.skipValue()
                }
                return envelope.type == nil || envelope.eventId == nil
            }
            if isComplete {
                scanner.skipWhitespace()
                guard scanner.isAtEnd else { return nil }
            }
        } catch {
            return nil
        }
        self = envelope
    }

    public init?(scanning body: [UInt8]) {
        guard let envelope = body.withUnsafeBufferPointer({ EventEnvelope(scanning: $0) }) else { return nil }
        self = envelope
    }
}
