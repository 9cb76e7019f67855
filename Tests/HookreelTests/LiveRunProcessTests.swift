import AsyncHTTPClient
import Foundation
import NIOCore
@testable import Receiver
import Replay
import Testing
import TestSupport

/// A run watched as it goes: `--metrics-listen` scraped during a replay
/// against the sink, `--abort-on` stopping a run against a failing sink, and
/// the Grafana dashboard's queries against the metrics hookreel exports.
@Suite(.serialized)
struct LiveRunProcessTests {
    static let sample = CommandRunner.packageRoot + "/recordings/sample"
    static let dashboard = CommandRunner.packageRoot + "/deploy/grafana/hookreel-dashboard.json"

    private func scrape(_ client: HTTPClient, port: Int) async throws -> String {
        let response = try await client.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(5))
        #expect(response.status.code == 200)
        return String(buffer: try await response.body.collect(upTo: 1 << 22))
    }

    @Test func theMetricsMoveDuringARunAndEndEqualToItsResult() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let sink = try ChildServer(arguments: ["--seed", "1"], environment: [:])
        defer { _ = sink.stop(with: SIGTERM) }
        let resultFile = directory.file("result.json")
        // 600 requests at 200/s: three seconds to scrape in.
        let run = try ChildServer(
            command: "replay",
            arguments: [Self.sample, "--target", "http://127.0.0.1:\(sink.port)/hook", "--rate", "200/s", "--limit", "600",
                        "--quiet", "--seed", "1", "--json", resultFile, "--run-name", "scraped"],
            environment: [:], listening: ["--metrics-listen", "127.0.0.1:0"],
            announcement: #"metrics on http://127\.0\.0\.1:\d+"#)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        var sentSeen: [Double] = []
        var last = ""
        for _ in 0..<4 {
            try await Task.sleep(for: .milliseconds(500))
            guard run.process.isRunning, let text = try? await scrape(client, port: run.port) else { break }
            last = text
            sentSeen.append(prometheusSample(#"hookreel_replay_requests_sent_total{run="scraped"}"#, in: text) ?? -1)
        }
        try await client.shutdown()
        let (status, _) = run.waitForExit()
        #expect(status == 0, "\(run.stderr)")

        #expect(sentSeen.count >= 3, "scraped while the run went: \(sentSeen)")
        #expect(zip(sentSeen, sentSeen.dropFirst()).allSatisfy { $0 < $1 }, "the sent counter moves: \(sentSeen)")
        #expect(sentSeen.allSatisfy { $0 > 0 && $0 < 600 })
        #expect(prometheusMetricNames(in: last) == Set(ReplayMetrics.names))
        #expect(prometheusSample(#"hookreel_replay_target_rate{run="scraped"}"#, in: last) == 200)
        // (That the histograms end with exactly the result's counts is LiveRunTests' check, in process.)
        let result = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: resultFile))) as? [String: Any]
        let statistics = try #require(result?["statistics"] as? [String: Any])
        #expect(statistics["requests"] as? Int == 600)
        #expect(run.stderr.contains("serving metrics on http://127.0.0.1:\(run.port)/metrics"))
    }

    @Test func aBreachStopsTheRunSoonAfterTheGracePeriod() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let sink = try ChildServer(arguments: ["--error-rate", "50%", "--seed", "1"], environment: [:])
        defer { _ = sink.stop(with: SIGTERM) }
        let json = directory.file("result.json")
        let html = directory.file("report.html")
        let started = Date()
        // 2000 requests at 200/s would take 10 s; the grace period is 2 s.
        let result = try CommandRunner.hookreel([
            "replay", Self.sample, "--target", "http://127.0.0.1:\(sink.port)/hook", "--rate", "200/s", "--quiet", "--seed", "1",
            "--abort-on", "errors>5%", "--abort-grace", "2s", "--json", json, "--html", html,
        ])
        let took = Date().timeIntervalSince(started)
        #expect(result.status == 3, "\(result.stderr)")
        #expect(took < 2 + 2 + 1.5, "ends within 2 s of the grace period's end (plus start-up), took \(took) s")
        #expect(result.stderr.contains("aborted at 2s: errors>5% breached (errors were "))
        #expect(result.stderr.contains("threshold breached: aborted at 2s"))
        #expect(result.stdoutText.contains("ABORTED: aborted at 2s: errors>5% breached"))
        let object = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: json))) as? [String: Any]
        let metadata = try #require(object?["metadata"] as? [String: Any])
        let aborted = try #require(metadata["aborted"] as? [String: Any])
        #expect(aborted["threshold"] as? String == "errors>5%")
        #expect(aborted["second"] as? Int == 2)
        #expect(try String(contentsOfFile: html, encoding: .utf8).contains("ABORTED: aborted at 2s"))
    }

    @Test func badAbortAndMetricsOptionsAreRefused() throws {
        let refused = try CommandRunner.hookreel(["replay", Self.sample, "--target", "http://127.0.0.1:9/", "--abort-on", "p99>>1s"])
        #expect(refused.status == 64)
        #expect(refused.stderr.contains("--abort-on: threshold 'p99>>1s'"))
        let stormWithoutTarget = try CommandRunner.hookreel([
            "storm", CommandRunner.packageRoot + "/scenarios/month-end-invoices.yaml", "--print", "--metrics-listen", "127.0.0.1:0",
        ])
        #expect(stormWithoutTarget.status == 64)
        // Original timing has no rate to fall short of.
        let rateWithoutSchedule = try CommandRunner.hookreel(["replay", Self.sample, "--target", "http://127.0.0.1:9/", "--abort-on", "rate<90%"])
        #expect(rateWithoutSchedule.status == 64)
        #expect(rateWithoutSchedule.stderr.contains("--abort-on 'rate<90%': this run has no rate schedule to compare with"))
    }

    /// Every metric a dashboard query names is one the generator, the sink or
    /// the recorder exports (each type's list is checked against its
    /// exposition in its own module's tests).
    @Test func theDashboardQueriesOnlyExportedMetrics() throws {
        let data = try Data(contentsOf: URL(fileURLWithPath: Self.dashboard))
        let dashboard = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
        var expressions: [String] = []
        func collect(_ value: Any) {
            if let object = value as? [String: Any] {
                for (key, member) in object {
                    if key == "expr" || key == "definition", let text = member as? String { expressions.append(text) }
                    collect(member)
                }
            } else if let array = value as? [Any] {
                array.forEach(collect)
            }
        }
        collect(dashboard)
        #expect(expressions.count >= 20)
        let exported = Set(ReplayMetrics.names + SinkMetrics.names + RecorderMetrics.names)
        let queried = Set(expressions.flatMap { expression in
            expression.matches(of: /hookreel_[a-z_]+/).map { match in
                var name = String(match.output)
                for suffix in ["_bucket", "_sum", "_count"] where name.hasSuffix(suffix) && !exported.contains(name) {
                    name = String(name.dropLast(suffix.count))
                }
                return name
            }
        })
        #expect(queried.subtracting(exported).isEmpty, "queried but not exported: \(queried.subtracting(exported).sorted())")
        #expect(Set(ReplayMetrics.names).subtracting(queried).isEmpty, "generator metrics the dashboard does not show")
    }
}
