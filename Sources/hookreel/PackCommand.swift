import ArgumentParser
import Glibc
import SegmentStore

struct PackCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pack",
        abstract: "Write NDJSON records into a recording's segments.",
        discussion: """
        Reads records (one JSON object per line, as `hookreel cat` prints them) and \
        appends each, byte for byte, to segments of its instance in the output \
        directory, sealing them with a trailer. Lets scripts in any language make \
        recordings. Malformed lines and seq values that do not increase within an \
        instance are reported (input:line) and skipped, and the exit status is then 1.
        """
    )

    @Argument(help: "NDJSON input file; `-` or nothing for stdin.")
    var input: String = "-"

    @Option(help: ArgumentHelp("Recording directory to write into (created if missing).", valueName: "dir"))
    var out: String

    @Option(help: ArgumentHelp("Seal a segment once its compressed size reaches this (e.g. 64MiB); checked as zstd emits blocks, about every 128 KiB of input.", valueName: "size"))
    var segmentSize: ByteSize = ByteSize(argument: "64MiB")!

    @Option(help: ArgumentHelp("zstd compression level (1-19).", valueName: "n"))
    var level: Int32 = 3

    func validate() throws {
        guard (1...19).contains(level) else { throw ValidationError("--level must be between 1 and 19, not \(level)") }
    }

    func run() throws {
        let descriptor = input == "-" ? STDIN_FILENO : open(input, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw CommandFailure("cannot read input '\(input)': \(String(cString: strerror(errno)))")
        }
        defer { if descriptor != STDIN_FILENO { close(descriptor) } }
        var options = SegmentWriter.Options()
        options.maximumSegmentBytes = segmentSize.bytes
        options.compressionLevel = level
        let result: RecordingImporter.Result
        do {
            result = try RecordingImporter.importRecords(
                from: descriptor, inputName: input == "-" ? "stdin" : input, into: out, options: options
            ) { Diagnostics.warning($0.description) }
        } catch {
            throw CommandFailure("pack failed: \(error)")
        }
        Diagnostics.note("packed \(result.records) records into \(result.sealedSegments.count) segment(s) in \(out)")
        if result.skippedLines > 0 {
            Diagnostics.note("\(result.skippedLines) line(s) skipped")
            throw ExitCode(1)
        }
    }
}
