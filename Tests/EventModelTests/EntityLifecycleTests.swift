import EventModel
import Testing

struct EntityLifecycleKeyTests {
    struct Case: Sendable, CustomStringConvertible {
        let name: String
        let type: String
        let body: String
        let expected: EntityKey?
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(name: "job.started Job", type: "job.started",
             body: #"{"Type":"job.started","EventId":"1","Job":{"Id":7,"Key":"job-a","State":"Running"},"TenantId":1}"#,
             expected: EntityKey(kind: .job, key: "job-a")),
        Case(name: "Key after nested objects", type: "job.completed",
             body: #"{"Type":"job.completed","Job":{"Robot":{"Key":"robot-k"},"Release":{"Key":"rel"},"Key":"job-b"}}"#,
             expected: EntityKey(kind: .job, key: "job-b")),
        Case(name: "job.created first of Jobs", type: "job.created",
             body: #"{"Type":"job.created","StartInfo":{"ReleaseKey":"r"},"Jobs":[{"Id":1,"Key":"job-c"},{"Id":2,"Key":"job-d"}]}"#,
             expected: EntityKey(kind: .job, key: "job-c")),
        Case(name: "job.stopped Jobs", type: "job.stopped",
             body: #"{"Type":"job.stopped","Jobs":[ {"Key":"job-e"} ]}"#,
             expected: EntityKey(kind: .job, key: "job-e")),
        Case(name: "QueueItem before Queue", type: "queueItem.transactionStarted",
             body: #"{"Type":"queueItem.transactionStarted","QueueItem":{"Id":3,"Key":"item-a"},"Queue":{"Key":"queue"}}"#,
             expected: EntityKey(kind: .queueItem, key: "item-a")),
        Case(name: "Queue before QueueItems", type: "queueItem.added",
             body: #"{"Type":"queueItem.added","Queue":{"Id":9,"Key":"queue-key"},"QueueItems":[{"Id":4,"Key":"item-b"}]}"#,
             expected: EntityKey(kind: .queueItem, key: "item-b")),
        Case(name: "escaped key", type: "job.started",
             body: #"{"Job":{"Key":"a\u0062c"}}"#,
             expected: EntityKey(kind: .job, key: "abc")),
        Case(name: "job event without Key", type: "job.started",
             body: #"{"Type":"job.started","Job":{"Id":7}}"#, expected: nil),
        Case(name: "empty Jobs", type: "job.stopped",
             body: #"{"Type":"job.stopped","Jobs":[],"Job":{"Key":"ignored"}}"#, expected: nil),
        Case(name: "numeric Key", type: "job.started",
             body: #"{"Job":{"Key":12}}"#, expected: nil),
        Case(name: "queue item type reads no Job", type: "queueItem.added",
             body: #"{"Job":{"Key":"job-x"}}"#, expected: nil),
        Case(name: "other event", type: "robot.status",
             body: #"{"Type":"robot.status","Job":{"Key":"job-x"}}"#, expected: nil),
        Case(name: "not JSON", type: "job.started", body: "Job=Key", expected: nil),
        Case(name: "truncated", type: "job.started", body: #"{"Job":{"Key":"job"#, expected: nil),
    ]

    @Test(arguments: cases)
    func extractsTheEntityKey(_ test: Case) {
        #expect(EntityKey.entityKey(ofEventBody: Array(test.body.utf8), type: test.type) == test.expected)
    }

    @Test func describesKindAndKey() {
        #expect(EntityKey(kind: .queueItem, key: "k1").description == "queueItem k1")
    }
}

struct EntityLifecycleOrderTests {
    struct Case: Sendable, CustomStringConvertible {
        let kind: EntityKey.Kind
        let types: [String]
        /// Index of each event reported, with the type it came after.
        let violations: [Int: String]
        var description: String { types.joined(separator: " → ") }
    }

    static let cases: [Case] = [
        // Jobs: the documented lifecycle and its lossy versions pass.
        Case(kind: .job, types: ["job.created", "job.started", "job.completed"], violations: [:]),
        Case(kind: .job, types: ["job.started", "job.faulted"], violations: [:]),
        Case(kind: .job, types: ["job.created", "job.stopped"], violations: [:]),
        Case(kind: .job, types: ["job.started", "job.suspended", "job.resumed", "job.started", "job.completed"], violations: [:]),
        Case(kind: .job, types: ["job.completed", "job.completed"], violations: [:]),
        // Jobs: reordered.
        Case(kind: .job, types: ["job.created", "job.completed", "job.started"], violations: [2: "job.completed"]),
        Case(kind: .job, types: ["job.started", "job.created"], violations: [1: "job.started"]),
        Case(kind: .job, types: ["job.faulted", "job.created"], violations: [1: "job.faulted"]),
        Case(kind: .job, types: ["job.completed", "job.stopped"], violations: [1: "job.completed"]),
        Case(kind: .job, types: ["job.stopped", "job.resumed"], violations: [1: "job.stopped"]),
        // Queue items: retries reuse the Key, with or without a new added.
        Case(kind: .queueItem, types: ["queueItem.added", "queueItem.transactionStarted", "queueItem.transactionCompleted"], violations: [:]),
        Case(kind: .queueItem, types: ["queueItem.added", "queueItem.transactionStarted", "queueItem.transactionFailed",
                                       "queueItem.added", "queueItem.transactionStarted", "queueItem.transactionCompleted"], violations: [:]),
        Case(kind: .queueItem, types: ["queueItem.transactionStarted", "queueItem.transactionAbandoned",
                                       "queueItem.transactionStarted", "queueItem.transactionFailed"], violations: [:]),
        Case(kind: .queueItem, types: ["queueItem.added", "queueItem.transactionCompleted"], violations: [:]),
        // Queue items: nothing follows success.
        Case(kind: .queueItem, types: ["queueItem.transactionCompleted", "queueItem.transactionStarted"],
             violations: [1: "queueItem.transactionCompleted"]),
        Case(kind: .queueItem, types: ["queueItem.transactionStarted", "queueItem.transactionCompleted", "queueItem.added",
                                       "queueItem.transactionFailed"],
             violations: [2: "queueItem.transactionCompleted", 3: "queueItem.transactionCompleted"]),
    ]

    @Test(arguments: cases)
    func reportsEventsThatMayNotFollowEarlierOnes(_ test: Case) {
        var checker = LifecycleOrderChecker()
        let entity = EntityKey(kind: test.kind, key: "K")
        var reported: [Int: String] = [:]
        for (index, type) in test.types.enumerated() {
            if let violation = checker.observe(type: type, entity: entity) {
                #expect(violation.entity == entity)
                #expect(violation.type == type)
                reported[index] = violation.precedingType
            }
        }
        #expect(reported == test.violations)
    }

    @Test func tracksEntitiesSeparately() {
        var checker = LifecycleOrderChecker()
        let first = EntityKey(kind: .job, key: "a")
        let second = EntityKey(kind: .job, key: "b")
        let sameKeyOtherKind = EntityKey(kind: .queueItem, key: "a")
        #expect(checker.observe(type: "job.completed", entity: first) == nil)
        #expect(checker.observe(type: "job.started", entity: second) == nil)
        #expect(checker.observe(type: "queueItem.added", entity: sameKeyOtherKind) == nil)
        let violation = checker.observe(type: "job.started", entity: first)
        #expect(violation?.description == "job a: job.started after job.completed")
        #expect(checker.entityCounts == [.job: 2, .queueItem: 1])
    }
}
