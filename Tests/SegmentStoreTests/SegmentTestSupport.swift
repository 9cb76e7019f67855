import EventModel
import Foundation
import SegmentStore
import TestSupport

/// Reads every record of the recording at `path`, collecting issues.
func readAll(_ path: String) throws -> (records: [RecordedRequest], issues: [ReadIssue]) {
    var issues: [ReadIssue] = []
    let reader = RecordReader(try Recording(path: path)) { issues.append($0) }
    let records = try reader.map { try $0.record.decode() }
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

/// Runs a command-line tool, returning its exit status; nil when it is not installed.
@discardableResult
func runTool(_ arguments: [String], stdin: Data? = nil, stdout: String? = nil) throws -> Int32? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    if let stdout {
        _ = FileManager.default.createFile(atPath: stdout, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: URL(fileURLWithPath: stdout))
    }
    if let stdin {
        let pipe = Pipe()
        process.standardInput = pipe
        try process.run()
        pipe.fileHandleForWriting.write(stdin)
        try pipe.fileHandleForWriting.close()
    } else {
        try process.run()
    }
    process.waitUntilExit()
    return process.terminationStatus == 127 ? nil : process.terminationStatus
}

func hasTool(_ name: String) -> Bool {
    (try? runTool(["sh", "-c", "command -v \(name) >/dev/null"])) == 0
}

/// NDJSON bytes of `records`.
func ndjson(_ records: [RecordedRequest]) -> Data {
    var bytes: [UInt8] = []
    for record in records { record.appendLine(to: &bytes) }
    return Data(bytes)
}
