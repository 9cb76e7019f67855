import EventModel
import Glibc

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
        var lines = PlainLineReader(descriptor: input, name: inputName)
        while let (bytes, number) = try lines.next() {
            let record: RecordLine
            do {
                record = try RecordLine(bytes)
            } catch {
                result.skippedLines += 1
                report(ReadIssue(.malformedLine, segment: inputName, line: number, error.description))
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
                report(ReadIssue(.duplicateSeq, segment: inputName, line: number, error.message))
            }
        }
        for writer in writers.values.sorted(by: { $0.instance < $1.instance }) {
            try writer.seal()
            result.sealedSegments += writer.sealedSegments
        }
        return result
    }
}

/// Splits a plain (uncompressed) stream into lines.
struct PlainLineReader {
    static let readSize = 1 << 20
    private let descriptor: Int32
    private let name: String
    private var block: [UInt8] = []
    private var cursor = 0
    private var lineNumber = 0
    private var isAtEnd = false

    init(descriptor: Int32, name: String) {
        self.descriptor = descriptor
        self.name = name
    }

    private func findNewline() -> Int? {
        guard cursor < block.count else { return nil }
        return block.withUnsafeBytes { buffer -> Int? in
            guard let found = memchr(buffer.baseAddress! + cursor, 0x0A, buffer.count - cursor) else { return nil }
            return UnsafeRawPointer(found) - buffer.baseAddress!
        }
    }

    mutating func next() throws(SegmentStoreError) -> (ArraySlice<UInt8>, Int)? {
        while true {
            if let newline = findNewline() {
                let line = block[cursor..<newline]
                cursor = newline + 1
                lineNumber += 1
                if line.isEmpty { continue }
                return (line, lineNumber)
            }
            if isAtEnd {
                guard cursor < block.count else { return nil }
                let line = block[cursor...]
                cursor = block.count
                lineNumber += 1
                return (line, lineNumber)
            }
            var next = Array(block[cursor...])
            cursor = 0
            var failed = false
            let chunk = [UInt8](unsafeUninitializedCapacity: Self.readSize) { buffer, count in
                var got: Int
                repeat { got = read(descriptor, buffer.baseAddress!, Self.readSize) } while got < 0 && errno == EINTR
                failed = got < 0
                count = max(got, 0)
            }
            if failed { throw .system(.cannotRead, path: name, "read failed") }
            isAtEnd = chunk.isEmpty
            next += chunk
            block = next
        }
    }
}
