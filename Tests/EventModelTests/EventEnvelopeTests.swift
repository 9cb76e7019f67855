import EventModel
import Testing

struct EventEnvelopeTests {
    @Test(arguments: [
        (#"{"Type":"job.started","EventId":"78936220","Job":{"Type":"Unattended"}}"#, "job.started", "78936220"),
        (#"{"Job":{"Type":"nested","EventId":"x"},"EventId":"e1","Type":"queueItem.added"}"#, "queueItem.added", "e1"),
        (#" { "Type" : "ping" , "EventId" : 12345 } "#, "ping", "12345"),
        (#"{"Type":"job\u002ecreated"}"#, "job.created", nil),
        (#"{"Other":[1,2,{"Type":"no"}]}"#, nil, nil),
        // Once both are found the rest of the body is not read.
        (#"{"EventId":"e9","Type":"ping", this is not read"#, "ping", "e9"),
    ] as [(String, String?, String?)])
    func findsTopLevelTypeAndEventId(body: String, type: String?, eventId: String?) {
        let envelope = EventEnvelope(scanning: Array(body.utf8))
        #expect(envelope == EventEnvelope(type: type, eventId: eventId))
    }

    @Test(arguments: ["not json", "[1,2]", #"{"Type":"x""#, #"{"Type":"x"} trailing"#, ""])
    func nonObjectsHaveNoEnvelope(body: String) {
        #expect(EventEnvelope(scanning: Array(body.utf8)) == nil)
    }
}

/// The string scanner works sixteen and eight bytes at a time; every escape
/// and every bad byte must be caught at every alignment within a chunk.
struct StringScanAlignmentTests {
    @Test(arguments: 0..<24)
    func escapesAndBadBytesAtEveryOffset(padding: Int) {
        let pad = String(repeating: "a", count: padding)
        func scan(_ value: [UInt8]) -> EventEnvelope? {
            EventEnvelope(scanning: Array(#"{"Type":""#.utf8) + value + Array(#""}"#.utf8))
        }
        for (escape, decoded) in [(#"\""#, "\""), (#"\\"#, "\\"), (#"\/"#, "/"), (#"\n"#, "\n"), (#"\u00e9"#, "é"), (#"\\\""#, "\\\"")] {
            let envelope = scan(Array((pad + escape + "z" + escape).utf8))
            #expect(envelope?.type == pad + decoded + "z" + decoded, "escape \(escape) after \(padding) bytes")
        }
        for bad: [UInt8] in [Array(#"\x"#.utf8), [0x01], [0x1F], [0xFF], [0xC3], Array(#"\"#.utf8)] {
            #expect(scan(Array(pad.utf8) + bad + Array("-tail".utf8)) == nil, "bad \(bad) after \(padding) bytes")
        }
        #expect(scan(Array(pad.utf8) + Array("é中😀".utf8))?.type == pad + "é中😀")
    }
}
