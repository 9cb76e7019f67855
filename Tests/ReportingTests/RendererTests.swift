import Foundation
import Testing
import TestSupport
@testable import Reporting

@Suite struct RendererTests {
    /// 200 requests over ~4 s at a target of 50/s (achieved ~50/s), one 503 and one timeout.
    private static func steadyRun(targetRate: Double = 50, target: String = "http://127.0.0.1:8080/hook") -> RunResult {
        let samples = (0..<200).map { (index: Int) -> RequestSample in
            let outcome: RequestOutcome = index == 7 ? .status(503) : index == 8 ? .error(.timeout) : .status(200)
            return sample(intended: Double(index) * 20, lag: 0.2, service: Double(index % 40) + 1,
                          outcome: outcome, bytesSent: 1024, bytesReceived: 2)
        }
        return RunResult(metadata: metadata(target: target, targetRate: targetRate), statistics: statistics(samples))
    }

    @Test func textReportStatesRatesOutcomesAndPercentileRows() {
        let text = TextReport().render(Self.steadyRun())
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first == "hookreel replay report")
        #expect(lines.contains("target            http://127.0.0.1:8080/hook"))
        #expect(lines.contains("pacing            constant 100/s (uniform)"))
        #expect(lines.contains("requests          200"))
        #expect(lines.contains("rate              target 50.0/s, achieved 50.0/s (100%)"))
        #expect(lines.contains("statuses          200: 198, 503: 1"))
        #expect(lines.contains("transport errors  timeout: 1"))
        #expect(lines.contains("failed            2 (1%) non-2xx or transport errors"))
        #expect(lines.contains("bytes             sent 200.0 KiB, received 400 B"))
        #expect(!text.contains("could not keep the schedule"))
        let header = lines.first { $0.contains("p99.9") }.map { $0.split(separator: " ").map(String.init) }
        #expect(header == ["min", "mean", "p50", "p90", "p99", "p99.9", "max"])
        let latencyRow = lines.first { $0.hasPrefix("latency ") }.map { $0.split(separator: " ").map(String.init) }
        #expect(latencyRow == ["latency", "1.2ms", "20.7ms", "20.21ms", "36.22ms", "40.2ms", "40.2ms", "40.2ms"])
        #expect(lines.contains { $0.hasPrefix("service time ") })
        #expect(lines.contains { $0.hasPrefix("schedule lag ") && $0.contains("200µs") })
    }

    @Test func textReportSaysWhenTheScheduleWasNotKept() {
        let text = TextReport().render(Self.steadyRun(targetRate: 100))
        #expect(text.contains("rate              target 100.0/s, achieved 50.0/s (50%)"))
        #expect(text.contains("WARNING: could not keep the schedule: achieved 50% of the target rate"))
    }

    @Test func htmlIsSelfContainedWithChartsAndEscapesText() {
        let html = HTMLReport().render(Self.steadyRun(target: "http://x/<script>alert('x')</script>"))
        #expect(html.hasPrefix("<!DOCTYPE html>"))
        #expect(html.components(separatedBy: "<svg").count - 1 == 3)
        for reference in ["src=\"http", "href=\"http", "src='http", "href='http", "url(http", "<script", "<link"] {
            #expect(!html.contains(reference), "found \(reference)")
        }
        #expect(html.contains("http://x/&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;"))
        #expect(html.contains("<th>rate</th><td>target 50.0/s, achieved 50.0/s (100%)</td>"))
        for label in ["p50", "p90", "p99", "max", "latency", "service time", "scheduled/s", "completed/s", "99%"] {
            #expect(html.contains(">\(label)<"), "missing \(label)")
        }
    }

    @Test func htmlOfAnEmptyRunSaysNoData() {
        let html = HTMLReport().render(RunResult(metadata: metadata(), statistics: RunStatistics()))
        #expect(html.contains("no data"))
    }

    @Test func hgrmIsAJavaStylePercentileDistributionInMilliseconds() throws {
        let result = Self.steadyRun()
        let text = HgrmReport().render(result)
        let lines = text.split(separator: "\n").map(String.init)
        #expect(lines.first?.split(separator: " ") == ["Value", "Percentile", "TotalCount", "1/(1-Percentile)"])
        let rows = lines.dropFirst().filter { !$0.hasPrefix("#") }.map { $0.split(separator: " ").compactMap { Double($0) } }
        #expect(rows.count > 10)
        #expect(rows.allSatisfy { $0.count >= 3 })
        let percentiles = rows.map { $0[1] }
        let values = rows.map { $0[0] }
        #expect(zip(percentiles, percentiles.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(zip(values, values.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(percentiles.last == 1)
        #expect(abs(try #require(values.last) - 40.2) < 0.1)
        #expect(rows.last?[2] == 200)
        let footer = lines.suffix(3)
        #expect(footer.first?.hasPrefix("#[Mean    =") == true)
        #expect(footer.dropFirst().first?.hasPrefix("#[Max     =") == true)
        #expect(footer.last?.hasPrefix("#[Buckets =") == true)
    }

    @Test(arguments: [
        (0.0, "0µs"), (850, "850µs"), (12.345, "12.35µs"), (1000, "1ms"), (312_400, "312.4ms"),
        (1_500_000, "1.5s"), (3_600_000_000, "3600s"),
    ])
    func durationsInHumanUnits(microseconds: Double, text: String) {
        #expect(HumanUnits.duration(microseconds: microseconds) == text)
    }
}
