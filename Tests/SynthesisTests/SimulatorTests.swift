import EventModel
import Foundation
import Testing
@testable import Synthesis

private let start = Timestamp(rfc3339: "2026-03-31T08:00:00Z")!

private func scenario(_ yaml: String) throws -> Scenario { try Scenario(yaml: yaml, file: "test.yaml") }

private func run(_ scenario: Scenario, seed: UInt64? = nil, timeScale: Double? = nil, loadScale: Double = 1,
                 duration: Duration? = nil) -> [SynthesizedEvent] {
    Array(StormSimulator(scenario: scenario, options: StormOptions(start: start, seed: seed, timeScale: timeScale,
                                                                   loadScale: loadScale, duration: duration)))
}

private func object(_ event: SynthesizedEvent) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(event.body)) as? [String: Any])
}

/// The job or queue item object of an entity event (the single one, or the first of the array).
private func entityObject(_ body: [String: Any]) -> [String: Any]? {
    for name in ["Job", "QueueItem"] { if let single = body[name] as? [String: Any] { return single } }
    for name in ["Jobs", "QueueItems"] { if let array = body[name] as? [[String: Any]] { return array.first } }
    return nil
}

private func time(_ value: Any?) -> Timestamp? { (value as? String).flatMap { Timestamp(rfc3339: $0) } }

/// Mixed flows, failures, retries and two folders: a storm that exercises every lifecycle path.
private let mixed = """
    name: mixed
    seed: 5
    time_scale: 30
    fleet:
      robots: { count: 20 }
      processes: [{ name: Intake }]
      queues: [{ name: Invoices, max_retries: 2, folders: 2 }]
    flows:
      - name: jobs
        kind: job
        process: Intake
        weight: 2
        pending: { dist: exponential, mean: 5s }
        run: { dist: lognormal, median: 60s, sigma: 0.8 }
        outcomes: { completed: 0.8, faulted: 0.15, stopped: 0.05 }
      - name: items
        kind: queueItem
        queue: Invoices
        weight: 3
        wait: { dist: uniform, min: 0s, max: 20s }
        work: { dist: normal, mean: 30s, stddev: 20s }
        outcomes: { completed: 0.6, failed_business: 0.1, failed_application: 0.2, abandoned: 0.1 }
    load:
      - { duration: 10s, rate: 200/s }
      - { duration: 40s, rate: 200/s }
      - { duration: 5s, rate: 0/s }
    background:
      - { type: robot.status, rate: 5/s }
      - { type: queue.updated, rate: 1/s }
    """

@Suite struct SimulatorTests {
    @Test func sameSeedSameBytes() throws {
        let storm = try scenario(mixed)
        let first = run(storm, duration: .seconds(20))
        let second = run(storm, duration: .seconds(20))
        #expect(first.count > 5_000)
        #expect(first == second)
        #expect(run(storm, seed: 6, duration: .seconds(20)) != first)
    }

    @Test func largeStormKeepsTimeAndLifecycleOrder() throws {
        let storm = try scenario(mixed)
        var simulator = StormSimulator(scenario: storm, options: StormOptions(start: start))
        var checker = LifecycleOrderChecker()
        var violations: [LifecycleViolation] = []
        var previous = start
        var eventIds = Set<String>()
        /// Per entity: its event types, each run of fanned-out copies counted once.
        var sequences: [EntityKey: [String]] = [:]
        var jobKeys: [EntityKey: String] = [:]
        var count = 0
        var maxPending = 0
        while let event = simulator.next() {
            count += 1
            maxPending = max(maxPending, simulator.pendingWork)
            #expect(event.time >= previous, "time went back at event \(count)")
            previous = event.time
            let body = try object(event)
            let eventId = try #require(body["EventId"] as? String)
            #expect(eventIds.insert(eventId).inserted, "duplicate EventId \(eventId)")
            #expect(time(body["Timestamp"]) == event.time)
            #expect(body["Type"] as? String == event.type)
            #expect(EntityKey.entityKey(ofEventBody: event.body, type: event.type) == event.entity)
            guard let entity = event.entity else { continue }
            if let violation = checker.observe(type: event.type, entity: entity) { violations.append(violation) }
            let item = try #require(entityObject(body))
            if entity.kind == .job {
                // Same job Id in every event of the job; times in order and not after the event.
                let id = "\(item["Id"] ?? "")"
                #expect(jobKeys[entity, default: id] == id)
                jobKeys[entity] = id
                if let started = time(item["StartTime"]) { #expect(started <= event.time) }
                if let ended = time(item["EndTime"]) {
                    #expect(try #require(time(item["StartTime"])) <= ended)
                    #expect(ended <= event.time)
                }
                if event.type == "job.faulted" { #expect((item["Info"] as? String)?.isEmpty == false) }
            } else {
                let created = try #require(time(item["CreationTime"]))
                #expect(created <= event.time)
                if let started = time(item["StartProcessing"]) { #expect(created <= started) }
                if let ended = time(item["EndProcessing"]) { #expect(try #require(time(item["StartProcessing"])) <= ended) }
                if event.type == "queueItem.transactionFailed" {
                    let exception = try #require(item["ProcessingException"] as? [String: Any])
                    #expect(["BusinessException", "ApplicationException"].contains(exception["Type"] as? String))
                }
            }
            sequences[entity, default: []].append(event.type)
        }
        #expect(count > 40_000)
        #expect(violations.isEmpty, "\(violations.prefix(5))")
        // ~200 arrivals/s, each in flight for a few storm seconds: about 500 pending, never the ~9500 arrivals.
        #expect(maxPending < 1_500, "\(maxPending)")

        for (entity, types) in sequences {
            if entity.kind == .job {
                #expect(types.count == 3 && types[0] == "job.created" && types[1] == "job.started"
                        && ["job.completed", "job.faulted", "job.stopped"].contains(types[2]), "\(entity): \(types)")
            } else {
                // Two folders: each event twice in a row; attempts are added, started, outcome.
                let pairs = stride(from: 0, to: types.count, by: 2).map { types[$0] }
                #expect(types.count % 2 == 0 && pairs.map { [$0, $0] }.flatMap { $0 } == types, "\(entity): \(types)")
                #expect(pairs.count % 3 == 0 && pairs.count <= 9, "\(entity): \(pairs)")
                for attempt in stride(from: 0, to: pairs.count - 2, by: 3) {
                    #expect(pairs[attempt] == "queueItem.added" && pairs[attempt + 1] == "queueItem.transactionStarted")
                    let isLast = attempt + 3 == pairs.count
                    #expect(isLast || ["queueItem.transactionFailed", "queueItem.transactionAbandoned"].contains(pairs[attempt + 2]))
                }
            }
        }
    }

    @Test(arguments: [
        // (outcomes, retry_abandoned, expected attempts per item)
        ("{ failed_application: 1 }", true, 3),
        ("{ failed_business: 1 }", true, 1),
        ("{ abandoned: 1 }", true, 3),
        ("{ abandoned: 1 }", false, 1),
        ("{ completed: 1 }", true, 1),
    ])
    func retryChains(outcomes: String, retryAbandoned: Bool, attempts: Int) throws {
        let storm = try scenario("""
            name: retries
            fleet:
              queues: [{ name: Q, max_retries: 2, retry_abandoned: \(retryAbandoned) }]
            flows:
              - { name: i, kind: queueItem, queue: Q, wait: 1s, work: 2s, outcomes: \(outcomes) }
            load:
              - { duration: 10s, rate: 10/s }
            """)
        var chains: [String: [[String: Any]]] = [:]
        for event in run(storm) where event.type == "queueItem.added" {
            let item = try #require(entityObject(try object(event)))
            chains[try #require(item["Key"] as? String), default: []].append(item)
        }
        #expect(chains.count > 20)
        for (key, added) in chains {
            #expect(added.count == attempts, "\(key)")
            #expect(added.map { $0["RetryNumber"] as? Int } == (0..<attempts).map { $0 })
            let ids = added.compactMap { $0["Id"] as? Int }
            #expect(Set(ids).count == attempts, "each retry has a new Id")
            #expect(added.dropFirst().map { $0["AncestorId"] as? Int } == ids.dropLast().map { $0 })
            #expect(added.map { $0["Status"] as? String } == Array(repeating: "New", count: attempts))
        }
    }

    @Test func arrivalRatesFollowTheLoadCurve() throws {
        // A 0 -> 200/s ramp over 60 s (6000 arrivals: 1500 in the first half, 4500 in the second), then 60 s at 100/s.
        let storm = try scenario("""
            name: rates
            fleet:
              processes: [{ name: P }]
            event_lag: 0s
            flows:
              - { name: j, kind: job, process: P, pending: 0s, run: 0s }
            load:
              - { duration: 60s, rate: 200/s }
              - { duration: 1ms, rate: 100/s }
              - { duration: 60s, rate: 100/s }
            """)
        var simulator = StormSimulator(scenario: storm, options: StormOptions(start: start, seed: 99))
        var perWindow = [Int](repeating: 0, count: 4)
        while let event = simulator.next() {
            guard event.startsArrival else { continue }
            perWindow[Int((event.time.microsecondsSinceEpoch - start.microsecondsSinceEpoch) / 30_000_000)] += 1
        }
        for (index, expected) in [1500.0, 4500.0, 3000.0, 3000.0].enumerated() {
            // Poisson counts: within 4 standard deviations.
            #expect(abs(Double(perWindow[index]) - expected) < 4 * expected.squareRoot(), "window \(index): \(perWindow[index])")
        }
        #expect(simulator.arrivals == perWindow.reduce(0, +))
    }

    @Test func loadScaleMultipliesArrivalsAndDurationCaps() throws {
        let storm = try scenario(mixed)
        let normal = run(storm, duration: .seconds(20)).filter(\.startsArrival).count
        let doubled = run(storm, loadScale: 2, duration: .seconds(20))
        let ratio = Double(doubled.filter(\.startsArrival).count) / Double(normal)
        #expect(abs(ratio - 2) < 0.1, "ratio \(ratio)")
        let end = start.microsecondsSinceEpoch + 20_000_000
        #expect(doubled.allSatisfy { $0.time.microsecondsSinceEpoch < end })
        #expect(try #require(doubled.last).time.microsecondsSinceEpoch > end - 100_000)
    }

    @Test func backgroundStreamsRunAtTheirRates() throws {
        let storm = try scenario("""
            name: background
            fleet:
              processes: [{ name: P }]
            load:
              - { duration: 100s, rate: 0/s }
            background:
              - { type: robot.status, rate: 20/s }
              - { type: process.updated, rate: 30/m }
            """)
        let events = run(storm)
        let status = events.filter { $0.type == "robot.status" }.count
        let updates = events.filter { $0.type == "process.updated" }.count
        #expect(abs(Double(status) - 2000) < 4 * 2000.0.squareRoot(), "\(status)")
        #expect(abs(Double(updates) - 50) < 4 * 50.0.squareRoot(), "\(updates)")
        #expect(events.allSatisfy { $0.entity == nil && !$0.startsArrival })
    }

    @Test(arguments: [(nil as Double?, 1.0), (30, 2.0)])
    func timeScaleDividesLifecycleDurations(override: Double?, seconds: Double) throws {
        // 60 s pending and 120 s run at time_scale 60: 1 s and 2 s of storm time.
        let storm = try scenario("""
            name: scale
            time_scale: 60
            event_lag: 0s
            fleet:
              processes: [{ name: P }]
            flows:
              - { name: j, kind: job, process: P, pending: 60s, run: 120s }
            load:
              - { duration: 1s, rate: 10/s }
            """)
        var createdAt: [EntityKey: Int64] = [:]
        var startedAt: [EntityKey: Int64] = [:]
        for event in run(storm, timeScale: override) {
            let entity = try #require(event.entity)
            let micros = event.time.microsecondsSinceEpoch
            switch event.type {
            case "job.created": createdAt[entity] = micros
            case "job.started": startedAt[entity] = micros
            default:
                let started = try #require(startedAt[entity])
                #expect(started - createdAt[entity]! == Int64(seconds * 1_000_000))
                #expect(micros - started == Int64(2 * seconds * 1_000_000))
            }
        }
        #expect(!startedAt.isEmpty)
    }

    @Test func queueLinkedToFoldersFansOut() throws {
        let storm = try scenario("""
            name: fanout
            tenant: { folder_id: 2 }
            fleet:
              processes: [{ name: P }]
              queues: [{ name: Q, folder_ids: [3, 5, 8] }]
            flows:
              - { name: i, kind: queueItem, queue: Q, wait: 1s, work: 1s }
              - { name: j, kind: job, process: P, pending: 1s, run: 1s }
            load:
              - { duration: 10s, rate: 20/s }
            """)
        let events = run(storm)
        var folders: [String: [Int]] = [:]
        var eventIds = Set<String>()
        for event in events {
            let body = try object(event)
            eventIds.insert(try #require(body["EventId"] as? String))
            let key = "\(event.entity!.key) \(event.type)"
            folders[key, default: []].append(try #require(body["OrganizationUnitId"] as? Int))
        }
        #expect(eventIds.count == events.count)
        let itemEvents = folders.filter { $0.key.contains("queueItem.") }
        let jobEvents = folders.filter { $0.key.contains("job.") }
        #expect(!itemEvents.isEmpty && !jobEvents.isEmpty)
        #expect(itemEvents.values.allSatisfy { $0 == [3, 5, 8] })
        #expect(jobEvents.values.allSatisfy { $0 == [2] })
        let arrivals = events.filter(\.startsArrival)
        #expect(arrivals.count == itemEvents.count / 3 + jobEvents.count / 3)
    }

    @Test(arguments: [("numeric", "^[1-9][0-9]{8}$"), ("guid", "^[0-9a-f]{32}$")])
    func eventIdStyles(style: String, pattern: String) throws {
        let storm = try scenario("""
            name: ids
            event_id_style: \(style)
            fleet:
              processes: [{ name: P }]
            flows:
              - { name: j, kind: job, process: P }
            load:
              - { duration: 5s, rate: 10/s }
            """)
        let ids = try run(storm).map { try #require(try object($0)["EventId"] as? String) }
        #expect(!ids.isEmpty)
        #expect(ids.allSatisfy { $0.range(of: pattern, options: .regularExpression) != nil })
        #expect(Set(ids).count == ids.count)
    }
}
