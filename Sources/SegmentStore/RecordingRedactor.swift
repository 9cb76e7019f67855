import EventModel

/// Writes a redacted copy of a recording (`hookreel redact`): every record
/// as it was (instance, seq, times, headers, signature verdict), its body
/// passed through a `BodyRedaction`, one `SegmentWriter` per instance.
public enum RecordingRedactor {
    public struct Result: Sendable {
        public var records = 0
        /// Records whose body had a value to redact.
        public var redactedRecords = 0
        /// Records whose body is not JSON, copied as they are.
        public var notJSONRecords = 0
        public var skippedRecords = 0
        public var sealedSegments: [String] = []
    }

    /// Reads all of `recording` (malformed records are reported and skipped)
    /// and writes the copy into `directory`.
    public static func redact(_ recording: Recording, with redaction: BodyRedaction, into directory: String,
                              options: SegmentWriter.Options, report: @escaping (ReadIssue) -> Void) throws(SegmentStoreError) -> Result {
        var writers: [String: SegmentWriter] = [:]
        var result = Result()
        let reader = RecordReader(recording) { issue in
            result.skippedRecords += 1
            report(issue)
        }
        while let located = reader.next() {
            var record = located.record.decode()
            switch redaction.apply(to: record.body) {
            case .unchanged:
                break
            case .notJSON:
                result.notJSONRecords += 1
            case .redacted(let body, let pointers):
                record.body = body
                // A redacted `Type` or `EventId` must not survive in the record's own fields.
                let envelope = EventEnvelope(scanning: body)
                (record.type, record.eventId) = (envelope?.type, envelope?.eventId)
                // A record redacted at capture keeps what it says, plus what this pass added.
                record.redacted = (record.redacted ?? []) + pointers.filter { !(record.redacted ?? []).contains($0) }
                result.redactedRecords += 1
            }
            let writer: SegmentWriter
            if let existing = writers[record.instance] {
                writer = existing
            } else {
                writer = try SegmentWriter(directory: directory, instance: record.instance, options: options)
                writers[record.instance] = writer
            }
            try writer.append(record)
            result.records += 1
        }
        for writer in writers.values.sorted(by: { $0.instance < $1.instance }) {
            try writer.seal()
            result.sealedSegments += writer.sealedSegments
        }
        return result
    }
}
