import EventModel
import Testing

struct EventEnvelopeTests {
    @Test(arguments: [
        (#"{"Type":"job.started","EventId":"78936220","Job":{"Type":"Unattended"}}"#, "job.started", "78936220"),
        (#"{"Job":{"Type":"nested","EventId":"x"},"EventId":"e1","Type":"queueItem.added"}"#, "queueItem.added", "e1"),
        (#" { "Type" : "ping" , "EventId" : 12345 } "#, "ping", "12345"),
        (#"{"Type":"job\u002ecreated"}"#, "job.created", nil),
        (#"{"Other":[1,2,{"Type":"no"}]}"#, nil, nil),
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
