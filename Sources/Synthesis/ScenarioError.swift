/// A scenario file that cannot be used: unreadable, not YAML, or not a valid
/// scenario. The description names the file, the line and the key, e.g.
/// `scenarios/x.yaml:14: flows[1].outcomes: probabilities sum to 0.95, expected 1`.
public struct ScenarioError: Error, Sendable, Equatable, CustomStringConvertible {
    public enum Code: String, Sendable, Equatable {
        /// The file could not be read.
        case unreadableFile
        /// The text is not well-formed YAML (or holds duplicate keys).
        case malformedYAML
        /// A key the format does not define at that level.
        case unknownKey
        /// A required key is absent.
        case missingKey
        /// A value of the wrong kind: a list where a mapping belongs, text where a number belongs.
        case wrongType
        /// A value of the right kind that makes no sense: a weight of 0, probabilities summing to 0.9.
        case invalidValue
        /// A name that refers to nothing: an event type outside the catalog, a process not in the fleet.
        case unknownReference
    }

    public let code: Code
    /// The scenario file as given.
    public let file: String
    /// 1-based line of the offending key or value; nil when the problem is the whole file.
    public let line: Int?
    /// Dotted path of the key, e.g. `flows[1].outcomes`; empty for the document itself.
    public let key: String
    public let reason: String

    public init(_ code: Code, file: String, line: Int?, key: String, reason: String) {
        self.code = code
        self.file = file
        self.line = line
        self.key = key
        self.reason = reason
    }

    public var description: String {
        let place = line.map { "\(file):\($0)" } ?? file
        return key.isEmpty ? "\(place): \(reason)" : "\(place): \(key): \(reason)"
    }
}
