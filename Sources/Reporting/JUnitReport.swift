import EventModel
import Primitives

/// A verdict as JUnit XML, the test report CI systems show: one test case per
/// threshold (named by its expression; a breach is a failure whose message is
/// the measured value against the bound), and one for transport errors (a
/// failure when any request got no HTTP answer), and a failing case for an
/// `--abort-on` threshold that stopped the run. With no thresholds the suite
/// still holds the transport case and the summary.
///
/// The document is one `testsuite` as the common JUnit schema (the Apache Ant
/// JUnit schema published as windyroad/JUnit-Schema) has it: the counts, time,
/// zone-less timestamp and host as attributes, then properties, test cases,
/// `system-out` and `system-err` in that order. Tests/ReportingTests validate it.
public struct JUnitReport {
    /// The host the suite ran on, which the schema requires; "localhost" when
    /// unknown (a result read back does not say where it ran).
    let hostname: String

    public init(hostname: String = "localhost") {
        self.hostname = hostname
    }

    /// A run's verdict: its thresholds, its transport errors, its summary.
    public func render(_ result: RunResult, thresholds: [Threshold]) -> String {
        render(Suite(name: "hookreel \(result.metadata.command) \(result.metadata.target)",
                     run: result,
                     checks: thresholds.map { ($0, $0.check(result)) },
                     properties: properties(of: result),
                     output: TextReport().render(result)))
    }

    /// A comparison's verdict: its thresholds (a signed one on the change), the
    /// new run's transport errors, the comparison table.
    public func render(_ comparison: RunComparison, thresholds: [Threshold]) -> String {
        let new = comparison.new
        let properties: [(String, String)] = [("base", comparison.baseSource), ("new", comparison.newSource)]
            + self.properties(of: new) + comparison.warnings.map { ("warning", $0) }
        return render(Suite(name: "hookreel report diff \(new.metadata.target)",
                            run: new,
                            checks: thresholds.map { ($0, comparison.check($0)) },
                            properties: properties,
                            output: ComparisonTextReport().render(comparison)))
    }

    /// What one suite holds; `run` gives its time, start and transport errors.
    private struct Suite {
        let name: String
        let run: RunResult
        let checks: [(threshold: Threshold, check: ThresholdCheck)]
        let properties: [(String, String)]
        let output: String
    }

    private func render(_ suite: Suite) -> String {
        var cases: [(name: String, className: String, failure: (message: String, type: String)?)] = suite.checks.map { threshold, check in
            (threshold.description, "hookreel.thresholds", check.isBreached ? ("\(check.measurement), limit \(threshold)", "threshold") : nil)
        }
        if let abort = suite.run.metadata.aborted {
            cases.append(("abort-on \(abort.threshold)", "hookreel.abort", (abort.description, "aborted")))
        }
        let statistics = suite.run.statistics
        let transportErrors = statistics.errorCounts.values.reduce(0, +)
        let classes = ErrorClass.allCases.compactMap { errorClass in statistics.errorCounts[errorClass].map { "\(errorClass.rawValue) \($0)" } }
        cases.append(("transport errors", "hookreel.transport",
                      transportErrors == 0 ? nil
                          : ("\(transportErrors) of \(statistics.requests) requests got no HTTP answer: \(classes.joined(separator: ", "))",
                             "transport")))
        let failures = cases.filter { $0.failure != nil }.count
        let seconds = DecimalText.fixed(suite.run.duration.seconds, places: 3)

        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuite name=\"\(escaped(suite.name))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\""
        xml += " skipped=\"0\" time=\"\(seconds)\" timestamp=\"\(Self.timestamp(suite.run.metadata.startedAt))\""
        xml += " hostname=\"\(escaped(hostname))\">\n"
        xml += "  <properties>\n"
        for (name, value) in suite.properties {
            xml += "    <property name=\"\(escaped(name))\" value=\"\(escaped(value))\"/>\n"
        }
        xml += "  </properties>\n"
        for testCase in cases {
            xml += "  <testcase name=\"\(escaped(testCase.name))\" classname=\"\(testCase.className)\" time=\"0\""
            if let failure = testCase.failure {
                xml += ">\n    <failure message=\"\(escaped(failure.message))\" type=\"\(failure.type)\">"
                xml += "\(escaped(failure.message))</failure>\n  </testcase>\n"
            } else {
                xml += "/>\n"
            }
        }
        xml += "  <system-out>\(escaped(suite.output))</system-out>\n"
        xml += "  <system-err/>\n"
        xml += "</testsuite>\n"
        return xml
    }

    private func properties(of result: RunResult) -> [(String, String)] {
        let metadata = result.metadata
        var properties = [("target", metadata.target), ("pacing", metadata.pacing), ("started", metadata.startedAt.description),
                          ("requests", String(result.statistics.requests))]
        if let seed = metadata.seed { properties.append(("seed", String(seed))) }
        if let shard = metadata.shard { properties.append(("shard", shard.description)) }
        if let shards = metadata.shards { properties.append(("shards", shards.summary)) }
        return properties
    }

    /// JUnit's timestamps are ISO 8601 without a zone (the schema's pattern); the run's is UTC.
    static func timestamp(_ time: Timestamp) -> String {
        String(time.description.prefix(19))
    }

    /// Text as XML character data or an attribute value: HTML's escaping
    /// (XML's five markup characters), after dropping the control characters
    /// XML 1.0 cannot carry at all (a tab, newline and carriage return stay).
    private func escaped(_ text: String) -> String {
        let allowed = text.unicodeScalars.filter { scalar in
            scalar.value >= 0x20 ? scalar.value != 0xFFFE && scalar.value != 0xFFFF : "\t\n\r".unicodeScalars.contains(scalar)
        }
        return HTML.escape(String(String.UnicodeScalarView(allowed)))
    }
}
