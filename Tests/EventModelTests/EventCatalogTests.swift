import EventModel
import Foundation
import Testing

struct EventCatalogTests {
    private struct EventTypesResponse: Decodable {
        struct Entry: Decodable, Equatable {
            let Name: String
            let Group: String
        }
        let value: [Entry]
    }

    /// The GetEventTypes response of the vendor's seed, copied verbatim into Fixtures/.
    private func seedEntries() throws -> [EventTypesResponse.Entry] {
        let url = try #require(Bundle.module.url(forResource: "GetEventTypes", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(EventTypesResponse.self, from: Data(contentsOf: url)).value
    }

    @Test func subscribableTypesMatchTheSeedExactlyAndInOrder() throws {
        let catalog = EventCatalog.subscribable.map { EventTypesResponse.Entry(Name: $0.type.rawValue, Group: $0.group.rawValue) }
        let seed = try seedEntries()
        #expect(seed.count == 21)
        #expect(catalog == seed)
    }

    @Test func pingIsKnownButNotSubscribable() {
        #expect(EventCatalog.isKnown(.ping))
        #expect(!EventCatalog.subscribable.contains { $0.type == .ping })
        #expect(EventCatalog.all.count == 22)
        #expect(EventCatalog.group(of: .queueItemTransactionAbandoned) == .queueItem)
        #expect(EventCatalog.group(of: EventType(rawValue: "robot.connected")) == nil)
    }

    @Test(arguments: [
        ("job.*", "job.completed", true),
        ("job.*", "jobs.completed", false),
        ("queueItem.transaction*", "queueItem.transactionFailed", true),
        ("queueItem.transaction*", "queueItem.added", false),
        ("*.created", "robot.created", true),
        ("*", "anything", true),
        ("job.?tarted", "job.started", true),
        ("job.started", "job.started", true),
        ("job.started", "job.startedx", false),
        ("*Item*ed", "queueItem.transactionCompleted", true),
        ("a*b*c", "aXbYbZ", false),
    ])
    func typeGlobs(pattern: String, type: String, matches: Bool) {
        #expect(EventTypePattern(pattern).matches(type) == matches)
    }

    @Test func patternsWarnWhenTheyMatchNothingKnown() {
        #expect(EventTypePattern("job.*").matchesSomeKnownType)
        #expect(!EventTypePattern("jobs.*").matchesSomeKnownType)
    }
}
