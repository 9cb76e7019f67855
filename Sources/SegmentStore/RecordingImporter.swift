import EventModel

/// Writes NDJSON records from a plain file descriptor into a recording, one
/// `SegmentWriter` per instance: how records made by other tools (or by
/// `hookreel cat`) become segments. Lines are kept byte for byte.
public enum RecordingImporter {
    public struct Result: Sendable {
        public var records = 0
        public var skippedLines = 0
        public var sealedSegments: [String] = []
    }

    /// Reads `input` to its end. Malformed lines are reported and skipped; a
    /// `seq` that does not increase within its instance is reported and skipped.
    public static func importRecords(
        from input: Int32, inputName: String, into directory: String,
        options: SegmentWriter.Options, report: (ReadIssue) -> Void
    ) throws(SegmentStoreError) -> Result {
        var writers: [String: SegmentWriter] = [:]
        var result = Result()
        var readFailure: ReadIssue?
        let lines = SegmentRecordReader(plainDescriptor: input, name: inputName) { readFailure = $0 }
        while let line = lines.next() {
            let record: RecordLine
            switch line.record {
            case .success(let parsed):
                record = parsed
            case .failure(let error):
                result.skippedLines += 1
                report(ReadIssue(.malformedLine, segment: inputName, line: line.number, error.description))
                continue
            }
            let instance = record.instance
            let writer: SegmentWriter
            if let existing = writers[instance] {
                writer = existing
            } else {
                writer = try SegmentWriter(directory: directory, instance: instance, options: options)
                writers[instance] = writer
            }
            do {
                try writer.append(record)
                result.records += 1
            } catch where error.code == .seqNotIncreasing || error.code == .segmentExists {
                result.skippedLines += 1
                report(ReadIssue(.duplicateSeq, segment: inputName, line: line.number, error.message))
            }
        }
        if let readFailure {
            throw SegmentStoreError(.cannotRead, path: inputName, readFailure.detail)
        }
        for writer in writers.values.sorted(by: { $0.instance < $1.instance }) {
            try writer.seal()
            result.sealedSegments += writer.sealedSegments
        }
        return result
    }
}

