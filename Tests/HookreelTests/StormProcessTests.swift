import EventModel
import Foundation
import SegmentStore
import Testing
import TestSupport

/// `hookreel storm` as users run it: every ready scenario validates, output is
/// byte-identical for the same file, seed and start, a recording of a storm
/// verifies and holds what `--print` prints, and a bad file names its line.
@Suite(.serialized)
struct StormProcessTests {
    static let scenarios = CommandRunner.packageRoot + "/scenarios"
    static let quickstart = scenarios + "/quickstart.yaml"
    static let start = "2026-12-01T00:00:00Z"

    @Test(arguments: ["quickstart", "month-end-invoices", "queue-backlog-retries", "robot-fleet-flapping", "mass-fault-incident"])
    func everyReadyScenarioValidates(name: String) throws {
        let result = try CommandRunner.hookreel(["storm", "\(Self.scenarios)/\(name).yaml", "--check"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdoutText.contains("scenario \(name) "), "\(result.stdoutText)")
        #expect(result.stdoutText.contains("total: ~"))
    }

    @Test func theSameFileSeedAndStartGiveTheSameBytes() throws {
        let arguments = ["storm", Self.quickstart, "--print", "--start", Self.start, "--duration", "5s"]
        let first = try CommandRunner.hookreel(arguments)
        let second = try CommandRunner.hookreel(arguments)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stdout.count > 10_000)
        #expect(first.stdout == second.stdout)
        let reseeded = try CommandRunner.hookreel(arguments + ["--seed", "43"])
        #expect(reseeded.stdout != first.stdout)
        for line in first.stdoutLines {
            #expect((try? JSONSerialization.jsonObject(with: Data(line.utf8))) != nil, "not JSON: \(line.prefix(80))")
        }
    }

    @Test func aRecordedStormVerifiesAndHoldsThePrintedEvents() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let out = directory.file("storm")
        let written = try CommandRunner.hookreel(["storm", Self.quickstart, "--out", out, "--start", Self.start, "--quiet"])
        #expect(written.status == 0, "\(written.stderr)")
        let verified = try CommandRunner.hookreel(["inspect", out, "--verify"])
        #expect(verified.status == 0, "\(verified.stderr)")

        let printed = try CommandRunner.hookreel(["storm", Self.quickstart, "--print", "--start", Self.start])
        let reader = RecordReader(try Recording(path: out)) { issue in Issue.record("read issue: \(issue)") }
        let records = reader.map { $0.record.decode() }
        #expect(records.map { String(decoding: $0.body, as: UTF8.self) } == printed.stdoutLines)
        #expect(records.allSatisfy { $0.source == .synthesized && $0.method == "POST" })
        #expect(records.first?.receivedAt ?? Timestamp(microsecondsSinceEpoch: 0) >= Timestamp(rfc3339: Self.start)!)
        #expect(zip(records, records.dropFirst()).allSatisfy { $0.receivedAt <= $1.receivedAt })
    }

    @Test func aBadScenarioNamesItsFileLineAndKeyAndSendsNothing() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("bad.yaml")
        try """
        name: bad
        flows:
          - name: jobs
            kind: job
            process: Missing
            weight: 1
            pending: 5s
            run: 10s
            outcomes: { completed: 1 }
        load:
          - { duration: 10s, rate: 5/s }
        """.write(toFile: file, atomically: true, encoding: .utf8)
        let result = try CommandRunner.hookreel(["storm", file, "--print"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("bad.yaml:5"), "\(result.stderr)")
        #expect(result.stderr.contains("flows[0].process"), "\(result.stderr)")
    }

    /// Live: the report gives arrivals and emitted events per second of storm
    /// time, and the per-second events add up to what the sink received.
    @Test func aLiveStormReportsArrivalsAndEventsPerSecond() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let json = directory.file("storm.json")
        let sink = try ChildServer(arguments: ["--seed", "1"], environment: [:])
        let result = try CommandRunner.hookreel(["storm", Self.quickstart, "--target", "http://127.0.0.1:\(sink.port)/hooks",
                                                 "--start", Self.start, "--duration", "4s", "--time-scale", "600", "--quiet",
                                                 "--json", json])
        let summary = sink.stop(with: SIGTERM).stdout
        #expect(result.status == 0, "\(result.stderr)")
        // The saved result carries the storm's series: `report` shows the run's text again.
        let shown = try CommandRunner.hookreel(["report", json])
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdoutText == result.stdoutText)
        let lines = result.stdoutLines
        let header = try #require(lines.firstIndex { $0.contains("storm time   arrivals/s   events/s") }, "\(result.stdoutText)")
        let rows = lines[(header + 1)...].map { $0.split(separator: " ").map(String.init) }
        #expect(rows.count == 4, "one row per second of a 4 s storm")
        let perSecondEvents = rows.compactMap { $0.count == 3 ? Int($0[2]) : nil }.reduce(0, +)
        let received = summary.split(separator: "\n").first { $0.hasPrefix("requests received: ") }
            .flatMap { Int($0.dropFirst("requests received: ".count)) }
        #expect(perSecondEvents == received, "\(rows) vs \(summary)")
        #expect(rows.allSatisfy { Int($0[1]) ?? -1 >= 0 })
    }

    @Test func exactlyOneOutputIsRequired() throws {
        let none = try CommandRunner.hookreel(["storm", Self.quickstart])
        #expect(none.status == 64)
        #expect(none.stderr.contains("give exactly one of --check, --print, --out DIR or --target URL"))
        let two = try CommandRunner.hookreel(["storm", Self.quickstart, "--check", "--print"])
        #expect(two.status == 64)
    }
}
