import EventModel
import Foundation
import SegmentStore
import Testing
import TestSupport

/// `hookreel replay` as users run it: option errors, record -> replay -> verify
/// with `hookreel record` as the target, result files and `hookreel report`,
/// thresholds and exit statuses, and a target that refuses connections.
/// Loads are small (at most 200 requests a run) and every child is stopped.
@Suite(.serialized)
struct ReplayProcessTests {
    static let sample = CommandRunner.packageRoot + "/recordings/sample"
    static let sampleSecret = "hookreel-sample-secret"

    /// Runs `hookreel` with extra environment variables (for `--secret-env`).
    private func hookreel(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandRunner.Result {
        try CommandRunner.hookreel(arguments, environment: environment)
    }

    /// A bounded replay of the sample: 2000/s, a 5 s response timeout, no progress line.
    private func replay(_ target: String, limit: Int = 200, _ extra: [String] = [], environment: [String: String] = [:],
                        recording: String = sample) throws -> CommandRunner.Result {
        try hookreel(["replay", recording, "--target", target, "--limit", String(limit), "--rate", "2000/s",
                      "--timeout", "5s", "--quiet", "--seed", "1"] + extra, environment: environment)
    }

    /// A recorder on 127.0.0.1 that verifies signatures with `secret`.
    private func startRecorder(in directory: TemporaryDirectory, secret: String?) throws -> (ChildRecorder, String) {
        let recording = directory.file("received")
        var arguments = ["--out", recording, "--durability", "flush", "--instance", "replay-test"]
        if let secret {
            let secretFile = directory.file("recorder-secret")
            try Data(secret.utf8).write(to: URL(fileURLWithPath: secretFile))
            arguments += ["--secret-file", secretFile]
        }
        return (try ChildRecorder(arguments: arguments), recording)
    }

    private func records(of path: String) throws -> [RecordedRequest] {
        var issues: [ReadIssue] = []
        let reader = RecordReader(try Recording(path: path)) { issues.append($0) }
        let records = reader.map { $0.record.decode() }
        #expect(issues.isEmpty, "\(issues.prefix(3))")
        return records
    }

    /// The value of a summary line such as `requests          200`.
    private func fact(_ label: String, in text: String) -> String? {
        for line in text.split(separator: "\n") where line.hasPrefix(label + "  ") {
            return line.dropFirst(label.count).trimmingCharacters(in: .whitespaces)
        }
        return nil
    }

    private func multiset(_ bodies: [[UInt8]]) -> [[UInt8]: Int] {
        Dictionary(bodies.map { ($0, 1) }, uniquingKeysWith: +)
    }

    // MARK: Option errors

    static let badOptions: [(arguments: [String], message: String)] = [
        (["--loop", "2"], "add --fresh-ids"),
        (["--loop", "forever"], "add --fresh-ids"),
        (["--loop", "2", "--fresh-ids=event"], "--fresh-ids=event: expected --fresh-ids or --fresh-ids=events"),
        (["--rate", "100/s", "--speed", "2"], "--speed and --max-gap apply to original timing"),
        (["--concurrency", "4"], "--concurrency applies only to --rate max"),
        (["--rate", "100/s", "--concurrency", "4"], "--concurrency applies only to --rate max"),
        (["--fail-on", "p99>>1s"], "threshold 'p99>>1s' at character 5: expected a value after '>'"),
        (["--fail-on", "p99>+10%"], "'+10%' is a change from a base run (a signed value); only 'hookreel report diff' has one"),
        (["--fail-on", "errors>1s"], "errors takes a percentage"),
        (["--target", "http://127.0.0.1:1/", "--insecure"], "--ca-file and --insecure apply to https:// targets"),
        (["--target", "https://127.0.0.1:1/", "--ca-file", "/nonexistent/ca.pem"],
         "--ca-file: /nonexistent/ca.pem: cannot read PEM certificates"),
        (["--target", "ftp://x"], "expected an absolute URL starting with http://"),
        (["--target", "http://x:0/"], "port '0' is not a number from 1 to 65535"),
        (["--header", "X(a): 1"], "--header"),
        (["--cert", "/tmp/client.pem"], "--cert and --key go together"),
        (["--key", "/tmp/client.key"], "--cert and --key go together"),
        (["--cert", "/tmp/client.pem", "--key-password-env", "X"], "--cert and --key go together"),
        (["--cert", "/tmp/client.pem", "--key", "/tmp/client.key"], "--cert and --key apply to https:// targets"),
        (["--target", "https://127.0.0.1:1/", "--cert", "/nonexistent/client.pem", "--key", "/nonexistent/client.key"],
         "--cert/--key: /nonexistent/client.pem: no such file"),
    ]

    @Test(arguments: badOptions)
    func badOptionsExit64WithAMessage(arguments: [String], message: String) throws {
        // Each case names its own --target, or gets one that would refuse (nothing may be sent anyway).
        let target = arguments.contains("--target") ? [] : ["--target", "http://127.0.0.1:1/"]
        let result = try hookreel(["replay", Self.sample] + target + arguments)
        #expect(result.status == 64, "\(result.stderr)")
        #expect(result.stderr.contains(message), "\(result.stderr)")
        #expect(result.stdout.isEmpty)
    }

    // MARK: Record -> replay -> verify

    /// Re-signing: the recorder knows only the replay's secret, not the one the
    /// sample was recorded with, so every verdict is valid only if every request
    /// was signed anew over the exact bytes sent.
    @Test func replayedRequestsAreReSignedAndArriveIntact() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let replaySecret = "a-different-secret-\(UUID().uuidString)"
        let (recorder, received) = try startRecorder(in: directory, secret: replaySecret)
        let run = try replay("http://127.0.0.1:\(recorder.port)/hooks/in?tenant=t1", ["--secret-env", "HOOKREEL_REPLAY_TEST_SECRET"],
                             environment: ["HOOKREEL_REPLAY_TEST_SECRET": replaySecret])
        #expect(recorder.stop(with: SIGTERM) == 0, "\(recorder.stderr)")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(fact("requests", in: run.stdoutText) == "200")
        #expect(fact("statuses", in: run.stdoutText) == "202: 200")

        let sample = Array(try records(of: Self.sample).prefix(200))
        let arrived = try records(of: received)
        #expect(arrived.count == 200)
        #expect(arrived.allSatisfy { $0.signature == .valid }, "verdicts: \(multiset(arrived.map { Array(($0.signature?.rawValue ?? "none").utf8) }).count) kinds")
        #expect(multiset(arrived.map(\.body)) == multiset(sample.map(\.body)), "the bodies sent are the sample's first 200")
        #expect(arrived.allSatisfy { $0.path == "/hooks/in" && $0.query == "tenant=t1" && $0.method == "POST" })
        let header = { (record: RecordedRequest) in record.headers.first { $0.name == "x-uipath-signature" }?.value }
        #expect(arrived.allSatisfy { header($0) == WebhookSignature(secret: replaySecret).sign($0.body) })
        let originalSignatures = Set(sample.compactMap(header))
        #expect(originalSignatures.count == 200)
        #expect(arrived.allSatisfy { header($0).map { !originalSignatures.contains($0) } ?? false }, "new signatures, not the recorded ones")
        #expect(arrived.allSatisfy { record in
            record.headers.first { $0.name == "content-type" }?.value == "application/json; charset=utf-8"
                && record.headers.first { $0.name == "user-agent" }?.value == "UiPath-WebhookService/Webhooks"
        })
    }

    /// Without a secret the recorded signatures go out as recorded: a recorder
    /// with the sample's own secret finds them all valid.
    @Test func withoutASecretTheRecordedSignaturesAreSent() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (recorder, received) = try startRecorder(in: directory, secret: Self.sampleSecret)
        let run = try replay("http://127.0.0.1:\(recorder.port)/", limit: 120)
        #expect(recorder.stop(with: SIGTERM) == 0, "\(recorder.stderr)")
        #expect(run.status == 0, "\(run.stderr)")

        let sample = Array(try records(of: Self.sample).prefix(120))
        let arrived = try records(of: received)
        #expect(arrived.count == 120)
        #expect(arrived.allSatisfy { $0.signature == .valid })
        #expect(multiset(arrived.map(\.body)) == multiset(sample.map(\.body)))
    }

    /// Lines from other tools may spell the header `X-UiPath-Signature`; the
    /// recorded signature is still found and sent.
    @Test func recordedSignaturesInAnyHeaderCaseAreSent() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let secret = "foreign-secret"
        var factory = RecordFactory(seed: 3)
        let records = (0..<30).map { index in
            var record = factory.event()
            let signature = WebhookSignature(secret: secret).sign(record.body)
            record.headers.append(HeaderField(name: ["X-UiPath-Signature", "X-UIPATH-SIGNATURE", "x-uipath-signature"][index % 3],
                                              value: signature))
            return record
        }
        let lines = records.flatMap(\.line)
        let packed = directory.file("foreign")
        let pack = try CommandRunner.hookreel(["pack", "--out", packed], stdin: Data(lines))
        #expect(pack.status == 0, "\(pack.stderr)")

        let (recorder, received) = try startRecorder(in: directory, secret: secret)
        let run = try replay("http://127.0.0.1:\(recorder.port)/", limit: 30, recording: packed)
        #expect(recorder.stop(with: SIGTERM) == 0, "\(recorder.stderr)")
        #expect(run.status == 0, "\(run.stderr)")
        let arrived = try self.records(of: received)
        #expect(arrived.count == 30)
        #expect(arrived.filter { $0.signature == .valid }.count == 30)
    }

    /// `--loop 2 --fresh-ids=events --rebase-timestamps`: every delivery has its
    /// own EventId, each pass's times are moved to the run's time by whole
    /// seconds, and undoing those two edits gives back the recorded body exactly.
    @Test func loopedReplaysGetFreshIdsAndRebasedTimesAndNothingElseChanges() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let secret = "loop-secret"
        let (recorder, received) = try startRecorder(in: directory, secret: secret)
        let startedAt = Timestamp.now()
        let run = try replay("http://127.0.0.1:\(recorder.port)/", limit: 20,
                             ["--loop", "2", "--fresh-ids=events", "--rebase-timestamps", "--secret-env", "HOOKREEL_REPLAY_TEST_SECRET"],
                             environment: ["HOOKREEL_REPLAY_TEST_SECRET": secret])
        #expect(recorder.stop(with: SIGTERM) == 0, "\(recorder.stderr)")
        #expect(run.status == 0, "\(run.stderr)")
        #expect(fact("requests", in: run.stdoutText) == "40")

        let sample = Array(try records(of: Self.sample).prefix(20))
        let eventId = { (body: [UInt8]) in
            ((try? JSONSerialization.jsonObject(with: Data(body))) as? [String: Any])?["EventId"] as? String
        }
        // Fresh ids are a per-run prefix and a count in send order (fixed-width hex).
        let arrived = try records(of: received).sorted { (eventId($0.body) ?? "") < (eventId($1.body) ?? "") }
        try #require(arrived.count == 40)
        #expect(arrived.allSatisfy { $0.signature == .valid })
        let ids = arrived.compactMap { eventId($0.body) }
        #expect(Set(ids).count == 40, "every delivery has its own EventId")
        #expect(Set(ids).isDisjoint(with: Set(sample.compactMap { eventId($0.body) })))
        for (index, record) in arrived.enumerated() {
            let original = sample[index % 20]
            let before = try #require(EventBodyRewrite.eventTimestamp(in: original.body))
            let after = try #require(EventBodyRewrite.eventTimestamp(in: record.body))
            let shift = after.microsecondsSinceEpoch - before.microsecondsSinceEpoch
            #expect(shift % 1_000_000 == 0, "whole seconds")
            if index % 20 == 0 {
                // The first event of a pass is moved to (about) the moment the pass starts.
                #expect(abs(after.microsecondsSinceEpoch - startedAt.microsecondsSinceEpoch) < 10_000_000, "\(after) vs \(startedAt)")
            }
            let undone = EventBodyRewrite(eventId: eventId(original.body), timeShiftSeconds: -shift / 1_000_000).apply(to: record.body)
            #expect(undone == original.body, "record \(index)")
        }
    }

    // MARK: Looping with fresh entities

    /// The sample looped 3 times at 1500/s in entity order against `hookreel
    /// sink`; its summary (the order violations and the distinct Keys) as text.
    private func loopedSampleSummary(freshIds: String) throws -> String {
        let sink = try ChildServer(arguments: ["--seed", "1"], environment: [:])
        let run = try hookreel(["replay", Self.sample, "--target", "http://127.0.0.1:\(sink.port)/hooks", "--loop", "3", freshIds,
                                "--order", "entity", "--rate", "1500/s", "--timeout", "5s", "--quiet", "--seed", "1"])
        let (status, summary) = sink.stop(with: SIGTERM)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(fact("requests", in: run.stdoutText) == "6000")
        #expect(status == 0, "\(sink.stderr)")
        return summary
    }

    /// Distinct job and queue item Keys in one pass over the sample.
    private func sampleEntityCounts() throws -> (jobs: Int, queueItems: Int) {
        let entities = Set(try records(of: Self.sample).compactMap { record in
            record.type.flatMap { EntityKey.entityKey(ofEventBody: record.body, type: $0) }
        })
        return (entities.filter { $0.kind == .job }.count, entities.filter { $0.kind == .queueItem }.count)
    }

    /// `--fresh-ids`: each pass is a new set of jobs and queue items, so the
    /// receiver sees three times the lifecycles, each in order.
    @Test func loopingWithFreshIdsGivesEveryPassNewJobsAndQueueItems() throws {
        let summary = try loopedSampleSummary(freshIds: "--fresh-ids")
        let (jobs, queueItems) = try sampleEntityCounts()
        #expect(summary.contains("\norder violations: 0\n"), "\(summary)")
        #expect(summary.contains("\ndistinct Keys: jobs \(3 * jobs), queue items \(3 * queueItems)\n"), "\(summary)")
    }

    /// `--fresh-ids=events`: the keys repeat every pass, so the second pass
    /// looks like the same jobs starting again after they completed.
    @Test func loopingWithFreshEventIdsOnlyRepeatsTheEntities() throws {
        let summary = try loopedSampleSummary(freshIds: "--fresh-ids=events")
        let (jobs, queueItems) = try sampleEntityCounts()
        let violations = summary.split(separator: "\n").first { $0.hasPrefix("order violations: ") }
            .flatMap { Int($0.dropFirst("order violations: ".count)) }
        #expect((violations ?? 0) > 1000, "\(summary)")
        #expect(summary.contains("\ndistinct Keys: jobs \(jobs), queue items \(queueItems)\n"), "\(summary)")
    }

    // MARK: Mutual TLS

    /// A receiver that requires a client certificate gets the run with
    /// `--cert`/`--key` (an encrypted key, its password from the environment);
    /// without them the run fails, naming the TLS error.
    @Test func aReceiverThatRequiresAClientCertificateGetsItWithCertAndKey() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let files = try TestClientCertificate.writeFiles(in: directory)
        let caFile = try TestCertificate.writeCertificate(in: directory)
        let receiver = try await MutualTLSReceiver()
        let target = "https://127.0.0.1:\(receiver.port)/hooks"
        let presented = try replay(target, limit: 30, ["--ca-file", caFile, "--cert", files.certificate, "--key", files.encryptedKey,
                                                       "--key-password-env", "HOOKREEL_TEST_KEY_PASSWORD"],
                                   environment: ["HOOKREEL_TEST_KEY_PASSWORD": TestClientCertificate.password])
        let withheld = try replay(target, limit: 30, ["--ca-file", caFile])
        let wrongPassword = try replay(target, limit: 30, ["--ca-file", caFile, "--cert", files.certificate, "--key", files.encryptedKey,
                                                           "--key-password-env", "HOOKREEL_TEST_KEY_PASSWORD"],
                                       environment: ["HOOKREEL_TEST_KEY_PASSWORD": "not-the-password"])
        let answered = receiver.requests
        try await receiver.stop()

        #expect(presented.status == 0, "\(presented.stderr)")
        #expect(fact("statuses", in: presented.stdoutText) == "202: 30")
        #expect(answered == 30)
        #expect(withheld.status == 1, "\(withheld.stderr)")
        #expect(withheld.stderr.contains("no request reached \(target): 30 sent, none got an HTTP answer; the first error: TLS: "),
                "\(withheld.stderr)")
        #expect(wrongPassword.status == 64, "\(wrongPassword.stderr)")
        #expect(wrongPassword.stderr.contains("--cert/--key: \(files.encryptedKey): cannot decrypt the private key: wrong password"),
                "\(wrongPassword.stderr)")
    }

    // MARK: Result files and `hookreel report`

    @Test func resultFilesAreWrittenAndReportRendersAndMergesThem() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (recorder, _) = try startRecorder(in: directory, secret: nil)
        defer { recorder.stop(with: SIGTERM) }
        let target = "http://127.0.0.1:\(recorder.port)/"
        let (json, hgrm, html) = (directory.file("a.json"), directory.file("a.hgrm"), directory.file("a.html"))
        let first = try replay(target, limit: 150, ["--json", json, "--hgrm", hgrm, "--html", html, "--seed", "4242"])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(fact("pacing", in: first.stdoutText)?.hasSuffix(", seed 4242") == true, "\(first.stdoutText)")
        let second = try replay(target, limit: 50, ["--json", directory.file("b.json")])
        #expect(second.status == 0, "\(second.stderr)")

        let object = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        #expect(object.keys.contains("metadata") && object.keys.contains("statistics"), "\(object.keys.sorted())")
        #expect(((object["metadata"] as? [String: Any])?["seed"] as? NSNumber)?.uint64Value == 4242)
        let hgrmText = try String(contentsOfFile: hgrm, encoding: .utf8)
        #expect(hgrmText.contains("Percentile"))
        #expect(hgrmText.range(of: #"Total count\s+=\s+150\]"#, options: .regularExpression) != nil, "\(hgrmText.suffix(300))")
        let htmlText = try String(contentsOfFile: html, encoding: .utf8)
        #expect(htmlText.contains("<html") && htmlText.contains("</html>"))
        #expect(htmlText.count > 1000)

        // `report` renders the saved result as replay printed it.
        let shown = try CommandRunner.hookreel(["report", json])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(fact("requests", in: shown.stdoutText) == "150")
        #expect(fact("requests", in: shown.stdoutText) == fact("requests", in: first.stdoutText))
        #expect(shown.stdoutText == first.stdoutText)
        let gated = try CommandRunner.hookreel(["report", json, "--fail-on", "p50>0us"])
        #expect(gated.status == 3)
        #expect(gated.stderr.contains("threshold breached: p50 was"))

        let merged = directory.file("merged.json")
        let merge = try CommandRunner.hookreel(["report", "merge", json, directory.file("b.json"), "-o", merged])
        #expect(merge.status == 0, "\(merge.stderr)")
        let mergedShown = try CommandRunner.hookreel(["report", merged])
        #expect(mergedShown.status == 0, "\(mergedShown.stderr)")
        #expect(fact("requests", in: mergedShown.stdoutText) == "200")
        #expect(fact("statuses", in: mergedShown.stdoutText) == "202: 200")
    }

    // MARK: Thresholds and exit statuses

    @Test func aBreachedThresholdExits3AndNamesTheBreach() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (recorder, _) = try startRecorder(in: directory, secret: nil)
        defer { recorder.stop(with: SIGTERM) }
        let target = "http://127.0.0.1:\(recorder.port)/"

        // Latency from schedule is never 0 µs, and no request fails: the first
        // condition is true, the second false.
        let junit = directory.file("verdict.xml")
        let breached = try replay(target, limit: 50, ["--fail-on", "p50>0us", "--fail-on", "errors>0.5%", "--junit", junit])
        #expect(breached.status == 3, "\(breached.stderr)")
        // CI reads the same verdict: one failing case of three (two thresholds, transport errors).
        let verdict = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(verdict.contains(#"tests="3" failures="1""#), "\(verdict.prefix(300))")
        #expect(verdict.contains(#"<testcase name="p50&gt;0us""#) && verdict.contains("<failure"), "\(verdict.prefix(600))")
        #expect(breached.stderr.contains("threshold breached: p50 was"), "\(breached.stderr)")
        #expect(breached.stderr.contains("limit p50>0us"), "\(breached.stderr)")
        #expect(!breached.stderr.contains("errors>0.5%"), "\(breached.stderr)")
        #expect(fact("requests", in: breached.stdoutText) == "50", "the summary is printed anyway")

        let held = try replay(target, limit: 50, ["--fail-on", "p99>1h", "--fail-on", "errors>0.5%", "--fail-on", "max>=10m"])
        #expect(held.status == 0, "\(held.stderr)")
        #expect(!held.stderr.contains("threshold breached"), "\(held.stderr)")
    }

    // MARK: A target that refuses connections

    /// A receiver that is down fails the run (exit 1, naming it), thresholds
    /// or not; the report and result files still say what happened.
    @Test func aRunThatReachedNothingFailsAndNamesTheTarget() throws {
        let closed = try ClosedPort()
        defer { closed.close() }
        let target = "http://127.0.0.1:\(closed.port)/"

        let run = try replay(target, limit: 40)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("no request reached \(target): 40 sent, none got an HTTP answer; the first error: connection refused"),
                "\(run.stderr)")
        #expect(fact("requests", in: run.stdoutText) == "40", "\(run.stdoutText)")
        #expect(fact("transport errors", in: run.stdoutText) == "refused: 40", "\(run.stdoutText)")
        #expect(fact("failed", in: run.stdoutText)?.hasPrefix("40 (100%)") == true, "\(run.stdoutText)")
        #expect(fact("statuses", in: run.stdoutText) == "none")

        let gated = try replay(target, limit: 40, ["--fail-on", "errors>0.5%"])
        #expect(gated.status == 1, "a target that is down is a failure, not a breach: \(gated.stderr)")
        #expect(gated.stderr.contains("no request reached"), "\(gated.stderr)")
    }
}
