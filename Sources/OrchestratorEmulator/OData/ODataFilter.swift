/// A parsed, type-checked `$filter`.
///
/// Evaluation follows OData's three-valued logic: a comparison with null (other than `eq`/`ne`) or a
/// function of a null argument is null, `and`/`or`/`not` propagate it, and only `true` matches.
/// String functions are case-sensitive and ordinal, like `eq`; `tolower`/`toupper` give
/// case-insensitive matching (`contains(tolower(Name),'sink')`).
public struct ODataFilter: Sendable, Equatable, CustomStringConvertible {
    public indirect enum Expression: Sendable, Equatable {
        case literal(ODataValue)
        case property(String)
        case not(Expression)
        case and(Expression, Expression)
        case or(Expression, Expression)
        case compare(ComparisonOperator, Expression, Expression)
        case call(Function, [Expression])
    }

    public enum ComparisonOperator: String, Sendable, CaseIterable {
        case eq, ne, gt, ge, lt, le
    }

    public enum Function: String, Sendable, CaseIterable {
        case contains, startswith, endswith, tolower, toupper

        var arity: Int {
            switch self {
            case .contains, .startswith, .endswith: 2
            case .tolower, .toupper: 1
            }
        }
    }

    public let expression: Expression

    /// Parses and type-checks `text` against `properties`.
    public init(parsing text: String, properties: ODataProperties) throws(ODataError) {
        var parser = FilterParser(text: text, properties: properties)
        expression = try parser.parseFilter()
    }

    public func matches(_ entity: some ODataEntity) -> Bool {
        Self.evaluate(expression, on: entity) == .bool(true)
    }

    /// Fully parenthesized OData, so precedence is visible (logs, tests).
    public var description: String { Self.format(expression) }

    private static func evaluate(_ expression: Expression, on entity: some ODataEntity) -> ODataValue {
        switch expression {
        case let .literal(value):
            return value
        case let .property(name):
            return entity.odataValue(of: name) ?? .null
        case let .not(operand):
            guard case let .bool(value) = evaluate(operand, on: entity) else { return .null }
            return .bool(!value)
        case let .and(lhs, rhs):
            let left = evaluate(lhs, on: entity)
            if left == .bool(false) { return left }
            let right = evaluate(rhs, on: entity)
            if right == .bool(false) { return right }
            return left == .null || right == .null ? .null : .bool(true)
        case let .or(lhs, rhs):
            let left = evaluate(lhs, on: entity)
            if left == .bool(true) { return left }
            let right = evaluate(rhs, on: entity)
            if right == .bool(true) { return right }
            return left == .null || right == .null ? .null : .bool(false)
        case let .compare(op, lhs, rhs):
            return compare(op, evaluate(lhs, on: entity), evaluate(rhs, on: entity))
        case let .call(function, arguments):
            var strings: [String] = []
            for argument in arguments {
                guard case let .string(value) = evaluate(argument, on: entity) else { return .null }
                strings.append(value)
            }
            return call(function, strings)
        }
    }

    private static func compare(_ op: ComparisonOperator, _ lhs: ODataValue, _ rhs: ODataValue) -> ODataValue {
        switch op {
        case .eq: return .bool(lhs == rhs)
        case .ne: return .bool(lhs != rhs)
        default: break
        }
        if lhs == .null || rhs == .null { return .null }
        switch op {
        case .gt: return .bool(lhs > rhs)
        case .ge: return .bool(lhs >= rhs)
        case .lt: return .bool(lhs < rhs)
        default: return .bool(lhs <= rhs)
        }
    }

    private static func call(_ function: Function, _ arguments: [String]) -> ODataValue {
        // Ordinal, on UTF-16 code units, consistent with `eq`.
        switch function {
        case .contains:
            let needle = Array(arguments[1].utf16)
            return .bool(needle.isEmpty || Array(arguments[0].utf16).firstRange(of: needle) != nil)
        case .startswith:
            return .bool(arguments[0].utf16.starts(with: arguments[1].utf16))
        case .endswith:
            return .bool(arguments[0].utf16.reversed().starts(with: arguments[1].utf16.reversed()))
        case .tolower:
            return .string(arguments[0].lowercased())
        case .toupper:
            return .string(arguments[0].uppercased())
        }
    }

    private static func format(_ expression: Expression) -> String {
        switch expression {
        case let .literal(value):
            switch value {
            case .null: return "null"
            case let .bool(value): return String(value)
            case let .int(value): return String(value)
            case let .string(value):
                var quoted = "'"
                for character in value { quoted += character == "'" ? "''" : String(character) }
                return quoted + "'"
            }
        case let .property(name):
            return name
        case let .not(operand):
            return "(not \(format(operand)))"
        case let .and(lhs, rhs):
            return "(\(format(lhs)) and \(format(rhs)))"
        case let .or(lhs, rhs):
            return "(\(format(lhs)) or \(format(rhs)))"
        case let .compare(op, lhs, rhs):
            return "(\(format(lhs)) \(op.rawValue) \(format(rhs)))"
        case let .call(function, arguments):
            return "\(function.rawValue)(\(arguments.map(format).joined(separator: ",")))"
        }
    }
}
