import OrchestratorAPI
import Testing
import TestSupport
@testable import OrchestratorEmulator

/// Deliberately not in Id order, so the default ordering is visible.
private let webhooks: [Webhook] = [
    Webhook(id: 4, key: "k4", name: "gamma sink", url: "http://localhost:9000/sink", enabled: true,
            subscribeToAllEvents: true, allowInsecureSsl: true, events: []),
    Webhook(id: 2, key: "k2", name: "Beta", description: "the seed's", url: "http://documentation.azurewebsites.net/webhook/documentation",
            enabled: true, secret: "1234567890", subscribeToAllEvents: false, allowInsecureSsl: false,
            events: ["job.started", "process.created"]),
    Webhook(id: 10, key: "k10", name: "ALPHA", description: "upper", url: "https://a.example/hook2", enabled: false,
            subscribeToAllEvents: false, allowInsecureSsl: false, events: ["job.faulted"]),
    Webhook(id: 1, key: "k1", name: "alpha", description: "first one", url: "https://a.example/hook", enabled: true,
            subscribeToAllEvents: true, allowInsecureSsl: false, events: []),
    Webhook(id: 3, key: "k3", name: "O'Brien", url: "https://obrien.example/x", enabled: false,
            subscribeToAllEvents: false, allowInsecureSsl: true, events: ["queue.created"]),
    Webhook(id: 7, key: "k7", name: "Caf\u{E9}", description: "Zed", url: "https://caf\u{E9}.example/", enabled: true,
            subscribeToAllEvents: false, allowInsecureSsl: false, events: ["job.created"]),
]

private func matchingIds(_ filter: String) throws -> [Int64] {
    let parsed = try ODataFilter(parsing: filter, properties: .webhook)
    return webhooks.filter { parsed.matches($0) }.map(\.id).sorted()
}

private func filterError(_ filter: String) -> String? {
    do {
        _ = try ODataFilter(parsing: filter, properties: .webhook)
        return nil
    } catch {
        return error.message
    }
}

private func query(_ parameters: [(name: String, value: String)]) throws(ODataError) -> ODataQuery {
    try ODataQuery(parameters: parameters, properties: .webhook)
}

private func queryError(_ name: String, _ value: String) -> String? {
    do {
        _ = try query([(name, value)])
        return nil
    } catch {
        return error.message
    }
}

struct ODataFilterTests {
    @Test(arguments: [
        // The vendor's example (seed, "Webhooks Requests").
        ("Url eq 'http://documentation.azurewebsites.net/webhook/documentation'", [2]),
        ("Id eq 3", [3]),
        ("Id ne 3", [1, 2, 4, 7, 10]),
        ("Id gt 3", [4, 7, 10]),
        ("Id ge 4", [4, 7, 10]),
        ("Id lt 3", [1, 2]),
        ("Id le 2", [1, 2]),
        ("Id gt -1", [1, 2, 3, 4, 7, 10]),
        ("3 eq Id", [3]),
        ("Enabled", [1, 2, 4, 7]),
        ("Enabled eq true", [1, 2, 4, 7]),
        ("Enabled eq false", [3, 10]),
        ("not Enabled", [3, 10]),
        ("not not Enabled", [1, 2, 4, 7]),
        ("SubscribeToAllEvents and AllowInsecureSsl", [4]),
        ("AllowInsecureSsl ne false", [3, 4]),
        ("true", [1, 2, 3, 4, 7, 10]),
        ("false", []),
        // Case-sensitive, ordinal strings.
        ("Name eq 'alpha'", [1]),
        ("Name eq 'ALPHA'", [10]),
        ("Name ne 'alpha'", [2, 3, 4, 7, 10]),
        ("'alpha' eq Name", [1]),
        ("Name gt 'a'", [1, 4]),   // uppercase sorts before lowercase
        ("Name lt 'B'", [10]),
        ("Name gt 'Caf'", [1, 3, 4, 7]),
        ("Name eq 'Cafe\u{301}'", []),   // canonically equivalent, not ordinally equal
        ("Name eq 'Caf\u{E9}'", [7]),
        // Doubled quotes.
        ("Name eq 'O''Brien'", [3]),
        ("contains(Name,'''')", [3]),
        ("Name eq ''''", []),
        // Functions.
        ("contains(Name,'lph')", [1]),
        ("contains(Name,'LPH')", [10]),
        ("contains(Name,'')", [1, 2, 3, 4, 7, 10]),
        ("contains(tolower(Name),'alpha')", [1, 10]),
        ("toupper(Name) eq 'ALPHA'", [1, 10]),
        ("startswith(Url,'https://')", [1, 3, 7, 10]),
        ("startswith(Url,'HTTPS://')", []),
        ("endswith(Url,'/hook')", [1]),
        ("endswith(Url,'')", [1, 2, 3, 4, 7, 10]),
        ("substringof('sink',Name)", [4]),
        ("contains(Url,'caf\u{E9}')", [7]),
        ("contains(Name,'alpha') eq false", [2, 3, 4, 7, 10]),
        ("startswith('abc','a')", [1, 2, 3, 4, 7, 10]),
        // Precedence: not > comparison > and > or.
        ("Id eq 3 or Id eq 4 and Enabled", [3, 4]),
        ("(Id eq 3 or Id eq 4) and Enabled", [4]),
        ("Id eq 1 or Id eq 2 or Id eq 3", [1, 2, 3]),
        ("not Enabled and AllowInsecureSsl", [3]),
        ("not (Enabled and AllowInsecureSsl)", [1, 2, 3, 7, 10]),
        ("not Enabled eq true", [3, 10]),
        ("((Id eq 1))", [1]),
        // Null: eq/ne are two-valued, everything else propagates null and null never matches.
        ("Description eq null", [3, 4]),
        ("Description ne null", [1, 2, 7, 10]),
        ("null eq Description", [3, 4]),
        ("Description gt 'a'", [1, 2, 10]),
        ("not (Description gt 'a')", [7]),
        ("contains(Description,'e')", [1, 2, 7, 10]),
        ("not contains(Description,'e')", []),
        ("Description gt 'a' or Enabled", [1, 2, 4, 7, 10]),
        ("Description eq 'Zed' and not (Description eq null)", [7]),
        // Keywords in any case, whitespace anywhere.
        ("Name EQ 'alpha' Or ID eq 1", nil),
        ("NOT Enabled AND Id Gt 3", [10]),
        ("  Id\teq\n1  ", [1]),
        ("(Id eq 1)or(Id eq 2)", [1, 2]),
        ("Name eq'alpha'", [1]),
        ("contains( Name , 'lph' )", [1]),
        ("Key eq 'k7'", [7]),
        ("Id eq 9223372036854775807 or Id eq -9223372036854775808", []),
    ] as [(String, [Int64]?)])
    func matches(filter: String, expected: [Int64]?) throws {
        guard let expected else {
            // `ID`: property names are case-sensitive even where keywords are not.
            #expect(filterError(filter) == "$filter: unknown property 'ID' (did you mean 'Id'?) at position 20 in \"\(filter)\"")
            return
        }
        #expect(try matchingIds(filter) == expected)
    }

    @Test(arguments: [
        ("Id eq 1 or Id eq 2 and Id eq 3", "((Id eq 1) or ((Id eq 2) and (Id eq 3)))"),
        ("Id eq 1 and Id eq 2 or Id eq 3", "(((Id eq 1) and (Id eq 2)) or (Id eq 3))"),
        ("Id eq 1 and (Id eq 2 or Id eq 3)", "((Id eq 1) and ((Id eq 2) or (Id eq 3)))"),
        ("Enabled and Enabled and Enabled", "((Enabled and Enabled) and Enabled)"),
        ("not Enabled or Enabled", "((not Enabled) or Enabled)"),
        ("not Enabled eq true", "((not Enabled) eq true)"),
        ("not (Enabled eq true)", "(not (Enabled eq true))"),
        ("Enabled eq true eq false", "((Enabled eq true) eq false)"),
        ("Name eq 'O''Brien'", "(Name eq 'O''Brien')"),
        ("substringof('x',Name)", "contains(Name,'x')"),
        ("CONTAINS(Name,'x') and Id eq NULL", "(contains(Name,'x') and (Id eq null))"),
        ("Id lt -5", "(Id lt -5)"),
    ])
    func parsesWithPrecedence(filter: String, canonical: String) throws {
        let parsed = try ODataFilter(parsing: filter, properties: .webhook)
        #expect(parsed.description == canonical)
        // The canonical form is itself a filter meaning the same.
        #expect(try ODataFilter(parsing: canonical, properties: .webhook) == parsed)
    }

    @Test(arguments: [
        ("Name eq 5", "'eq' cannot compare Name (String) with 5 (Int64) at position 6"),
        ("Id eq '5'", "'eq' cannot compare Id (Int64) with '5' (String) at position 4"),
        ("Enabled eq 1", "'eq' cannot compare Enabled (Boolean) with 1 (Int64) at position 9"),
        ("Id gt Name", "'gt' cannot compare Id (Int64) with Name (String) at position 4"),
        ("Enabled gt false", "'gt' is not defined for Boolean operands (Enabled (Boolean), false (Boolean)) at position 9"),
        ("Name lt null and Enabled le null", "'le' is not defined for Boolean operands (Enabled (Boolean), null (Null)) at position 26"),
        ("Name", "the filter must be a Boolean expression, found Name (String) at position 1"),
        ("tolower(Name)", "the filter must be a Boolean expression, found tolower(Name) (String) at position 1"),
        ("null", "the filter must be a Boolean expression, found null (Null) at position 1"),
        ("(Id)", "the filter must be a Boolean expression, found (Id) (Int64) at position 1"),
        ("Id and Enabled", "'and' needs Boolean operands, found Id (Int64) at position 1"),
        ("Enabled or 'x'", "'or' needs Boolean operands, found 'x' (String) at position 12"),
        ("not Name eq 'x'", "'not' needs a Boolean operand, found Name (String) at position 1"),
        ("contains(Id,'1')", "'contains' needs String arguments, found Id (Int64) at position 10"),
        ("startswith(Name,Enabled)", "'startswith' needs String arguments, found Enabled (Boolean) at position 17"),
        ("contains(Name)", "'contains' takes 2 arguments, found 1 at position 1"),
        ("tolower(Name,'x') eq 'a'", "'tolower' takes 1 argument, found 2 at position 1"),
        ("endswith() eq true", "'endswith' takes 2 arguments, found 0 at position 1"),
    ])
    func rejectsTypeErrors(filter: String, message: String) {
        #expect(filterError(filter) == "$filter: \(message) in \"\(filter)\"")
    }

    @Test(arguments: [
        ("", "$filter: empty expression"),
        ("  \t ", "$filter: empty expression"),
        ("Name eq", "expected a value after 'eq' at the end of"),
        ("Id eq 1 and", "expected a value after 'and' at the end of"),
        ("not", "expected a value after 'not' at the end of"),
        ("and Id eq 1", "expected a value, found 'and' at position 1 in"),
        ("Id eq eq 1", "expected a value after 'eq', found 'eq' at position 7 in"),
        ("Id eq )", "expected a value after 'eq', found ')' at position 7 in"),
        (",", "expected a value, found ',' at position 1 in"),
        ("(Id eq 1", "unclosed '(' at position 1 in"),
        ("((Id eq 1)", "unclosed '(' at position 1 in"),
        ("(Id eq 1 Name", "expected ')', found 'Name' at position 10 in"),
        ("Id eq 1)", "expected 'and', 'or' or the end, found ')' at position 8 in"),
        ("()", "expected a value inside '(' at position 2 in"),
        ("Id eq 1 Name", "expected 'and', 'or' or the end, found 'Name' at position 9 in"),
        ("Id eq 1 eq", "expected a value after 'eq' at the end of"),
        ("Name eq 'abc", "unterminated string starting at position 9 in"),
        ("Name eq 'it''s", "unterminated string starting at position 9 in"),
        ("name eq 'x'", "unknown property 'name' (did you mean 'Name'?) at position 1 in"),
        ("Foo eq 1", "unknown property 'Foo' at position 1 in"),
        ("Secret eq 'x'", "the property 'Secret' cannot be used in $filter at position 1 in"),
        ("Events eq 'x'", "the property 'Events' cannot be used in $filter at position 1 in"),
        ("foo(Name)", "unknown function 'foo' (known: contains, startswith, endswith, tolower, toupper, substringof) at position 1 in"),
        ("Name(1)", "unknown function 'Name' (known: contains, startswith, endswith, tolower, toupper, substringof) at position 1 in"),
        ("contains", "expected '(' after the function 'contains' at the end of"),
        ("contains eq true", "expected '(' after the function 'contains' at position 9 in"),
        ("contains(Name 'x')", "expected ',' or ')' in the arguments of 'contains', found ''x'' at position 15 in"),
        ("contains(Name,'x'", "expected ',' or ')' in the arguments of 'contains' at the end of"),
        ("contains(Name,,'x')", "expected a value, found ',' at position 15 in"),
        ("Id eq 1.5", "malformed integer '1.5' (only integers are supported) at position 7 in"),
        ("Id eq 5L", "malformed integer '5L' (only integers are supported) at position 7 in"),
        ("Id eq 12abc", "malformed integer '12abc' (only integers are supported) at position 7 in"),
        ("Id eq 9223372036854775808", "integer 9223372036854775808 is out of range at position 7 in"),
        ("Id eq -", "unexpected character '-' at position 7 in"),
        ("Id eq 1 & Id eq 2", "unexpected character '&' at position 9 in"),
        ("Name eq \"x\"", "unexpected character '\"' at position 9 in"),
        ("Events/any(e: true)", "unexpected character '/' at position 7 in"),
        ("Name eq 'é' or ü", "unexpected character 'ü' at position 16 in"),
        ("Id eq 1\u{1}", "unexpected character '\\u{01}' at position 8 in"),
    ])
    func rejectsMalformedFilters(filter: String, message: String) {
        let expected = message.hasPrefix("$filter:") ? message : "$filter: \(message) \"\(filter)\""
        #expect(filterError(filter) == expected)
    }

    @Test func echoesLongFiltersTruncated() throws {
        let filter = "Name eq '" + String(repeating: "x", count: 300)
        let message = try #require(filterError(filter))
        #expect(message == "$filter: unterminated string starting at position 9 in \"\(filter.prefix(200))…\"")
    }

    @Test func limitsTheNodeCount() throws {
        // Each `Id eq N` is 3 nodes, each `or` 1: 25 clauses are 99 nodes, 26 are 103.
        let clauses = (1...26).map { "Id eq \($0)" }
        #expect(try matchingIds(clauses.prefix(25).joined(separator: " or ")) == [1, 2, 3, 4, 7, 10])
        let message = try #require(filterError(clauses.joined(separator: " or ")))
        #expect(message.hasPrefix("$filter: more than 100 nodes (operators, operands and calls) at position "))
    }

    @Test func limitsTheNesting() throws {
        let nested = { (depth: Int) in String(repeating: "(", count: depth) + "Enabled" + String(repeating: ")", count: depth) }
        #expect(try matchingIds(nested(32)) == [1, 2, 4, 7])
        #expect(filterError(nested(33))?.hasPrefix("$filter: nested deeper than 32 levels at position 33 in") == true)
        let nots = String(repeating: "not ", count: 33) + "Enabled"
        #expect(filterError(nots)?.hasPrefix("$filter: nested deeper than 32 levels at position 129 in") == true)
        // Far past the limit the parser stops early instead of recursing.
        #expect(filterError(String(repeating: "(", count: 100_000))?.hasPrefix("$filter: nested deeper than 32") == true)
        #expect(filterError(String(repeating: "contains(", count: 100_000))?.hasPrefix("$filter: nested deeper than 32") == true)
    }

    /// Random text and random mutations of valid filters: parsing returns a filter or throws ODataError
    /// (typed throws make anything else impossible) and never traps; accepted filters evaluate and print.
    @Test func survivesFuzzing() {
        var generator = SeededGenerator(seed: 0x0DA7A)
        let valid = [
            "Url eq 'http://documentation.azurewebsites.net/webhook/documentation'",
            "Id eq 3 or Id eq 4 and Enabled", "(Id eq 3 or Id eq 4) and not Enabled",
            "contains(tolower(Name),'alpha') or startswith(Url,'https://')", "Name eq 'O''Brien'",
            "Description eq null and Id gt -2", "substringof('sink',Name) or endswith(Url,'/hook')",
        ]
        let pieces = ["(", ")", "'", "''", ",", " ", "-", "0", "9", "eq", "ne", "gt", "and", "or", "not", "null",
                      "true", "Name", "Id", "Enabled", "contains", "tolower", "é", "\u{0}", "\"", "$", "1.5", "\t"]
        var accepted = 0
        var rejected = 0
        for round in 0..<20_000 {
            var text: String
            if round.isMultiple(of: 2) {
                text = (0..<Int.random(in: 0...12, using: &generator))
                    .map { _ in pieces.randomElement(using: &generator)! }.joined()
            } else {
                var scalars = Array(valid.randomElement(using: &generator)!.unicodeScalars)
                for _ in 0..<Int.random(in: 1...3, using: &generator) {
                    let at = Int.random(in: 0...scalars.count, using: &generator)
                    switch Int.random(in: 0..<4, using: &generator) {
                    case 0 where at < scalars.count: scalars.remove(at: at)
                    case 1: scalars.insert(contentsOf: pieces.randomElement(using: &generator)!.unicodeScalars, at: at)
                    case 2: scalars.removeSubrange(at...)
                    default:
                        let value = UInt32.random(in: 0...0x2FF, using: &generator)
                        scalars.insert(Unicode.Scalar(value)!, at: at)
                    }
                }
                text = String(String.UnicodeScalarView(scalars))
            }
            do {
                let filter = try ODataFilter(parsing: text, properties: .webhook)
                accepted += 1
                _ = webhooks.filter { filter.matches($0) }
                #expect(try ODataFilter(parsing: filter.description, properties: .webhook) == filter, "\(text)")
            } catch {
                rejected += 1
                #expect(error.message.hasPrefix("$filter: "), "\(text)")
            }
        }
        // Both paths are exercised.
        #expect(accepted > 500)
        #expect(rejected > 5000)
    }
}

struct ODataQueryTests {
    @Test func parsesEveryOption() throws {
        let parsed = try query([
            ("$filter", "Enabled"), ("$top", "10"), ("$skip", "20"), ("$count", "true"),
            ("$orderby", "Name desc, Id"), ("$select", "Name,Url, Id"), ("$expand", "Events"), ("api-version", "16"),
        ])
        #expect(parsed.filter == (try ODataFilter(parsing: "Enabled", properties: .webhook)))
        #expect(parsed.top == 10)
        #expect(parsed.skip == 20)
        #expect(parsed.count)
        #expect(parsed.orderBy == [ODataOrdering(property: "Name", descending: true), ODataOrdering(property: "Id")])
        #expect(parsed.select == ["Name", "Url", "Id"])
    }

    @Test func defaultsWithoutOptions() throws {
        let parsed = try query([])
        #expect(parsed.filter == nil && parsed.top == nil && parsed.skip == nil && !parsed.count)
        #expect(parsed.orderBy.isEmpty && parsed.select == nil)
    }

    @Test(arguments: [
        ("$top", "0", nil), ("$top", "1000", nil),
        ("$top", "1001", "$top: at most 1000, found 1001"),
        ("$top", "-1", "$top: expected a non-negative integer, found '-1'"),
        ("$top", "+5", "$top: expected a non-negative integer, found '+5'"),
        ("$top", "1.5", "$top: expected a non-negative integer, found '1.5'"),
        ("$top", " 5", "$top: expected a non-negative integer, found ' 5'"),
        ("$top", "", "$top: expected a non-negative integer, found ''"),
        ("$top", "99999999999999999999", "$top: expected a non-negative integer, found '99999999999999999999'"),
        ("$skip", "0", nil), ("$skip", "1000000", nil),
        ("$skip", "-1", "$skip: expected a non-negative integer, found '-1'"),
        ("$skip", "ten", "$skip: expected a non-negative integer, found 'ten'"),
        ("$count", "true", nil), ("$count", "false", nil), ("$count", "True", nil),
        ("$count", "yes", "$count: expected true or false, found 'yes'"),
        ("$count", "", "$count: expected true or false, found ''"),
        ("$orderby", "Name", nil), ("$orderby", "Name asc", nil), ("$orderby", "  Name   DESC , Id ", nil),
        ("$orderby", "Id,Name,Url,Enabled,Key", nil),
        ("$orderby", "Id,Name,Url,Enabled,Key,Description", "$orderby: at most 5 clauses, found 6"),
        ("$orderby", "Name,Name desc", "$orderby: the property 'Name' appears more than once"),
        ("$orderby", "Name sideways", "$orderby: expected 'asc' or 'desc' after 'Name', found 'sideways'"),
        ("$orderby", "Name desc Id", "$orderby: expected ',' or the end after 'Name desc', found 'Id'"),
        ("$orderby", "name", "$orderby: unknown property 'name' (did you mean 'Name'?)"),
        ("$orderby", "Secret", "$orderby: the property 'Secret' cannot be used in $orderby"),
        ("$orderby", "Events", "$orderby: the property 'Events' cannot be used in $orderby"),
        ("$orderby", "", "$orderby: clause 1 is empty"),
        ("$orderby", "Name,", "$orderby: clause 2 is empty"),
        ("$orderby", "tolower(Name)", "$orderby: unknown property 'tolower(Name)'"),
        ("$select", "Name", nil), ("$select", "Events,Secret", nil), ("$select", "*", nil),
        ("$select", "Nope", "$select: unknown property 'Nope'"),
        ("$select", "url", "$select: unknown property 'url' (did you mean 'Url'?)"),
        ("$select", "", "$select: item 1 is empty"),
        ("$select", "Name,,Url", "$select: item 2 is empty"),
        ("$expand", "Events", nil), ("$expand", " Events ", nil),
        ("$expand", "Name", "$expand: 'Name' cannot be expanded"),
        ("$expand", "events", "$expand: 'events' cannot be expanded (did you mean 'Events'?)"),
        ("$expand", "", "$expand: item 1 is empty"),
        ("$search", "x", "$search: unsupported query option (supported: $filter, $top, $skip, $count, $orderby, $select, $expand)"),
        ("$format", "json", "$format: unsupported query option (supported: $filter, $top, $skip, $count, $orderby, $select, $expand)"),
        ("$filter", "Name eq", "$filter: expected a value after 'eq' at the end of \"Name eq\""),
        ("$TOP", "1001", "$TOP: at most 1000, found 1001"),
        ("custom", "anything", nil),
    ] as [(String, String, String?)])
    func validatesOptions(name: String, value: String, message: String?) {
        #expect(queryError(name, value) == message)
    }

    @Test func readsValuesOfEachOption() throws {
        #expect(try query([("$count", "True")]).count)
        #expect(try !query([("$count", "false")]).count)
        #expect(try query([("$orderby", "  Name   DESC , Id ")]).orderBy
            == [ODataOrdering(property: "Name", descending: true), ODataOrdering(property: "Id")])
        #expect(try query([("$select", "*")]).select == nil)
        #expect(try query([("$select", "Name,*")]).select == nil)
        #expect(try query([("$select", "Url, Name,Url")]).select == ["Url", "Name"])
        #expect(try query([("$Filter", "Enabled")]).filter != nil)
    }

    @Test func rejectsRepeatedOptions() {
        #expect(throws: ODataError("$top: given more than once")) { try query([("$top", "1"), ("$top", "2")]) }
        #expect(throws: ODataError("$Skip: given more than once")) { try query([("$skip", "1"), ("$Skip", "2")]) }
    }
}

struct ODataApplyTests {
    private func ids(_ parameters: [(name: String, value: String)]) throws -> (ids: [Int64], count: Int) {
        let result = try query(parameters).apply(to: webhooks)
        return (result.page.map(\.id), result.count)
    }

    @Test(arguments: [
        ([], [1, 2, 3, 4, 7, 10], 6),
        ([("$filter", "Enabled")], [1, 2, 4, 7], 4),
        ([("$orderby", "Id desc")], [10, 7, 4, 3, 2, 1], 6),
        ([("$orderby", "Name")], [10, 2, 7, 3, 1, 4], 6),   // ordinal: "ALPHA" < "Beta" < "Café" < "O'Brien" < "alpha"
        ([("$orderby", "Name desc")], [4, 1, 3, 7, 2, 10], 6),
        // Ties fall back to Id ascending, whatever the direction of the clause.
        ([("$orderby", "Enabled")], [3, 10, 1, 2, 4, 7], 6),
        ([("$orderby", "Enabled desc")], [1, 2, 4, 7, 3, 10], 6),
        ([("$orderby", "Enabled desc, Id desc")], [7, 4, 2, 1, 10, 3], 6),
        ([("$orderby", "AllowInsecureSsl desc,SubscribeToAllEvents")], [3, 4, 2, 7, 10, 1], 6),
        // Nulls sort first ascending, last descending.
        ([("$orderby", "Description")], [3, 4, 7, 1, 2, 10], 6),
        ([("$orderby", "Description desc")], [10, 2, 1, 7, 3, 4], 6),
        // Filter, then order, then skip, then top; the count ignores skip and top.
        ([("$filter", "Enabled"), ("$orderby", "Id desc"), ("$skip", "1"), ("$top", "2")], [4, 2], 4),
        ([("$top", "0")], [], 6),
        ([("$skip", "6")], [], 6),
        ([("$skip", "1000000"), ("$top", "1000")], [], 6),
        ([("$skip", "4"), ("$top", "1000")], [7, 10], 6),
        ([("$filter", "Id gt 100"), ("$count", "true")], [], 0),
    ] as [([(name: String, value: String)], [Int64], Int)])
    func appliesOptions(parameters: [(name: String, value: String)], expected: [Int64], count: Int) throws {
        let result = try ids(parameters)
        #expect(result.ids == expected)
        #expect(result.count == count)
    }

    @Test func pagesPartitionTheOrderedSet() throws {
        let all = try ids([("$orderby", "Enabled, Name desc")]).ids
        var paged: [Int64] = []
        for skip in stride(from: 0, to: 8, by: 4) {
            paged += try ids([("$orderby", "Enabled, Name desc"), ("$skip", String(skip)), ("$top", "4")]).ids
        }
        #expect(paged == all)
        #expect(all.count == webhooks.count)
    }

    /// Entities the key cannot tell apart keep their input order.
    @Test func isStable() throws {
        struct Row: ODataEntity {
            var id: Int64
            var label: String
            func odataValue(of property: String) -> ODataValue? {
                property == "Id" ? .int(id) : property == "Label" ? .string(label) : nil
            }
        }
        let properties = ODataProperties(key: "Id", [.init("Id", .int), .init("Label", .string)])
        let rows = [Row(id: 2, label: "b"), Row(id: 1, label: "x"), Row(id: 2, label: "a"), Row(id: 1, label: "y")]
        let query = try ODataQuery(parameters: [], properties: properties)
        #expect(query.apply(to: rows).page.map(\.label) == ["x", "y", "b", "a"])
        let descending = try ODataQuery(parameters: [("$orderby", "Id desc")], properties: properties)
        #expect(descending.apply(to: rows).page.map(\.label) == ["b", "a", "x", "y"])
    }

    @Test func comparesValuesOrdinally() {
        #expect(ODataValue.null < .bool(false))
        #expect(ODataValue.bool(false) < .bool(true))
        #expect(ODataValue.int(-1) < .int(0))
        #expect(ODataValue.string("Z") < .string("a"))
        #expect(ODataValue.string("Caf\u{E9}") != .string("Cafe\u{301}"))
        // UTF-16 order, as .NET's ordinal comparison: U+FFFD sorts after U+1F600's lead surrogate (U+D83D).
        #expect(ODataValue.string("\u{1F600}") < .string("\u{FFFD}"))
    }
}
