import EventModel
import Foundation
import Testing
@testable import Reporting

/// `report diff`'s comparison: the figures and their changes, thresholds on a
/// change (relative and absolute, from a base of 0 too), the warnings, the
/// version refusal and the three renderings.
@Suite struct RunComparisonTests {
    /// 100 requests 10 ms apart (100/s), each 1 ms (exact at 3 significant digits), 1 failed.
    static let base = run(count: 100, every: 10, service: 1, failed: 1)
    /// 100 requests 12.5 ms apart (80/s), each 1.5 ms, 3 failed.
    static let new = run(count: 100, every: 12.5, service: 1.5, failed: 3)

    private static func run(count: Int, every: Double, service: Double, failed: Int,
                            metadata: RunMetadata = metadata(targetRate: 100)) -> RunResult {
        let samples = (0..<count).map { index in
            sample(intended: Double(index) * every, service: service, outcome: index < failed ? .status(500) : .status(200))
        }
        return RunResult(metadata: metadata, statistics: statistics(samples))
    }

    private func comparison(_ base: RunResult = base, _ new: RunResult = new) throws -> RunComparison {
        try RunComparison(base: base, new: new, baseSource: "base.json", newSource: "new.json")
    }

    @Test func figuresHoldBothRunsAndTheChange() throws {
        let figures = try comparison().figures
        #expect(figures.map(\.name) == [
            "requests", "achieved rate", "target rate", "errors",
            "latency p50", "latency p90", "latency p99", "latency p99.9", "latency max",
            "service time p50", "service time p90", "service time p99", "service time p99.9", "service time max",
            "schedule lag p99",
        ])
        let p99 = try #require(figures.first { $0.name == "latency p99" })
        #expect(p99.unit == .microseconds)
        #expect(p99.base == 1000 && p99.new == 1500 && p99.change == 500)
        #expect(p99.relativeChange?.percent == 50)
        let errors = try #require(figures.first { $0.name == "errors" })
        #expect(errors.base == 1 && errors.new == 3 && errors.change == 2, "a change of errors is in percentage points")
        let rate = try #require(figures.first { $0.name == "achieved rate" })
        #expect(abs((rate.base ?? 0) - 100) < 1e-9 && abs((rate.new ?? 0) - 80) < 1e-9)
        let lag = try #require(figures.last)
        #expect(lag.base == 0 && lag.new == 0 && lag.relativeChange?.percent == nil, "from a base of 0 the relative change is n/a")
    }

    @Test(arguments: [
        ("p99>+10%", "p99 went from 1ms to 1.5ms (+500µs, +50%), limit p99>+10%"),
        ("p99>+60%", nil),
        ("p99<-10%", nil),
        ("p99>+400us", "p99 went from 1ms to 1.5ms (+500µs, +50%), limit p99>+400us"),
        ("p99>+0.5ms", nil),
        ("p99>=+0.5ms", "p99 went from 1ms to 1.5ms (+500µs, +50%), limit p99>=+0.5ms"),
        ("max>+49%", "max went from 1ms to 1.5ms (+500µs, +50%), limit max>+49%"),
        ("errors>+1%", "errors went from 1% to 3% (+2 points, +200%), limit errors>+1%"),
        ("errors>+2%", nil),
        ("rate<-5%", "rate went from 100.0/s to 80.0/s (-20.0/s, -20%), limit rate<-5%"),
        ("rate<-25%", nil),
        // Unsigned: the new run's own value.
        ("p99>250ms", nil),
        ("errors>2%", "errors were 3% (3 of 100), limit errors>2%"),
        ("rate<95%", "rate was 80% of the target (80.0/s of 100.0/s), limit rate<95%"),
    ])
    func thresholdsOnTheChange(text: String, breach: String?) throws {
        let threshold = try Threshold(parsing: text, withBaseRun: true)
        #expect(try comparison().breaches(of: [threshold]).first?.description == breach)
    }

    /// The same runs the other way round: what rose now fell.
    @Test func swappingTheRunsTurnsARiseIntoAFall() throws {
        let swapped = try comparison(Self.new, Self.base)
        let rise = try Threshold(parsing: "p99>+10%", withBaseRun: true)
        #expect(swapped.breaches(of: [rise]).isEmpty)
        #expect(swapped.check(try Threshold(parsing: "p99<-30%", withBaseRun: true)).measurement
            == "p99 went from 1.5ms to 1ms (-500µs, -33.3%)")
    }

    /// From a base of 0 a relative change is undefined: a rise counts as
    /// infinite, no change as 0 %.
    @Test(arguments: [
        ("p99>+10%", true, "p99 went from 0µs to 1.5ms (+1.5ms, no relative change from 0)"),
        ("p99>+1000000%", true, "p99 went from 0µs to 1.5ms (+1.5ms, no relative change from 0)"),
        ("p99<-10%", false, "p99 went from 0µs to 1.5ms (+1.5ms, no relative change from 0)"),
        ("rate<-5%", false, "rate went from 0.0/s to 80.0/s (+80.0/s, no relative change from 0)"),
        ("p99>+1ms", true, "p99 went from 0µs to 1.5ms (+1.5ms, no relative change from 0)"),
    ])
    func aZeroBaseCountsARiseAsInfinite(text: String, breached: Bool, measurement: String) throws {
        let empty = RunResult(metadata: metadata(targetRate: 100), statistics: RunStatistics())
        let check = try comparison(empty, Self.new).check(try Threshold(parsing: text, withBaseRun: true))
        #expect(check.isBreached == breached)
        #expect(check.measurement == measurement)
    }

    @Test func twoZerosAreNoChange() throws {
        let empty = RunResult(metadata: metadata(targetRate: 100), statistics: RunStatistics())
        let both = try comparison(empty, empty)
        #expect(both.breaches(of: [try Threshold(parsing: "p99>+10%", withBaseRun: true)]).isEmpty)
        #expect(both.check(try Threshold(parsing: "p99>=+0%", withBaseRun: true)).isBreached)
        #expect(ComparisonTextReport().render(both).contains("n/a"))
    }

    /// A signed threshold checked without a base run cannot pass silently.
    @Test func aChangeWithoutABaseRunIsABreach() throws {
        let threshold = try Threshold(parsing: "p99>+10%", withBaseRun: true)
        #expect(threshold.breach(in: Self.new)?.description == "p99>+10% has no base run to compare with, limit p99>+10%")
    }

    @Test func resultsOfDifferentFormatVersionsAreRefused() throws {
        var later = Self.new
        later.version = RunResult.formatVersion + 1
        #expect {
            try comparison(Self.base, later)
        } throws: { error in
            let error = error as? ReportError
            return error?.code == .differentVersions
                && error?.description == "base.json: result format version 1, but new.json is version 2: "
                + "compare results written by the same hookreel version"
        }
    }

    @Test func theVersionReadIsKept() throws {
        let read = try RunResult(jsonBytes: try Self.base.jsonBytes(), source: "base.json")
        #expect(read.version == RunResult.formatVersion)
    }

    @Test func warningsNameWhatDiffersBetweenTheRuns() throws {
        #expect(try comparison().warnings.isEmpty)
        var other = metadata(target: "http://127.0.0.1:9090/other", targetRate: nil, pacing: "max rate, closed loop with 8 concurrent")
        other.command = "storm"
        other.shard = try Shard(index: 1, count: 4)
        let new = RunResult(metadata: other, statistics: Self.new.statistics)
        #expect(try comparison(Self.base, new).warnings == [
            "the runs' command differs: base replay, new storm",
            "the runs' target differs: base http://127.0.0.1:8080/hook, new http://127.0.0.1:9090/other",
            "the runs' pacing differs: base constant 100/s (uniform), new max rate, closed loop with 8 concurrent",
            "the runs' target rate differs: base 100.0/s, new none (closed loop)",
            "the runs' sharding differs: base unsharded, new shard 1 of 4",
        ])
    }

    @Test func textIsATableOfBothRunsAndTheChange() throws {
        let text = ComparisonTextReport().render(try comparison())
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        #expect(lines[0] == "hookreel report diff")
        #expect(lines[1].hasPrefix("base  base.json: replay http://127.0.0.1:8080/hook, constant 100/s (uniform), started 2026-03-01T12:00:00"))
        #expect(lines[2].hasPrefix("new   new.json: replay "))
        let columns = { (line: String) in line.split(separator: " ").map(String.init) }
        #expect(columns(lines[4]) == ["base", "new", "change", "change", "%"])
        let row = { (name: String) in lines.first { $0.hasPrefix(name + " ") }.map { columns(String($0.dropFirst(name.count))) } }
        #expect(row("latency p99") == ["1ms", "1.5ms", "+500µs", "+50%"])
        #expect(row("errors") == ["1%", "3%", "+2", "points", "+200%"])
        #expect(row("requests") == ["100", "100", "0", "0%"])
        #expect(row("schedule lag p99") == ["0µs", "0µs", "0µs", "n/a"])
        #expect(text.contains(ComparisonTable.changeNote))
    }

    @Test func jsonHoldsTheFiguresVerdictsAndWarningsWithSortedKeys() throws {
        var closedLoop = Self.new
        closedLoop.metadata.targetRate = nil
        let comparison = try comparison(Self.base, closedLoop)
        let thresholds = [try Threshold(parsing: "p99>+10%", withBaseRun: true), try Threshold(parsing: "errors>5%", withBaseRun: true)]
        let bytes = try comparison.jsonBytes(checking: thresholds)
        #expect(bytes == (try comparison.jsonBytes(checking: thresholds)), "stable")
        let text = String(decoding: bytes, as: UTF8.self)
        #expect(text.hasPrefix(#"{"base":{"metadata":{"command":"replay","#), "sorted keys: \(text.prefix(80))")
        #expect(text.contains(#""version":1,"warnings":["#) && text.hasSuffix("]}\n"))
        let document = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
        #expect((document["base"] as? [String: Any])?["source"] as? String == "base.json")
        let figures = try #require(document["figures"] as? [[String: Any]])
        #expect(figures.count == 15)
        let p99 = try #require(figures.first { $0["name"] as? String == "latency p99" })
        #expect(p99["unit"] as? String == "us" && p99["base"] as? Double == 1000 && p99["new"] as? Double == 1500)
        #expect(p99["change"] as? Double == 500 && p99["relative_change"] as? Double == 50)
        let targetRate = try #require(figures.first { $0["name"] as? String == "target rate" })
        #expect(targetRate["new"] == nil && targetRate["change"] == nil, "a figure a run lacks is left out")
        let lag = try #require(figures.first { $0["name"] as? String == "schedule lag p99" })
        #expect(lag["change"] as? Double == 0 && lag["relative_change"] == nil, "no relative change from a base of 0")
        let verdicts = try #require(document["thresholds"] as? [[String: Any]])
        #expect(verdicts.map { $0["expression"] as? String } == ["p99>+10%", "errors>5%"])
        #expect(verdicts.map { $0["breached"] as? Bool } == [true, false])
        #expect(document["warnings"] as? [String] == ["the runs' target rate differs: base 100.0/s, new none (closed loop)"])
    }

    @Test func htmlHasBothSpectraTheWarningsAndTheVerdicts() throws {
        var other = Self.new
        other.metadata.pacing = "constant 80/s <uniform>"
        let threshold = try Threshold(parsing: "p99>+10%", withBaseRun: true)
        let html = ComparisonHTMLReport().render(try comparison(Self.base, other), thresholds: [threshold])
        #expect(html.hasPrefix("<!DOCTYPE html>") && html.hasSuffix("</html>\n"))
        #expect(!html.contains("<script") && !html.contains("src="))
        #expect(html.components(separatedBy: "<svg").count == 3, "latency and service time spectra")
        #expect(html.contains("Latency (from schedule): base and new") && html.contains("Service time: base and new"))
        #expect(html.contains("warning: the runs&#39; pacing differs: base constant 100/s (uniform), new constant 80/s &lt;uniform&gt;"))
        #expect(html.contains("<th>p99&gt;+10%</th><td class=\"warning\">breached</td>"))
        #expect(html.contains("<tr><th>latency p99</th><td class=\"number\">1ms</td><td class=\"number\">1.5ms</td>"))
    }
}
