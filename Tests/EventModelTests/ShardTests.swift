import EventModel
import Foundation
import Testing

/// The shard split is a published function: users predict it from the docs,
/// so the vectors here are the ones docs/replay.md gives.
@Suite struct ShardTests {
    private func body(_ json: String) -> [UInt8] { Array(json.utf8) }

    @Test func theDocumentedExampleKeyGoesToTheDocumentedShard() throws {
        let key = Array("5f1c7e0a-36f4-4bd7-9a47-2cfd2b9b1c3e".utf8)
        #expect(Shard.index(ofRoutingKey: key, count: 4) == 0)
        // 0x1c0590910ae01608, the 64-bit FNV-1a the docs print.
        #expect(Shard.index(ofRoutingKey: key, count: 1 << 62) == Int(0x1c05_9091_0ae0_1608 % (UInt64(1) << 62)))
        // FNV-1a's published vectors: "" and "a".
        #expect(Shard.index(ofRoutingKey: [UInt8](), count: Int.max) == Int(0xcbf2_9ce4_8422_2325 % UInt64(Int.max)))
        #expect(Shard.index(ofRoutingKey: Array("a".utf8), count: Int.max) == Int(0xaf63_dc4c_8601_ec8c % UInt64(Int.max)))
    }

    @Test(arguments: [
        // Jobs by their Key, from Job or the first of Jobs.
        (#"{"Type":"job.started","EventId":"e1","Job":{"Id":1,"Key":"K-1"}}"#, "job.started", "K-1"),
        (#"{"Type":"job.faulted","EventId":"e2","Jobs":[{"Key":"K-2"},{"Key":"K-9"}]}"#, "job.faulted", "K-2"),
        // Queue items by their Key.
        (#"{"Type":"queueItem.added","EventId":"e3","QueueItem":{"Key":"Q-1"}}"#, "queueItem.added", "Q-1"),
        (#"{"Type":"queueItem.transactionCompleted","EventId":"e4","QueueItems":[{"Key":"Q-2"}]}"#,
         "queueItem.transactionCompleted", "Q-2"),
        // Everything else, and entity events without a Key, by EventId.
        (#"{"Type":"robot.status","EventId":"e5","Robot":{"Key":"R-1"}}"#, "robot.status", "e5"),
        (#"{"Type":"job.started","EventId":"e6","Job":{"Id":1}}"#, "job.started", "e6"),
        (#"{"Type":"process.created","EventId":77}"#, "process.created", "77"),
    ])
    func eventsAreRoutedByEntityKeyElseEventId(json: String, type: String, key: String) {
        #expect(Shard.routingKey(ofEventBody: body(json), type: type) == Array(key.utf8))
    }

    @Test func aBodyWithNeitherKeyNorEventIdIsItsOwnKey() {
        let binary: [UInt8] = [0xFF, 0x00, 0x7B]
        #expect(Shard.routingKey(ofEventBody: binary, type: nil) == binary)
        #expect(Shard.routingKey(ofEventBody: body(#"{"Type":"x"}"#), type: "x") == body(#"{"Type":"x"}"#))
    }

    @Test func everyEventHasExactlyOneOwnerAndAJobsEventsShareIt() throws {
        let count = 5
        let shards = try (0..<count).map { try Shard(index: $0, count: count) }
        var owners: [String: Set<Int>] = [:]
        for job in 0..<200 {
            for type in ["job.created", "job.started", "job.completed"] {
                let event = body(#"{"Type":"\#(type)","EventId":"\#(job)-\#(type)","Job":{"Key":"job-\#(job)"}}"#)
                let owning = shards.filter { $0.owns(eventBody: event, type: type) }
                #expect(owning.count == 1)
                owners["job-\(job)", default: []].formUnion(owning.map(\.index))
            }
        }
        #expect(owners.values.allSatisfy { $0.count == 1 }, "one job, one shard")
        // 200 keys spread over every shard.
        #expect(Set(owners.values.flatMap { $0 }) == Set(0..<count))
    }

    @Test func theOnlyShardOwnsEverything() throws {
        let whole = try Shard(index: 0, count: 1)
        #expect(whole.owns(eventBody: [0xFF], type: nil))
    }

    @Test(arguments: [(0, 0, ShardError.countOutOfRange(0)), (4, 4, .indexOutOfRange(index: 4, count: 4)),
                      (-1, 2, .indexOutOfRange(index: -1, count: 2))])
    func shardsOutsideTheirRangeAreRefused(index: Int, count: Int, error: ShardError) {
        #expect(throws: error) { try Shard(index: index, count: count) }
    }

    @Test func aShardRoundTripsAsJSONAndABadOneDoesNotDecode() throws {
        let shard = try Shard(index: 2, count: 3)
        let data = try JSONEncoder().encode(shard)
        #expect(try JSONDecoder().decode(Shard.self, from: data) == shard)
        #expect(throws: (any Error).self) { try JSONDecoder().decode(Shard.self, from: Data(#"{"index":3,"count":3}"#.utf8)) }
    }
}
