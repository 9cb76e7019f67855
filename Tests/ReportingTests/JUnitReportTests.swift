import EventModel
import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import Reporting

/// The JUnit verdict: well-formed XML with one test case per threshold (a
/// failure per breach, its message the measurement against the bound) and
/// one for transport errors, counted in the suite's attributes.
@Suite struct JUnitReportTests {
    /// The elements and attributes of `xml`, in document order; nil when it is not well-formed.
    private func elements(of xml: String) -> [(name: String, attributes: [String: String])]? {
        final class Collector: NSObject, XMLParserDelegate {
            var elements: [(name: String, attributes: [String: String])] = []
            func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                        attributes: [String: String]) {
                elements.append((name, attributes))
            }
        }
        let parser = XMLParser(data: Data(xml.utf8))
        let collector = Collector()
        parser.delegate = collector
        return parser.parse() ? collector.elements : nil
    }

    private func result(failing: Int) -> RunResult {
        let samples = (0..<10).map { index in
            sample(intended: Double(index) * 10, service: 5 + Double(index), outcome: index < failing ? .error(.refused) : .status(202))
        }
        return RunResult(metadata: metadata(target: "http://127.0.0.1:8080/hook?a=1&b=<2>"), statistics: statistics(samples))
    }

    @Test func aBreachIsAFailingCaseAndAHeldThresholdAPassingOne() throws {
        let thresholds = [try Threshold(parsing: "p99>1ms"), try Threshold(parsing: "p99>10s")]
        let xml = JUnitReport().render(result(failing: 0), thresholds: thresholds)
        let parsed = try #require(elements(of: xml), "not well-formed: \(xml)")
        let suite = try #require(parsed.first { $0.name == "testsuite" })
        #expect(suite.attributes["tests"] == "3")
        #expect(suite.attributes["failures"] == "1")
        #expect(suite.attributes["errors"] == "0")
        #expect(suite.attributes["name"] == "hookreel replay http://127.0.0.1:8080/hook?a=1&b=<2>", "escaped and read back")
        let cases = parsed.filter { $0.name == "testcase" }.map { $0.attributes["name"] }
        #expect(cases == ["p99>1ms", "p99>10s", "transport errors"])
        let failures = parsed.filter { $0.name == "failure" }
        #expect(failures.count == 1)
        #expect(failures.first?.attributes["message"]?.hasSuffix(", limit p99>1ms") == true, "\(failures)")
        #expect(failures.first?.attributes["message"]?.hasPrefix("p99 was ") == true)
    }

    @Test func transportErrorsFailTheirCaseWithTheClasses() throws {
        let xml = JUnitReport().render(result(failing: 4), thresholds: [])
        let parsed = try #require(elements(of: xml))
        let failures = parsed.filter { $0.name == "failure" }
        #expect(failures.map { $0.attributes["message"] } == ["4 of 10 requests got no HTTP answer: refused 4"])
        #expect(failures.first?.attributes["type"] == "transport")
        #expect(parsed.first { $0.name == "testsuite" }?.attributes["failures"] == "1")
    }

    @Test func aRunWithoutThresholdsIsASuiteWithItsSummaryAndNoFailures() throws {
        let xml = JUnitReport().render(result(failing: 0), thresholds: [])
        let parsed = try #require(elements(of: xml))
        #expect(parsed.filter { $0.name == "failure" }.isEmpty)
        #expect(parsed.contains { $0.name == "system-out" })
        #expect(xml.contains("requests          10"), "the text summary is the suite's output")
        // JUnit's schema wants a zone-less ISO 8601 timestamp.
        #expect(parsed.first { $0.name == "testsuite" }?.attributes["timestamp"] == "2026-03-01T12:00:00")
    }
}
