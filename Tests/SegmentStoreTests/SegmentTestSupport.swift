import EventModel
import Foundation
import SegmentStore
import Testing
import TestSupport

/// Reads every record of the recording at `path`, collecting issues. Reads it
/// again handed over (`forEachRecord`), from the start and after a few
/// `next()`, and expects every way to read and report the same.
func readAll(_ path: String, sourceLocation: SourceLocation = #_sourceLocation) throws -> (records: [RecordedRequest], issues: [ReadIssue]) {
    var issues: [ReadIssue] = []
    let reader = RecordReader(try Recording(path: path)) { issues.append($0) }
    let records = reader.map { $0.record.decode() }

    // Handed over from the start, and after a few records taken with next().
    for taken in [0, 3] {
        var handedOverIssues: [ReadIssue] = []
        let handing = RecordReader(try Recording(path: path)) { handedOverIssues.append($0) }
        var handedOver = (0..<taken).compactMap { _ in handing.next()?.record.decode() }
        handing.forEachRecord { handedOver.append($0.decode()) }
        #expect(handedOver == records, "forEachRecord after \(taken) next() reads what next() reads", sourceLocation: sourceLocation)
        #expect(handedOverIssues.map(\.description) == issues.map(\.description), "and reports the same", sourceLocation: sourceLocation)
    }
    return (records, issues)
}

/// Writes `records` with one writer, flushing after each, and seals.
func writeSealed(_ records: [RecordedRequest], to directory: String, instance: String = "test-a",
                 options: SegmentWriter.Options = SegmentWriter.Options()) throws -> SegmentWriter {
    let writer = try SegmentWriter(directory: directory, instance: instance, options: options)
    for record in records {
        try writer.append(record)
        try writer.flush(.written)
    }
    try writer.seal()
    return writer
}

/// NDJSON bytes of `records`.
func ndjson(_ records: [RecordedRequest]) -> Data {
    var json = JSONWriter()
    for record in records { record.appendLine(to: &json) }
    return Data(json.bytes)
}
