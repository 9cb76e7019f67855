import Foundation
import Testing
import TestSupport
@testable import Reporting

/// The JUnit verdicts validate against the common JUnit XML schema, the one CI
/// tools' documentation points to: the Apache Ant JUnit schema published as
/// `JUnit.xsd` in the windyroad/JUnit-Schema repository on GitHub (Apache
/// License 2.0; kept byte for byte, license notice included, in Fixtures/).
/// xmllint (Debian's libxml2-utils, installed by `make deps`) checks them; a
/// machine without it fails these tests rather than skipping them.
@Suite struct JUnitSchemaTests {
    private static let samples = (0..<20).map { sample(intended: Double($0) * 10, service: 5 + Double($0)) }
    private static let run = RunResult(metadata: metadata(target: "http://127.0.0.1:8080/hook?a=1&b=<2>"), statistics: statistics(samples))

    /// What xmllint says of `xml` against the schema: its exit status and output.
    private func validate(_ xml: String) throws -> (status: Int32, output: String) {
        let schema = try #require(Bundle.module.url(forResource: "JUnit", withExtension: "xsd", subdirectory: "Fixtures"))
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let file = directory.file("verdict.xml")
        try Data(xml.utf8).write(to: URL(fileURLWithPath: file))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["xmllint", "--noout", "--schema", schema.path, file]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        try process.run()
        let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        return (process.terminationStatus, text)
    }

    private func expectValid(_ xml: String, failures: Int, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let (status, output) = try validate(xml)
        guard status != 127 else {
            Issue.record("xmllint is not installed: install libxml2-utils (apt-get install libxml2-utils, or make deps as root)",
                         sourceLocation: sourceLocation)
            return
        }
        #expect(status == 0, "\(output)\n\(xml)", sourceLocation: sourceLocation)
        #expect(xml.components(separatedBy: "<failure ").count - 1 == failures, "\(xml)", sourceLocation: sourceLocation)
        #expect(xml.contains(" failures=\"\(failures)\""), sourceLocation: sourceLocation)
    }

    @Test func aRunWithBreachedThresholdsValidatesWithOneFailurePerBreach() throws {
        let thresholds = try ["p99>1ms", "p99>10s", "mean>2ms", "errors>0.5%"].map { try Threshold(parsing: $0) }
        let xml = JUnitReport(hostname: "ci-runner-7").render(Self.run, thresholds: thresholds)
        try expectValid(xml, failures: 2)
        #expect(xml.contains(#"hostname="ci-runner-7""#))
    }

    @Test func aRunWithoutThresholdsValidates() throws {
        try expectValid(JUnitReport().render(Self.run, thresholds: []), failures: 0)
    }

    @Test func aRunWithTransportErrorsValidates() throws {
        let failing = (0..<10).map { sample(intended: Double($0), service: 1, outcome: $0 < 3 ? .error(.refused) : .status(202)) }
        let run = RunResult(metadata: metadata(), statistics: statistics(failing))
        try expectValid(JUnitReport().render(run, thresholds: []), failures: 1)
    }

    @Test func anAbortedRunValidatesWithAFailureForItsAbort() throws {
        var run = Self.run
        run.metadata.aborted = RunAbort(threshold: "errors>5%", measurement: "errors were 50% (5 of 10)", second: 12)
        let xml = JUnitReport().render(run, thresholds: [])
        try expectValid(xml, failures: 1)
        #expect(xml.contains(#"<testcase name="abort-on errors&gt;5%" classname="hookreel.abort""#))
        #expect(xml.contains("aborted at 12s: errors&gt;5% breached (errors were 50% (5 of 10))"))
    }

    @Test func aComparisonValidatesWithOneFailurePerBreach() throws {
        // Half the rate, and slower: p99 and rate breach, errors and the absolute bound hold.
        let slower = RunResult(metadata: metadata(pacing: "constant 50/s (uniform)"),
                               statistics: statistics((0..<20).map { sample(intended: Double($0) * 20, service: 40) }))
        let comparison = try RunComparison(base: Self.run, new: slower, baseSource: "base.json", newSource: "new.json")
        let thresholds = try ["p99>+10%", "errors>+1%", "rate<-5%", "p99>1s"].map { try Threshold(parsing: $0, withBaseRun: true) }
        let xml = JUnitReport().render(comparison, thresholds: thresholds)
        try expectValid(xml, failures: 2)
        #expect(xml.contains(#"<property name="warning" value="the runs&#39; pacing differs"#))
    }
}
