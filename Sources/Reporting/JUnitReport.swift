import EventModel
import Primitives

/// A run's verdict as JUnit XML, the test report CI systems show: one test
/// case per threshold (named by its expression; a breach is a failure whose
/// message is the measured value against the bound), and one for transport
/// errors (a failure when any request got no HTTP answer). With no
/// thresholds the suite still holds the transport case and the run's summary.
public struct JUnitReport {
    public init() {}

    public func render(_ result: RunResult, thresholds: [Threshold]) -> String {
        var cases: [(name: String, className: String, failure: (message: String, type: String)?)] = thresholds.map { threshold in
            let check = threshold.check(result)
            return (threshold.description, "hookreel.thresholds",
                    check.isBreached ? ("\(check.measurement), limit \(threshold)", "threshold") : nil)
        }
        let statistics = result.statistics
        let transportErrors = statistics.errorCounts.values.reduce(0, +)
        let classes = ErrorClass.allCases.compactMap { errorClass in statistics.errorCounts[errorClass].map { "\(errorClass.rawValue) \($0)" } }
        cases.append(("transport errors", "hookreel.transport",
                      transportErrors == 0 ? nil
                          : ("\(transportErrors) of \(statistics.requests) requests got no HTTP answer: \(classes.joined(separator: ", "))",
                             "transport")))
        let failures = cases.filter { $0.failure != nil }.count
        let seconds = DecimalText.fixed(result.duration.seconds, places: 3)
        let suiteName = "hookreel \(result.metadata.command) \(result.metadata.target)"

        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        xml += "<testsuites name=\"hookreel\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\" time=\"\(seconds)\">\n"
        xml += "  <testsuite name=\"\(escaped(suiteName))\" tests=\"\(cases.count)\" failures=\"\(failures)\" errors=\"0\""
        xml += " skipped=\"0\" time=\"\(seconds)\" timestamp=\"\(Self.timestamp(result.metadata.startedAt))\">\n"
        xml += "    <properties>\n"
        for (name, value) in properties(of: result) {
            xml += "      <property name=\"\(escaped(name))\" value=\"\(escaped(value))\"/>\n"
        }
        xml += "    </properties>\n"
        for testCase in cases {
            xml += "    <testcase name=\"\(escaped(testCase.name))\" classname=\"\(testCase.className)\" time=\"0\""
            if let failure = testCase.failure {
                xml += ">\n      <failure message=\"\(escaped(failure.message))\" type=\"\(failure.type)\">"
                xml += "\(escaped(failure.message))</failure>\n    </testcase>\n"
            } else {
                xml += "/>\n"
            }
        }
        xml += "    <system-out>\(escaped(TextReport().render(result)))</system-out>\n"
        xml += "  </testsuite>\n</testsuites>\n"
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
