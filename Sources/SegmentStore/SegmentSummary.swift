import EventModel
import Foundation

/// What a segment holds, as its trailer states it and as `inspect` reports it.
public struct SegmentSummary: Codable, Sendable, Equatable {
    public var records: Int = 0
    public var firstSeq: Int64?
    public var lastSeq: Int64?
    public var firstReceivedAt: Timestamp?
    public var lastReceivedAt: Timestamp?
    /// Records per event `type`; records without a type are not counted here.
    public var types: [String: Int] = [:]
    /// Bytes of NDJSON (newlines included) the segment decompresses to.
    public var uncompressedBytes: Int64 = 0
    /// Records whose body was redacted (`record --redact`, `hookreel redact`); nil when none was (and
    /// absent from trailers then, as in trailers written before it existed).
    public var redactedRecords: Int?

    public init() {}

    /// Counts one record whose line (without newline) is `line.bytes`.
    public mutating func add(_ line: RecordLine) {
        add(RecordSummaryFields(line), lineBytes: line.bytes.count)
    }

    mutating func add(_ fields: RecordSummaryFields, lineBytes: Int) {
        let (seq, receivedAt, type) = (fields.seq, fields.receivedAt, fields.type)
        if fields.isRedacted { redactedRecords = (redactedRecords ?? 0) + 1 }
        records += 1
        if firstSeq == nil { firstSeq = seq }
        lastSeq = seq
        firstReceivedAt = min(firstReceivedAt ?? receivedAt, receivedAt)
        lastReceivedAt = max(lastReceivedAt ?? receivedAt, receivedAt)
        if let type { types[type, default: 0] += 1 }
        uncompressedBytes += Int64(lineBytes + 1)
    }

    /// Folds another segment's summary into this one (segments in order).
    public mutating func merge(_ other: SegmentSummary) {
        records += other.records
        firstSeq = firstSeq ?? other.firstSeq
        lastSeq = other.lastSeq ?? lastSeq
        if let first = other.firstReceivedAt { firstReceivedAt = min(firstReceivedAt ?? first, first) }
        if let last = other.lastReceivedAt { lastReceivedAt = max(lastReceivedAt ?? last, last) }
        types.merge(other.types, uniquingKeysWith: +)
        uncompressedBytes += other.uncompressedBytes
        if let redacted = other.redactedRecords { redactedRecords = (redactedRecords ?? 0) + redacted }
    }

    enum CodingKeys: String, CodingKey {
        case records
        case firstSeq = "first_seq"
        case lastSeq = "last_seq"
        case firstReceivedAt = "first_received_at"
        case lastReceivedAt = "last_received_at"
        case types
        case uncompressedBytes = "uncompressed_bytes"
        case redactedRecords = "redacted_records"
    }
}

/// What a segment's summary counts of one record.
struct RecordSummaryFields {
    let seq: Int64
    let receivedAt: Timestamp
    let type: String?
    let isRedacted: Bool

    init(seq: Int64, receivedAt: Timestamp, type: String?, isRedacted: Bool) {
        self.seq = seq
        self.receivedAt = receivedAt
        self.type = type
        self.isRedacted = isRedacted
    }

    init(_ record: RecordedRequest) {
        self.init(seq: record.seq, receivedAt: record.receivedAt, type: record.type, isRedacted: record.redacted != nil)
    }

    init(_ line: RecordLine) {
        self.init(seq: line.seq, receivedAt: line.receivedAt, type: line.type, isRedacted: line.isRedacted)
    }
}

/// The trailer: a zstd skippable frame at the end of a sealed segment holding
/// the segment's summary as JSON. `zstdcat` skips it; `inspect` finds it by
/// reading the file's last bytes.
///
///     magic (u32 LE) | size (u32 LE) | JSON | JSON length (u32 LE) | "HRT1"
///
/// The length-and-tag footer lets a reader locate the frame from the end.
enum SegmentTrailer {
    /// One of zstd's skippable-frame magics (0x184D2A50...5F).
    static let magic: UInt32 = 0x184D_2A53
    /// Marks the end of a hookreel trailer, version 1.
    static let footerTag: [UInt8] = Array("HRT1".utf8)
    static let footerSize = 8
    static let headerSize = 8
    /// A trailer larger than this is not believed (guards a corrupt length).
    static let maximumJSONSize = 1 << 20

    struct Payload: Codable {
        var v = 1
        var instance: String?
        var summary: SegmentSummary

        enum CodingKeys: String, CodingKey { case v, instance, summary }
    }

    static func encode(_ summary: SegmentSummary, instance: String?) -> [UInt8] {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings and integers cannot fail.
        let json = Array(try! encoder.encode(Payload(instance: instance, summary: summary)))
        var frame: [UInt8] = []
        frame.reserveCapacity(json.count + headerSize + footerSize)
        appendLittleEndian(magic, to: &frame)
        appendLittleEndian(UInt32(json.count + footerSize), to: &frame)
        frame += json
        appendLittleEndian(UInt32(json.count), to: &frame)
        frame += footerTag
        return frame
    }

    /// Reads the trailer of the file at `path`, or nil when it has none (a
    /// segment made by another tool) or it does not decode.
    static func read(_ file: PosixFile) throws(SegmentStoreError) -> SegmentSummary? {
        let size = try file.size()
        guard size >= Int64(headerSize + footerSize) else { return nil }
        let footer = try file.readAt(offset: size - Int64(footerSize), count: footerSize)
        guard footer.count == footerSize, Array(footer[4...]) == footerTag else { return nil }
        let jsonSize = Int(littleEndian(footer, at: 0))
        let frameSize = Int64(headerSize + jsonSize + footerSize)
        guard jsonSize <= maximumJSONSize, frameSize <= size else { return nil }
        let frame = try file.readAt(offset: size - frameSize, count: headerSize + jsonSize)
        guard frame.count == headerSize + jsonSize,
              littleEndian(frame, at: 0) == magic,
              Int(littleEndian(frame, at: 4)) == jsonSize + footerSize
        else { return nil }
        return try? JSONDecoder().decode(Payload.self, from: Data(frame[headerSize...])).summary
    }

    private static func appendLittleEndian(_ value: UInt32, to bytes: inout [UInt8]) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    private static func littleEndian(_ bytes: [UInt8], at offset: Int) -> UInt32 {
        (0..<4).reduce(UInt32(0)) { $0 | UInt32(bytes[offset + $1]) << (8 * $1) }
    }
}
