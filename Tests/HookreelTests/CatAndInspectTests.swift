import EventModel
import Foundation
import Testing
import TestSupport

struct CatAndInspectTests {
    /// A recording of `records`, packed by the CLI itself.
    private func packed(_ records: [RecordedRequest], in directory: TemporaryDirectory, segmentSize: String = "64MiB") throws -> String {
        let bytes = records.flatMap(\.line)
        let out = directory.file("rec")
        let result = try CommandRunner.hookreel(["pack", "--out", out, "--segment-size", segmentSize], stdin: Data(bytes))
        #expect(result.status == 0, "\(result.stderr)")
        return out
    }

    private func mixedRecords(count: Int = 100) -> [RecordedRequest] {
        var factory = RecordFactory(seed: 31)
        let types: [EventType] = [.jobStarted, .jobCompleted, .queueItemAdded, .queueItemTransactionFailed, .robotStatus]
        return (0..<count).map { factory.event(type: types[$0 % types.count], gapMicroseconds: 1_000_000) }
    }

    @Test func catPrintsTheStoredLinesExactly() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 30)
        let records = (0..<300).map { _ in factory.random() }
        let recording = try packed(records, in: directory, segmentSize: "8KiB")
        let result = try CommandRunner.hookreel(["cat", recording])
        #expect(result.status == 0)
        #expect(result.stderr.isEmpty)
        let expected = records.flatMap(\.line)
        #expect(result.stdout == Data(expected))
    }

    @Test func catFiltersByTypeGlobAndTime() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let records = mixedRecords()
        let recording = try packed(records, in: directory)

        let jobs = try CommandRunner.hookreel(["cat", recording, "--type", "job.*"])
        #expect(jobs.stdoutLines.count == records.filter { $0.type?.hasPrefix("job.") == true }.count)
        #expect(jobs.stdoutLines.allSatisfy { $0.contains(#""type":"job."#) })

        let two = try CommandRunner.hookreel(["cat", recording, "--type", "robot.status", "--type", "queueItem.added"])
        #expect(two.stdoutLines.count == 40)

        let since = records[10].receivedAt, until = records[20].receivedAt
        let window = try CommandRunner.hookreel(["cat", recording, "--since", since.description, "--until", until.description])
        let seqs = try window.stdoutLines.map { try RecordLine(Array($0.utf8)[...]).seq }
        #expect(seqs == Array(11...20))
    }

    @Test func catBodyPrintsOnlyTheEventBodies() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let records = mixedRecords()
        let recording = try packed(records, in: directory)
        let result = try CommandRunner.hookreel(["cat", recording, "--body", "--type", "queueItem.transactionFailed"])
        let expected = records.filter { $0.type == "queueItem.transactionFailed" }.map { String(decoding: $0.body, as: UTF8.self) }
        #expect(result.stdoutLines == expected)
        #expect(result.stdoutLines.allSatisfy { $0.hasPrefix(#"{"Type":"queueItem.transactionFailed""#) })
    }

    @Test func aMissingRecordingFailsWithAClearMessage() throws {
        for command in ["cat", "inspect"] {
            let result = try CommandRunner.hookreel([command, "/no/such/recording"])
            #expect(result.status != 0)
            #expect(result.stderr.contains("/no/such/recording"))
            #expect(result.stderr.contains("no such recording"))
            #expect(!result.stderr.contains("Fatal error"))
            #expect(result.stderr.split(separator: "\n").count <= 2)
        }
    }

    @Test func badOptionsAreNamed() throws {
        let result = try CommandRunner.hookreel(["cat", "x", "--since", "yesterday"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("--since"))
        let order = try CommandRunner.hookreel(["cat", "x", "--since", "2026-01-02", "--until", "2026-01-01"])
        #expect(order.stderr.contains("--until"))
    }

    @Test func inspectReportsCountsTypesAndRatio() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        // Rotation happens as zstd emits blocks (about every 128 KiB of input).
        let records = mixedRecords(count: 1000)
        let recording = try packed(records, in: directory, segmentSize: "4KiB")
        let result = try CommandRunner.hookreel(["inspect", recording, "--json"])
        #expect(result.status == 0)
        let report = try #require(try JSONSerialization.jsonObject(with: result.stdout) as? [String: Any])
        let total = try #require(report["total"] as? [String: Any])
        #expect(total["records"] as? Int == 1000)
        #expect(total["types"] as? [String: Int] == ["job.started": 200, "job.completed": 200, "queueItem.added": 200,
                                                      "queueItem.transactionFailed": 200, "robot.status": 200])
        #expect(total["first_received_at"] as? String == records.first?.receivedAt.description)
        #expect((report["compression_ratio"] as? Double ?? 0) > 1)
        #expect((report["segments"] as? [Any])?.count ?? 0 > 1)

        let text = try CommandRunner.hookreel(["inspect", recording])
        #expect(text.stdoutText.contains("records     1000"))
        #expect(text.stdoutText.contains("queueItem.transactionFailed"))
    }

    @Test func verifyExitsNonZeroNamingTheCorruptSegment() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 32)
        let recording = try packed((0..<2000).map { _ in factory.random() }, in: directory, segmentSize: "64KiB")
        let good = try CommandRunner.hookreel(["inspect", recording, "--verify"])
        #expect(good.status == 0)
        #expect(good.stdoutText.contains("verify      OK"))

        let segments = try FileManager.default.contentsOfDirectory(atPath: recording).sorted()
        let victim = "\(recording)/\(segments[1])"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: victim))
        bytes[bytes.count / 3] ^= 0xFF
        try bytes.write(to: URL(fileURLWithPath: victim))
        let bad = try CommandRunner.hookreel(["inspect", recording, "--verify"])
        #expect(bad.status == 1)
        #expect(bad.stdoutText.contains("verify      FAILED"))
        #expect(bad.stdoutText.contains(segments[1]))

        // cat still streams everything else, reporting the damage on stderr.
        let cat = try CommandRunner.hookreel(["cat", recording])
        #expect(cat.status == 0)
        #expect(cat.stderr.contains(segments[1]))
        #expect(cat.stdoutLines.count < 2000)
        #expect(cat.stdoutLines.count > 1000)
    }

    @Test func packReportsMalformedInputByLine() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        var factory = RecordFactory(seed: 33)
        let good = factory.event().line
        let input = Data(good) + Data("{oops\n".utf8)
        let result = try CommandRunner.hookreel(["pack", "--out", directory.file("rec")], stdin: input)
        #expect(result.status == 1)
        #expect(result.stderr.contains("stdin:2: malformed line"))
        #expect(try CommandRunner.hookreel(["cat", directory.file("rec")]).stdout == Data(good))
    }
}

struct CommittedSampleTests {
    private let sample = CommandRunner.packageRoot + "/recordings/sample"

    @Test func theSampleVerifiesAndCatMatchesInspect() throws {
        let inspect = try CommandRunner.hookreel(["inspect", sample, "--verify", "--json"])
        #expect(inspect.status == 0, "\(inspect.stdoutText)")
        let report = try #require(try JSONSerialization.jsonObject(with: inspect.stdout) as? [String: Any])
        let records = try #require((report["total"] as? [String: Any])?["records"] as? Int)
        #expect(records >= 1000)
        let cat = try CommandRunner.hookreel(["cat", sample])
        #expect(cat.stdoutLines.count == records)
        let signed = try cat.stdoutLines.prefix(50).map { try RecordLine(Array($0.utf8)[...]).decode() }
        let signature = WebhookSignature(secret: "hookreel-sample-secret")
        #expect(signed.allSatisfy { signature.verify($0.body, header: $0.header("x-uipath-signature")) == .valid })
    }

    @Test func theSampleIsReadableByZstdcatAndJq() throws {
        let result = try CommandRunner.shell("zstdcat '\(sample)'/*.ndjson.zst | jq -r '.body | fromjson | .Type' | sort | uniq -c | wc -l")
        #expect(result.status == 0, "\(result.stderr)")
        #expect(Int(result.stdoutText.trimmingCharacters(in: .whitespacesAndNewlines)) ?? 0 >= 5)
    }
}
