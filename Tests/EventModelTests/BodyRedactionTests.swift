import EventModel
import Foundation
import Testing
import TestSupport

@Suite struct BodyRedactionTests {
    private func redact(_ body: String, _ pointers: [String], hashKey: String? = nil) throws -> BodyRedaction.Outcome {
        let parsed = try pointers.map { text throws(RedactionPointerError) in try RedactionPointer(parsing: text) }
        return BodyRedaction(pointers: parsed, hashKey: hashKey.map { Array($0.utf8) }).apply(to: Array(body.utf8))
    }

    private func redactedText(_ body: String, _ pointers: [String], hashKey: String? = nil) throws -> String? {
        guard case .redacted(let bytes, _) = try redact(body, pointers, hashKey: hashKey) else { return nil }
        return String(decoding: bytes, as: UTF8.self)
    }

    @Test(arguments: [
        // Each type family, and every other byte kept as it was (spaces included).
        (#"{"Job": {"InputArguments": {"Password": "p4ss"}, "Id": 7}}"#, ["/Job/InputArguments"],
         #"{"Job": {"InputArguments": {}, "Id": 7}}"#),
        (#"{"a":"secret","b":[1,2],"c":12.5,"d":true,"e":null}"#, ["/a", "/b", "/c", "/d", "/e"],
         #"{"a":"[redacted]","b":[],"c":0,"d":false,"e":null}"#),
        // `*` is every array element; a number is one element.
        (#"{"QueueItems":[{"SpecificContent":{"x":1},"Key":"k1"},{"Key":"k2","SpecificContent":"s"}]}"#,
         ["/QueueItems/*/SpecificContent"],
         #"{"QueueItems":[{"SpecificContent":{},"Key":"k1"},{"Key":"k2","SpecificContent":"[redacted]"}]}"#),
        (#"{"l":["a","b","c"]}"#, ["/l/1"], #"{"l":["a","[redacted]","c"]}"#),
        // ~1 is '/', ~0 is '~'; keys with escapes are compared by content.
        (#"{"a/b":{"c~d":"x"},"\u0065":"y"}"#, ["/a~1b/c~0d", "/e"], #"{"a/b":{"c~d":"[redacted]"},"\u0065":"[redacted]"}"#),
        // The empty pointer is the whole body; a value inside one already named is not visited again.
        (#"{"a":{"b":"c"}}"#, ["/a", "/a/b"], #"{"a":{}}"#),
        (#" [1] "#, [""], #" [] "#),
    ])
    func replacesNamedValuesAndNothingElse(body: String, pointers: [String], expected: String) throws {
        #expect(try redactedText(body, pointers) == expected)
    }

    @Test func saysWhichPointersNamedAValue() throws {
        let outcome = try redact(#"{"Job":{"InputArguments":{}}}"#, ["/Queue", "/Job/InputArguments", "/Job/Robot/UserName"])
        #expect(outcome == .redacted(body: Array(#"{"Job":{"InputArguments":{}}}"#.utf8), pointers: ["/Job/InputArguments"]))
        #expect(try redact(#"{"Job":{}}"#, ["/Job/InputArguments"]) == .unchanged)
        #expect(try redact(#"{"Job":{} trailing"#, ["/Job"]) == .notJSON)
        #expect(try redact("plain text", ["/Job"]) == .notJSON)
        #expect(try redact("", [""]) == .notJSON)
    }

    @Test func keyedHashesKeepEqualValuesEqualAndDependOnTheKey() throws {
        let body = #"{"a":"alice","b":"alice","c":"bob","d":{"x":1},"n":42}"#
        let pointers = ["/a", "/b", "/c", "/d", "/n"]
        let hashed = try #require(try redactedText(body, pointers, hashKey: "k1"))
        let object = try #require(try JSONSerialization.jsonObject(with: Data(hashed.utf8)) as? [String: Any])
        let a = try #require(object["a"] as? String)
        #expect(a.hasPrefix("hmac:") && a.count == 5 + 32)
        #expect(object["b"] as? String == a)
        #expect(object["c"] as? String != a)
        #expect((object["d"] as? [String: String])?["hmac"]?.count == 32)
        #expect(object["n"] is Int)
        #expect(!hashed.contains("alice") && !hashed.contains("bob"))
        #expect(try redactedText(body, pointers, hashKey: "k1") == hashed, "deterministic")
        #expect(try redactedText(body, pointers, hashKey: "k2") != hashed, "keyed")
        // A string's content is hashed, not its escapes.
        let escaped = try #require(try redactedText(#"{"a":"\u0061lice"}"#, ["/a"], hashKey: "k1"))
        #expect(escaped.contains(a))
    }

    @Test(arguments: [
        ("Job", "'Job': a JSON Pointer starts with '/' (or is empty for the whole body)"),
        ("/a/~2", "'/a/~2': token 2 has '~' not followed by 0 or 1 (write ~0 for '~', ~1 for '/')"),
        ("/~", "'/~': token 1 has '~' not followed by 0 or 1 (write ~0 for '~', ~1 for '/')"),
    ])
    func badPointersAreNamed(text: String, message: String) {
        #expect(throws: RedactionPointerError.self) { try RedactionPointer(parsing: text) }
        do {
            _ = try RedactionPointer(parsing: text)
        } catch {
            #expect(error.description == message)
        }
    }

    /// Property: on random records' bodies (JSON objects of every shape the
    /// factory makes), the output is valid JSON, equal to the input once the
    /// named values are put back, and holds no byte of a redacted string.
    @Test func randomBodiesStayValidJSONAndLoseOnlyWhatWasNamed() throws {
        var generator = SeededGenerator(seed: 99)
        for round in 0..<300 {
            let secret = "S3CRET-\(round)-\(UInt32.random(in: 0...UInt32.max, using: &generator))"
            let items = (0..<Int.random(in: 0...4, using: &generator)).map { index in
                #"{"Key":"k\#(index)","SpecificContent":{"Card":"\#(secret)","n":\#(index)},"Note":"keep \#(index)"}"#
            }
            let body = #"{"Type":"queueItem.added","QueueItems":[\#(items.joined(separator: ", "))],"Job":{"InputArguments":"\#(secret)"}}"#
            let outcome = try redact(body, ["/QueueItems/*/SpecificContent", "/Job/InputArguments"])
            guard case .redacted(let bytes, _) = outcome else {
                Issue.record("round \(round): \(outcome)")
                continue
            }
            let text = String(decoding: bytes, as: UTF8.self)
            #expect(!text.contains(secret))
            let object = try #require(try JSONSerialization.jsonObject(with: Data(bytes)) as? [String: Any])
            let queueItems = try #require(object["QueueItems"] as? [[String: Any]])
            #expect(queueItems.count == items.count)
            for (index, item) in queueItems.enumerated() {
                #expect((item["SpecificContent"] as? [String: Any])?.isEmpty == true)
                #expect(item["Note"] as? String == "keep \(index)")
            }
        }
    }
}
