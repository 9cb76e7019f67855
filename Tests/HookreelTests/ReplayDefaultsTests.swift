import Foundation
import Primitives
import Replay
import Testing

/// Replay's defaults live in `ReplayConfiguration`: `replay --help` and
/// docs/replay.md must state the same values.
@Suite struct ReplayDefaultsTests {
    static let defaults: [(option: String, value: String)] = [
        ("--max-in-flight", String(ReplayConfiguration.defaultMaximumInFlight)),
        ("--connections", String(ReplayConfiguration.defaultConnections)),
        ("--timeout", DurationText.format(ReplayConfiguration.defaultTimeout)),
        ("--concurrency", String(ReplayConfiguration.defaultClosedLoopConcurrency)),
    ]

    @Test(arguments: defaults)
    func helpStatesTheLibrarysDefault(option: String, value: String) throws {
        let help = try CommandRunner.hookreel(["replay", "--help"])
        #expect(help.status == 0)
        let lines = help.stdoutText.split(separator: "\n", omittingEmptySubsequences: false)
        // An option's help runs from its line to the next option or blank line.
        let start = try #require(lines.firstIndex { $0.trimmingCharacters(in: .whitespaces).hasPrefix(option + " ") })
        let rest = lines[(start + 1)...]
        let end = rest.firstIndex { $0.trimmingCharacters(in: .whitespaces).isEmpty || $0.trimmingCharacters(in: .whitespaces).hasPrefix("-") }
        let text = lines[start..<(end ?? lines.endIndex)].joined(separator: " ")
        #expect(Self.statedDefaults(in: text) == [value], "\(text)")
    }

    @Test(arguments: defaults)
    func docsStateTheLibrarysDefault(option: String, value: String) throws {
        let path = CommandRunner.packageRoot + "/docs/replay.md"
        let docs = try String(contentsOfFile: path, encoding: .utf8).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        // Where the docs name the option, up to the end of that parenthesis or sentence.
        var stated: [String] = []
        var searchFrom = docs.startIndex
        while let found = docs.range(of: option, range: searchFrom..<docs.endIndex) {
            searchFrom = found.upperBound
            // Not a longer option's name.
            if let next = docs[found.upperBound...].first, next.isLetter || next == "-" { continue }
            let clause = docs[found.upperBound...].prefix { $0 != ")" && $0 != "." && $0 != "|" }
            stated += Self.statedDefaults(in: String(clause))
        }
        #expect(!stated.isEmpty, "docs/replay.md states no default for \(option)")
        #expect(stated.allSatisfy { $0 == value }, "docs/replay.md: \(option) default \(stated), library \(value)")
    }

    /// The values after "default" or "default:" in `text`.
    private static func statedDefaults(in text: String) -> [String] {
        text.matches(of: /default:?\s+([0-9][0-9a-zµ]*)/).map { String($0.output.1) }
    }
}
