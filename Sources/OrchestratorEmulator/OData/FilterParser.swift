/// Recursive descent over `$filter`, type-checking as it goes.
///
///     or         := and ('or' and)*
///     and        := comparison ('and' comparison)*
///     comparison := unary (('eq'|'ne'|'gt'|'ge'|'lt'|'le') unary)*
///     unary      := 'not' unary | primary
///     primary    := '(' or ')' | literal | Property | function '(' arguments ')'
///
/// So `not` binds tighter than comparisons, as in OData: `not Enabled eq true` is `(not Enabled) eq true`.
/// Positions in messages are 1-based Unicode scalar offsets.
struct FilterParser {
    /// Orchestrator's limit (ASP.NET OData's MaxNodeCount): every literal, property, operator and call.
    static let maxNodes = 100
    /// Parentheses, `not` and calls nest; bounded so deep input cannot exhaust the stack.
    static let maxDepth = 32

    private enum ValueType: String {
        case boolean = "Boolean", int64 = "Int64", string = "String", null = "Null"
    }

    private struct Typed {
        var expression: ODataFilter.Expression
        var type: ValueType
        var range: Range<Int>
    }

    private enum TokenKind: Equatable {
        case word(String), string(String), integer(Int64), open, close, comma, end
    }

    private struct Token {
        var kind: TokenKind
        var range: Range<Int>
    }

    private let scalars: [Unicode.Scalar]
    private let properties: ODataProperties
    private var offset = 0
    private var token = Token(kind: .end, range: 0..<0)
    private var nodes = 0
    private var depth = 0

    init(text: String, properties: ODataProperties) {
        scalars = Array(text.unicodeScalars)
        self.properties = properties
    }

    mutating func parseFilter() throws(ODataError) -> ODataFilter.Expression {
        try advance()
        if token.kind == .end { throw ODataError("$filter: empty expression") }
        let root = try parseOr()
        if token.kind != .end {
            throw error("expected 'and', 'or' or the end\(found(token))", at: token.range.lowerBound)
        }
        try require(root, is: .boolean, "the filter must be a Boolean expression", at: root.range.lowerBound)
        return root.expression
    }

    // MARK: Grammar

    private mutating func parseOr() throws(ODataError) -> Typed {
        var lhs = try parseAnd(after: nil)
        while keyword("or") != nil {
            try advance()
            let rhs = try parseAnd(after: "or")
            lhs = try logical(.or(lhs.expression, rhs.expression), "or", lhs, rhs)
        }
        return lhs
    }

    /// `after` names the operator that needs this operand, for the message when it is missing.
    private mutating func parseAnd(after: String?) throws(ODataError) -> Typed {
        var lhs = try parseComparison(after: after)
        while keyword("and") != nil {
            try advance()
            let rhs = try parseComparison(after: "and")
            lhs = try logical(.and(lhs.expression, rhs.expression), "and", lhs, rhs)
        }
        return lhs
    }

    private mutating func parseComparison(after: String?) throws(ODataError) -> Typed {
        var lhs = try parseUnary(after: after)
        while case let .word(word) = token.kind, let op = ODataFilter.ComparisonOperator(rawValue: word.lowercased()) {
            let at = token.range.lowerBound
            try advance()
            let rhs = try parseUnary(after: op.rawValue)
            try checkComparison(op, lhs, rhs, at: at)
            lhs = try node(.compare(op, lhs.expression, rhs.expression), .boolean, lhs.range.lowerBound..<rhs.range.upperBound)
        }
        return lhs
    }

    private mutating func parseUnary(after: String?) throws(ODataError) -> Typed {
        guard let at = keyword("not") else { return try parsePrimary(after: after) }
        try advance()
        try enter(at: at)
        let operand = try parseUnary(after: "not")
        depth -= 1
        try require(operand, is: .boolean, "'not' needs a Boolean operand", at: at)
        return try node(.not(operand.expression), .boolean, at..<operand.range.upperBound)
    }

    private mutating func parsePrimary(after: String?) throws(ODataError) -> Typed {
        let current = token
        switch current.kind {
        case .open:
            try enter(at: current.range.lowerBound)
            try advance()
            if token.kind == .close { throw error("expected a value inside '('", at: token.range.lowerBound) }
            var inner = try parseOr()
            if token.kind == .end { throw error("unclosed '('", at: current.range.lowerBound) }
            guard token.kind == .close else { throw error("expected ')'\(found(token))", at: token.range.lowerBound) }
            depth -= 1
            inner.range = current.range.lowerBound..<token.range.upperBound
            try advance()
            return inner
        case let .string(value):
            try advance()
            return try node(.literal(.string(value)), .string, current.range)
        case let .integer(value):
            try advance()
            return try node(.literal(.int(value)), .int64, current.range)
        case let .word(word):
            switch word.lowercased() {
            case "true", "false":
                try advance()
                return try node(.literal(.bool(word.lowercased() == "true")), .boolean, current.range)
            case "null":
                try advance()
                return try node(.literal(.null), .null, current.range)
            case "and", "or", "not", "eq", "ne", "gt", "ge", "lt", "le":
                throw missingValue(after: after, found: current)
            default:
                try advance()
                if token.kind == .open { return try parseCall(word, at: current.range.lowerBound) }
                return try parseProperty(word, at: current.range)
            }
        case .close, .comma, .end:
            throw missingValue(after: after, found: current)
        }
    }

    private mutating func parseProperty(_ name: String, at range: Range<Int>) throws(ODataError) -> Typed {
        if Self.functionNames.contains(name.lowercased()) {
            throw error("expected '(' after the function '\(name)'", at: range.upperBound)
        }
        guard let property = properties[name] else {
            throw error("unknown property '\(name)'\(properties.hint(for: name))", at: range.lowerBound)
        }
        let type: ValueType
        switch property.kind {
        case .bool where property.filterable: type = .boolean
        case .int where property.filterable: type = .int64
        case .string where property.filterable: type = .string
        default: throw error("the property '\(name)' cannot be used in $filter", at: range.lowerBound)
        }
        return try node(.property(name), type, range)
    }

    private static let functionNames = ODataFilter.Function.allCases.map(\.rawValue) + ["substringof"]

    /// At the `(` after a function name.
    private mutating func parseCall(_ name: String, at start: Int) throws(ODataError) -> Typed {
        let lowered = name.lowercased()
        // substringof('x',Prop) is OData v3's contains(Prop,'x'); older clients still send it.
        let function = lowered == "substringof" ? .contains : ODataFilter.Function(rawValue: lowered)
        guard let function else {
            throw error("unknown function '\(name)' (known: \(Self.functionNames.joined(separator: ", ")))", at: start)
        }
        try enter(at: start)
        try advance()
        var arguments: [Typed] = []
        if token.kind != .close {
            while true {
                arguments.append(try parseOr())
                if token.kind == .close { break }
                guard token.kind == .comma else {
                    throw error("expected ',' or ')' in the arguments of '\(name)'\(found(token))", at: token.range.lowerBound)
                }
                try advance()
            }
        }
        depth -= 1
        let end = token.range.upperBound
        try advance()
        guard arguments.count == function.arity else {
            throw error("'\(name)' takes \(function.arity) argument\(function.arity == 1 ? "" : "s"), found \(arguments.count)",
                        at: start)
        }
        for argument in arguments {
            try require(argument, is: .string, "'\(name)' needs String arguments", at: argument.range.lowerBound)
        }
        if lowered == "substringof" { arguments.reverse() }
        let type: ValueType = function.arity == 1 ? .string : .boolean
        return try node(.call(function, arguments.map(\.expression)), type, start..<end)
    }

    // MARK: Type checking

    private func checkComparison(_ op: ODataFilter.ComparisonOperator, _ lhs: Typed, _ rhs: Typed, at: Int) throws(ODataError) {
        if lhs.type != rhs.type && lhs.type != .null && rhs.type != .null {
            throw error("'\(op.rawValue)' cannot compare \(operand(lhs)) with \(operand(rhs))", at: at)
        }
        if op != .eq && op != .ne && (lhs.type == .boolean || rhs.type == .boolean) {
            throw error("'\(op.rawValue)' is not defined for Boolean operands (\(operand(lhs)), \(operand(rhs)))", at: at)
        }
    }

    private mutating func logical(_ expression: ODataFilter.Expression, _ name: String,
                                  _ lhs: Typed, _ rhs: Typed) throws(ODataError) -> Typed {
        try require(lhs, is: .boolean, "'\(name)' needs Boolean operands", at: lhs.range.lowerBound)
        try require(rhs, is: .boolean, "'\(name)' needs Boolean operands", at: rhs.range.lowerBound)
        return try node(expression, .boolean, lhs.range.lowerBound..<rhs.range.upperBound)
    }

    /// Null is accepted where a string is (function arguments), not where a Boolean is.
    private func require(_ typed: Typed, is type: ValueType, _ need: String, at: Int) throws(ODataError) {
        if typed.type == type || (type == .string && typed.type == .null) { return }
        throw error("\(need), found \(operand(typed))", at: at)
    }

    private func operand(_ typed: Typed) -> String {
        let text = String(String.UnicodeScalarView(scalars[typed.range]))
        return "\(Self.truncated(text, to: 40)) (\(typed.type.rawValue))"
    }

    // MARK: Limits

    private mutating func node(_ expression: ODataFilter.Expression, _ type: ValueType, _ range: Range<Int>) throws(ODataError) -> Typed {
        nodes += 1
        if nodes > Self.maxNodes {
            throw error("more than \(Self.maxNodes) nodes (operators, operands and calls)", at: range.lowerBound)
        }
        return Typed(expression: expression, type: type, range: range)
    }

    private mutating func enter(at: Int) throws(ODataError) {
        depth += 1
        if depth > Self.maxDepth { throw error("nested deeper than \(Self.maxDepth) levels", at: at) }
    }

    // MARK: Lexer

    /// The position of the current token when it is the keyword `word` (any case).
    private func keyword(_ word: String) -> Int? {
        guard case let .word(found) = token.kind, found.lowercased() == word else { return nil }
        return token.range.lowerBound
    }

    private mutating func advance() throws(ODataError) {
        while offset < scalars.count, [" ", "\t", "\r", "\n"].contains(scalars[offset]) { offset += 1 }
        let start = offset
        guard offset < scalars.count else {
            token = Token(kind: .end, range: start..<start)
            return
        }
        let first = scalars[offset]
        offset += 1
        let kind: TokenKind
        switch first {
        case "(": kind = .open
        case ")": kind = .close
        case ",": kind = .comma
        case "'": kind = .string(try lexString(from: start))
        case "0"..."9": kind = .integer(try lexInteger(from: start))
        case "-" where offset < scalars.count && ("0"..."9").contains(scalars[offset]):
            kind = .integer(try lexInteger(from: start))
        case "a"..."z", "A"..."Z", "_":
            while offset < scalars.count, Self.isWordScalar(scalars[offset]) { offset += 1 }
            kind = .word(String(String.UnicodeScalarView(scalars[start..<offset])))
        default:
            // Control characters are shown escaped, so the message stays printable.
            let shown = first.properties.generalCategory == .control ? first.escaped(asASCII: true) : String(first)
            throw error("unexpected character '\(shown)'", at: start)
        }
        token = Token(kind: kind, range: start..<offset)
    }

    /// After the opening quote; `''` is a quote.
    private mutating func lexString(from start: Int) throws(ODataError) -> String {
        var value = String.UnicodeScalarView()
        while offset < scalars.count {
            let scalar = scalars[offset]
            offset += 1
            if scalar == "'" {
                guard offset < scalars.count, scalars[offset] == "'" else { return String(value) }
                offset += 1
            }
            value.append(scalar)
        }
        throw error("unterminated string starting", at: start)
    }

    /// After the sign or first digit. Decimals, exponents and suffixes (`1.5`, `1e3`, `5L`) are not supported.
    private mutating func lexInteger(from start: Int) throws(ODataError) -> Int64 {
        while offset < scalars.count, Self.isWordScalar(scalars[offset]) || scalars[offset] == "." { offset += 1 }
        let text = String(String.UnicodeScalarView(scalars[start..<offset]))
        let digits = text.utf8.dropFirst(text.first == "-" ? 1 : 0)
        guard !digits.isEmpty, digits.allSatisfy({ (0x30...0x39).contains($0) }) else {
            throw error("malformed integer '\(Self.truncated(text, to: 40))' (only integers are supported)", at: start)
        }
        guard let value = Int64(text) else { throw error("integer \(Self.truncated(text, to: 40)) is out of range", at: start) }
        return value
    }

    private static func isWordScalar(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9", "_": true
        default: false
        }
    }

    // MARK: Messages

    private func missingValue(after: String?, found: Token) -> ODataError {
        let what = after.map { "expected a value after '\($0)'" } ?? "expected a value"
        return error(what + self.found(found), at: found.range.lowerBound)
    }

    /// ", found 'x'", or nothing at the end (the position says so).
    private func found(_ token: Token) -> String {
        token.kind == .end ? "" : ", found '\(Self.truncated(String(String.UnicodeScalarView(scalars[token.range])), to: 40))'"
    }

    private func error(_ what: String, at position: Int) -> ODataError {
        let text = Self.truncated(String(String.UnicodeScalarView(scalars)), to: 200)
        let place = position >= scalars.count ? "at the end of" : "at position \(position + 1) in"
        return ODataError("$filter: \(what) \(place) \"\(text)\"")
    }

    private static func truncated(_ text: String, to limit: Int) -> String {
        text.unicodeScalars.count <= limit ? text : String(String.UnicodeScalarView(text.unicodeScalars.prefix(limit))) + "…"
    }
}
