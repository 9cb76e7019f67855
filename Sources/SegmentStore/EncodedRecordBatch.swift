import EventModel

/// Records encoded ahead of `SegmentWriter.append(_:)`, so that one thread can
/// encode while another compresses (storms do: encoding right after a body is
/// built finds it still in cache). Owned by one thread at a time: filled by
/// one, handed over, appended by the writer's owner, handed back.
public final class EncodedRecordBatch: @unchecked Sendable {
    private struct Entry {
        /// Where the record's line (ending in `\n`) ends in `lines`.
        let end: Int
        let fields: RecordSummaryFields
    }

    /// Every line, back to back; roomy enough that escaping a usual body
    /// needs no count first (see `JSONWriter.string(utf8:)`).
    private var lines = JSONWriter(reservingCapacity: 256 * 1024)
    private var entries: [Entry] = []

    public init() {}

    public var count: Int { entries.count }

    /// Encodes `record` as its line in the recording.
    public func append(_ record: RecordedRequest) {
        record.appendLine(to: &lines)
        entries.append(Entry(end: lines.count, fields: RecordSummaryFields(record)))
    }

    /// Empties the batch for reuse, keeping its buffers.
    public func removeAll() {
        lines.truncate(to: 0)
        entries.removeAll(keepingCapacity: true)
    }

    /// Calls `body` with each line (ending in `\n`) and its record's summary fields, in order.
    func forEachLine<Failure: Error>(
        _ body: (UnsafeRawBufferPointer, RecordSummaryFields) throws(Failure) -> Void
    ) throws(Failure) {
        try lines.withUnsafeBytes { (all: UnsafeRawBufferPointer) throws(Failure) in
            var start = 0
            for entry in entries {
                try body(UnsafeRawBufferPointer(rebasing: all[start..<entry.end]), entry.fields)
                start = entry.end
            }
        }
    }
}
