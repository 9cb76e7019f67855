import Primitives
import Yams

/// A YAML node with the dotted path that reached it, so every validation
/// error can name the file, the line and the key.
struct YAMLValue {
    let node: Node
    /// e.g. `flows[1].outcomes`; empty for the document.
    let path: String
    let file: String
    /// The line of the key the value sits under, when it has one.
    var keyLine: Int? = nil

    /// The key's line (a block list or mapping starts on the lines after its key), else the value's.
    var line: Int? { keyLine ?? node.mark?.line }

    func error(_ code: ScenarioError.Code, _ reason: String) -> ScenarioError {
        ScenarioError(code, file: file, line: line, key: path, reason: reason)
    }

    func child(_ node: Node, key: String, keyLine: Int?) -> YAMLValue {
        YAMLValue(node: node, path: path.isEmpty ? key : "\(path).\(key)", file: file, keyLine: keyLine)
    }

    /// What a value looks like, for "expected X, found Y" messages.
    var shape: String {
        switch node {
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        case .scalar(let scalar): return isNull ? "nothing" : "'\(scalar.string)'"
        }
    }

    private var isNull: Bool {
        guard case .scalar(let scalar) = node, scalar.style == .plain else { return false }
        return ["", "~", "null", "Null", "NULL"].contains(scalar.string)
    }

    /// The mapping's entries, refusing keys outside `allowed` (the message lists the allowed ones).
    func mapping(allowed: [String], what: String? = nil) throws(ScenarioError) -> YAMLMapping {
        guard case .mapping(let mapping) = node else {
            throw error(.wrongType, "expected a mapping, found \(shape)")
        }
        var entries: [String: YAMLValue] = [:]
        for (keyNode, valueNode) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                throw YAMLValue(node: keyNode, path: path, file: file).error(.wrongType, "keys must be plain names")
            }
            let key = scalar.string
            let keyPath = path.isEmpty ? key : "\(path).\(key)"
            guard allowed.contains(key) else {
                let context = what.map { " for \($0)" } ?? ""
                throw ScenarioError(.unknownKey, file: file, line: keyNode.mark?.line, key: keyPath,
                                    reason: "unknown key\(context) (expected one of: \(allowed.joined(separator: ", ")))")
            }
            entries[key] = child(valueNode, key: key, keyLine: keyNode.mark?.line)
        }
        return YAMLMapping(owner: self, entries: entries)
    }

    func sequence() throws(ScenarioError) -> [YAMLValue] {
        guard case .sequence(let sequence) = node else {
            throw error(.wrongType, "expected a list, found \(shape)")
        }
        return sequence.enumerated().map { index, element in
            YAMLValue(node: element, path: "\(path)[\(index)]", file: file)
        }
    }

    func string() throws(ScenarioError) -> String {
        guard case .scalar(let scalar) = node, !isNull else {
            throw error(.wrongType, "expected text, found \(shape)")
        }
        return scalar.string
    }

    /// A non-empty string.
    func name() throws(ScenarioError) -> String {
        let text = try string()
        guard !text.isEmpty else { throw error(.invalidValue, "must not be empty") }
        return text
    }

    func integer() throws(ScenarioError) -> Int {
        guard let value = Int(try scalarText(expecting: "an integer")) else {
            throw error(.wrongType, "expected an integer, found \(shape)")
        }
        return value
    }

    func number() throws(ScenarioError) -> Double {
        guard let value = Double(try scalarText(expecting: "a number")), value.isFinite else {
            throw error(.wrongType, "expected a number, found \(shape)")
        }
        return value
    }

    func bool() throws(ScenarioError) -> Bool {
        switch try scalarText(expecting: "true or false") {
        case "true": return true
        case "false": return false
        default: throw error(.wrongType, "expected true or false, found \(shape)")
        }
    }

    /// `500ms`, `5s`, `1.5m`, `2h`: `DurationText`'s grammar, as every option writes durations.
    func duration() throws(ScenarioError) -> Duration {
        let text = try scalarText(expecting: "a duration")
        do {
            return try DurationText.parse(text)
        } catch {
            switch error {
            case .malformed: throw self.error(.wrongType, "expected a duration like 500ms, 5s, 1.5m or 2h, found \(shape)")
            case .negative: throw self.error(.invalidValue, "duration \(text) is negative")
            case .tooLong: throw self.error(.invalidValue, "duration \(text) is longer than a year")
            }
        }
    }

    /// A duration that must be more than zero.
    func positiveDuration() throws(ScenarioError) -> Duration {
        let value = try duration()
        guard value > .zero else { throw error(.invalidValue, "must be more than 0, found \(shape)") }
        return value
    }

    /// `5/s`, `30/m`, `1/h`, in events per second.
    func rate() throws(ScenarioError) -> Double {
        let text = try scalarText(expecting: "a rate")
        for (suffix, perSecond) in [("/s", 1.0), ("/m", 1.0 / 60), ("/h", 1.0 / 3600)] where text.hasSuffix(suffix) {
            guard let value = Double(text.dropLast(suffix.count)), value.isFinite else { break }
            guard value >= 0 else { throw error(.invalidValue, "rate \(text) is negative") }
            return value * perSecond
        }
        throw error(.wrongType, "expected a rate like 5/s, 30/m or 1/h, found \(shape)")
    }

    private func scalarText(expecting what: String) throws(ScenarioError) -> String {
        guard case .scalar(let scalar) = node, !isNull else {
            throw error(.wrongType, "expected \(what), found \(shape)")
        }
        // Underscores group digits, as YAML allows: 10_000.
        return String(scalar.string.filter { $0 != "_" })
    }
}

/// The checked entries of one mapping.
struct YAMLMapping {
    let owner: YAMLValue
    let entries: [String: YAMLValue]

    subscript(key: String) -> YAMLValue? { entries[key] }

    func required(_ key: String) throws(ScenarioError) -> YAMLValue {
        guard let value = entries[key] else {
            let path = owner.path.isEmpty ? key : "\(owner.path).\(key)"
            throw ScenarioError(.missingKey, file: owner.file, line: owner.line, key: path, reason: "required key is missing")
        }
        return value
    }
}
