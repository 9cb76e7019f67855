import ArgumentParser
import Foundation
import SegmentStore

struct RedactCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "redact",
        abstract: "Write a copy of a recording with values redacted, as `record --redact` would have stored them.",
        discussion: """
        Every record is copied as it is (instance, seq, times, headers, signature verdict) except \
        its body, in which the values the pointers name are replaced (docs/recording-format.md, \
        "Redaction"). Records say which pointers applied. Bodies that are not JSON are copied \
        unchanged. The input is not modified; exit status 1 when a record could not be read \
        (it is reported and left out). A redacted recording replays only with --secret-env/--secret-file, which \
        sign the changed bodies anew.
        """
    )

    @Argument(help: "The recording to read.")
    var recording: String

    @Option(help: ArgumentHelp("The directory to write the redacted recording into (created; must hold no segments).", valueName: "dir"))
    var out: String

    @OptionGroup var redaction: RedactionOptions

    func validate() throws {
        if redaction.pointers.isEmpty { throw ValidationError("give at least one --redact POINTER") }
        if redaction.redactStrict { throw ValidationError("--redact-strict applies to `record`; `redact` copies non-JSON bodies as they are") }
    }

    func run() throws {
        let input = try openRecording(recording)
        let output = URL(fileURLWithPath: out).standardizedFileURL.path
        if output == URL(fileURLWithPath: input.path).standardizedFileURL.path {
            throw ValidationError("--out must be another directory than the recording")
        }
        if let existing = try? FileManager.default.contentsOfDirectory(atPath: output), existing.contains(where: { $0.contains(".ndjson.zst") }) {
            throw CommandFailure("--out \(out) already holds segments: give an empty or new directory")
        }
        guard let redaction = try redaction.load() else { return }
        let result: RecordingRedactor.Result
        do {
            try Recording.createDirectory(output)
            result = try RecordingRedactor.redact(input, with: redaction, into: output, options: SegmentWriter.Options()) {
                Diagnostics.warning($0.description)
            }
        } catch {
            throw CommandFailure("redact failed: \(error)")
        }
        Diagnostics.note("wrote \(result.records) records (\(result.redactedRecords) redacted) into \(result.sealedSegments.count) segment(s) in \(out)")
        if result.notJSONRecords > 0 { Diagnostics.note("\(result.notJSONRecords) bodies are not JSON and were copied as they are") }
        if result.skippedRecords > 0 {
            Diagnostics.note("\(result.skippedRecords) malformed records skipped")
            throw ExitCode(1)
        }
    }
}
