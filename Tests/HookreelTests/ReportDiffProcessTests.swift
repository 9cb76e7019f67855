import Foundation
import Testing
import TestSupport

/// `hookreel report diff` as users run it: two replays against sinks of 5 ms and
/// 20 ms latency, compared both ways with a relative threshold, its reports, and
/// the results and thresholds it refuses. Each replay is 200 requests at 200/s.
/// The 5 ms run's p99 is typically 9-13 ms here, well under the 20 ms run's:
/// like every timing test it needs the suites run one after another (`make
/// test` does), not beside another suite's load.
@Suite(.serialized)
struct ReportDiffProcessTests {
    static let sample = CommandRunner.packageRoot + "/recordings/sample"
    static let schema = CommandRunner.packageRoot + "/Tests/ReportingTests/Fixtures/JUnit.xsd"

    /// Replays `limit` requests at 200/s to a sink that answers after `latency`, writing the result to `path`.
    private func replay(latency: String, limit: Int = 200, into path: String) throws {
        let sink = try ChildServer(arguments: ["--latency", latency], environment: [:])
        defer { _ = sink.stop(with: SIGTERM) }
        let run = try CommandRunner.hookreel([
            "replay", Self.sample, "--target", "http://127.0.0.1:\(sink.port)/", "--limit", String(limit), "--rate", "200/s",
            "--timeout", "5s", "--quiet", "--seed", "1", "--json", path,
        ])
        #expect(run.status == 0, "\(run.stderr)")
    }

    @Test func aSlowerRunBreachesARelativeThresholdAndAFasterOneDoesNot() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let (fast, slow) = (directory.file("fast.json"), directory.file("slow.json"))
        try replay(latency: "5ms", into: fast)
        try replay(latency: "20ms", into: slow)
        let (junit, json, html) = (directory.file("diff.xml"), directory.file("diff.json"), directory.file("diff.html"))

        let worse = try CommandRunner.hookreel(["report", "diff", fast, slow, "--fail-on", "p99>+10%",
                                                "--junit", junit, "--json", json, "--html", html])
        #expect(worse.status == 3, "\(worse.stderr)\n\(worse.stdoutText)")
        #expect(worse.stderr.contains("threshold breached: p99 went from "), "\(worse.stderr)")
        #expect(worse.stderr.contains(", limit p99>+10%"), "\(worse.stderr)")
        // The sinks listened on different ports: the runs' targets differ.
        #expect(worse.stderr.contains("hookreel: warning: the runs' target differs: base http://127.0.0.1:"), "\(worse.stderr)")
        #expect(worse.stdoutLines.first == "hookreel report diff")
        #expect(worse.stdoutLines.contains { $0.hasPrefix("latency p99 ") }, "\(worse.stdoutText)")
        let requests = worse.stdoutLines.first { $0.hasPrefix("requests ") }?.split(separator: " ")
        #expect(requests == ["requests", "200", "200", "0", "0%"], "\(worse.stdoutText)")

        // The reports: JUnit that CI's schema accepts (one failing case), JSON, HTML.
        let lint = try CommandRunner.run("/usr/bin/env", ["xmllint", "--noout", "--schema", Self.schema, junit])
        #expect(lint.status != 127, "xmllint is not installed: install libxml2-utils (apt-get install libxml2-utils, or make deps as root)")
        #expect(lint.status == 0, "\(lint.stderr)")
        let verdict = try String(contentsOfFile: junit, encoding: .utf8)
        #expect(verdict.components(separatedBy: "<failure ").count - 1 == 1, "\(verdict)")
        let document = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any])
        #expect((document["thresholds"] as? [[String: Any]])?.first?["breached"] as? Bool == true)
        #expect((document["figures"] as? [Any])?.count == 15)
        let page = try String(contentsOfFile: html, encoding: .utf8)
        #expect(page.contains("Latency (from schedule): base and new") && !page.contains("<script"))

        let better = try CommandRunner.hookreel(["report", "diff", slow, fast, "--fail-on", "p99>+10%"])
        #expect(better.status == 0, "\(better.stderr)")
        #expect(!better.stderr.contains("threshold breached"), "\(better.stderr)")
    }

    @Test func unreadableResultsAndBadThresholdsAreRefused() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let result = directory.file("run.json")
        try replay(latency: "1ms", limit: 20, into: result)

        let same = try CommandRunner.hookreel(["report", "diff", result, result])
        #expect(same.status == 0, "\(same.stderr)")
        #expect(same.stderr.isEmpty, "no warnings for one run against itself: \(same.stderr)")

        // A result of another format version is not read (exit 1, naming the file).
        let later = directory.file("later.json")
        let text = try String(contentsOfFile: result, encoding: .utf8)
        try Data(text.replacingOccurrences(of: #""version":1"#, with: #""version":2"#).utf8).write(to: URL(fileURLWithPath: later))
        let refused = try CommandRunner.hookreel(["report", "diff", result, later])
        #expect(refused.status == 1, "\(refused.stderr)")
        #expect(refused.stderr.contains("\(later): result format version 2 is not supported"), "\(refused.stderr)")
        #expect(refused.stdout.isEmpty)

        let missing = try CommandRunner.hookreel(["report", "diff", result, directory.file("none.json")])
        #expect(missing.status == 1, "\(missing.stderr)")

        // Malformed thresholds name the place (exit 64); a change needs a base run.
        let cases: [([String], String)] = [
            (["report", "diff", result, result, "--fail-on", "p99>+10"],
             "threshold 'p99>+10' at the end: expected a unit after '10' (%, us, ms, s, m or h), such as +10% or +10ms"),
            (["report", "diff", result, result, "--fail-on", "errors>+0.5ms"], "threshold 'errors>+0.5ms' at character 12:"),
            (["report", "show", result, "--fail-on", "p99>+10%"],
             "threshold 'p99>+10%' at character 5: '+10%' is a change from a base run (a signed value); only 'hookreel report diff' has one"),
            (["report", "merge", result, "-o", directory.file("m.json"), "--fail-on", "rate<-5%"], "only 'hookreel report diff' has one"),
            (["report", "diff", result], "Missing expected argument '<new.json>'"),
        ]
        for (arguments, message) in cases {
            let run = try CommandRunner.hookreel(arguments)
            #expect(run.status == 64, "\(arguments): \(run.stderr)")
            #expect(run.stderr.contains(message), "\(arguments): \(run.stderr)")
        }
    }
}
