import EventModel
import Foundation
import Primitives
import SegmentStore
import Testing
import TestSupport

/// The whole chain as users run it, with real processes on 127.0.0.1:
/// record -> replay -> sink, and a sink stall seen through replay's histograms.
@Suite(.serialized)
struct EndToEndTests {
    static let sample = CommandRunner.packageRoot + "/recordings/sample"
    static let secret = "end-to-end-secret"

    private func hookreel(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandRunner.Result {
        let assignments = environment.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
        return try CommandRunner.run("/usr/bin/env", assignments + [CommandRunner.binary] + arguments)
    }

    private func bodies(of path: String) throws -> [[UInt8]: Int] {
        let reader = RecordReader(try Recording(path: path)) { issue in Issue.record("read issue: \(issue)") }
        return Dictionary(reader.map { ($0.record.decode().body, 1) }, uniquingKeysWith: +)
    }

    /// 300 sample events are replayed into `hookreel record` (re-signed with
    /// the secret), that recording is replayed as recorded (signatures
    /// untouched) into `hookreel sink`, which verifies each with the same
    /// secret and keeps what it receives: every signature is valid and the
    /// bodies that arrive are the sample's, byte for byte.
    @Test func recordThenReplayIntoASinkKeepsBodiesAndSignatures() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let environment = ["E2E_SECRET": Self.secret]
        let secretFile = directory.file("secret")
        try Data(Self.secret.utf8).write(to: URL(fileURLWithPath: secretFile))

        let recorder = try ChildRecorder(arguments: ["--out", directory.file("recorded"), "--durability", "flush",
                                                     "--secret-file", secretFile, "--require-signature"])
        let first = try hookreel(["replay", Self.sample, "--target", "http://127.0.0.1:\(recorder.port)/hooks",
                                  "--limit", "300", "--rate", "3000/s", "--quiet", "--secret-env", "E2E_SECRET"],
                                 environment: environment)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(recorder.stop(with: SIGTERM) == 0)

        let sink = try ChildServer(arguments: ["--secret-env", "E2E_SECRET", "--record", directory.file("sunk"), "--seed", "1"],
                                 environment: environment)
        let second = try hookreel(["replay", directory.file("recorded"), "--target", "http://127.0.0.1:\(sink.port)/webhooks",
                                   "--rate", "3000/s", "--quiet"])
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stdoutText.contains("statuses          200: 300"), "\(second.stdoutText)")
        let summary = sink.stop(with: SIGTERM)
        #expect(summary.status == 0)
        #expect(summary.stdout.contains("requests received: 300"), "\(summary.stdout)")
        #expect(summary.stdout.contains("signatures: valid 300, invalid 0, missing 0"), "\(summary.stdout)")

        let sampleBodies = try bodies(of: Self.sample)
        let sunk = try bodies(of: directory.file("sunk"))
        #expect(sunk.values.reduce(0, +) == 300)
        #expect(sunk.allSatisfy { sampleBodies[$0.key] != nil }, "every body that arrived is a sample body, byte for byte")
    }

    /// The sink stalls for 500 ms once, 1.5 s after it starts, while a
    /// constant-rate replay runs over one connection: requests scheduled during
    /// the stall wait in the client, so latency (from the schedule) shows the
    /// stall at p99.9 while service time (from the actual send) does not.
    @Test func aSinkStallShowsInLatencyButNotInServiceTime() throws {
        let sink = try ChildServer(arguments: ["--stall", "500ms", "--every", "1500ms", "--seed", "1"], environment: [:])
        let result = try hookreel(["replay", Self.sample, "--target", "http://127.0.0.1:\(sink.port)/hooks",
                                   "--rate", "1000/s", "--limit", "1800", "--connections", "1", "--threads", "1", "--quiet"])
        _ = sink.stop(with: SIGTERM)
        #expect(result.status == 0, "\(result.stderr)")
        let latency = try #require(percentile99_9(of: "latency", in: result.stdoutText), "\(result.stdoutText)")
        let service = try #require(percentile99_9(of: "service time", in: result.stdoutText), "\(result.stdoutText)")
        #expect(latency >= 0.3, "latency p99.9 \(latency) s shows the stall")
        #expect(service < 0.2, "service time p99.9 \(service) s: one request in 1800 waited out the stall")
    }

    /// The p99.9 column of a histogram row of the text summary, in seconds.
    private func percentile99_9(of row: String, in summary: String) -> Double? {
        guard let line = summary.split(separator: "\n").first(where: { $0.hasPrefix(row + " ") }) else { return nil }
        let columns = line.dropFirst(row.count).split(separator: " ")
        guard columns.count == 7 else { return nil }
        return (try? DurationText.parse(columns[5]))?.seconds
    }
}
