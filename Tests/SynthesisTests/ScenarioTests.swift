import EventModel
import Foundation
import Testing
@testable import Synthesis

/// A valid scenario that the broken snippets below start from.
private let valid = """
    name: t
    fleet:
      processes: [{ name: P }]
      queues: [{ name: Q, max_retries: 1 }]
    flows:
      - { name: j, kind: job, process: P }
    load:
      - { duration: 10s, rate: 5/s }
    """

/// `valid` with line `line` (1-based) replaced by `text`.
private func replacing(line: Int, with text: String) -> String {
    var lines = valid.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
    lines[line - 1] = text
    return lines.joined(separator: "\n")
}

private func error(of yaml: String) -> ScenarioError? {
    do {
        _ = try Scenario(yaml: yaml, file: "t.yaml")
        return nil
    } catch {
        return error
    }
}

@Suite struct ScenarioTests {
    @Test func validBaseParses() throws {
        let scenario = try Scenario(yaml: valid, file: "t.yaml")
        #expect(scenario.name == "t")
        #expect(scenario.flows.map(\.name) == ["j"])
    }

    static let brokenFiles: [(yaml: String, code: ScenarioError.Code, message: String)] = [
        ("fleet: {}\nload: [{ duration: 1s, rate: 0/s }]", .missingKey,
         "t.yaml:1: name: required key is missing"),
        (replacing(line: 1, with: "name: t\nspeed: 3"), .unknownKey,
         "t.yaml:2: speed: unknown key (expected one of: name, description, seed, tenant, time_scale, event_id_style, event_lag, fleet, flows, load, background)"),
        (replacing(line: 1, with: "name: t\ntenant: { id: 1, folder: 7 }"), .unknownKey,
         "t.yaml:2: tenant.folder: unknown key (expected one of: id, folder_id, user_id)"),
        (replacing(line: 4, with: "  queues: [{ name: Q, retries: 1 }]"), .unknownKey,
         "t.yaml:4: fleet.queues[0].retries: unknown key (expected one of: name, max_retries, retry_abandoned, folders, folder_ids)"),
        (replacing(line: 6, with: "  - { name: j, kind: job, process: P, queue: Q }"), .unknownKey,
         "t.yaml:6: flows[0].queue: unknown key for a job flow (expected one of: name, kind, weight, outcomes, process, pending, run)"),
        (replacing(line: 6, with: "  - { name: j, kind: job, process: P, outcomes: { completed: 0.5, failed: 0.5 } }"), .unknownKey,
         "t.yaml:6: flows[0].outcomes.failed: unknown key (expected one of: completed, faulted, stopped)"),
        (replacing(line: 6, with: "  - { name: j, kind: job, process: P, pending: { dist: exponential, mean: 5s, stddev: 1s } }"), .unknownKey,
         "t.yaml:6: flows[0].pending.stddev: unknown key for an exponential distribution (expected one of: dist, mean)"),
        (replacing(line: 6, with: "  - { kind: job, process: P }"), .missingKey,
         "t.yaml:6: flows[0].name: required key is missing"),
        (replacing(line: 6, with: "  - { name: j, kind: job, process: P, run: { dist: lognormal, median: 90s } }"), .missingKey,
         "t.yaml:6: flows[0].run.sigma: required key is missing"),
        (replacing(line: 6, with: "  - { name: j, kind: job, process: P, weight: heavy }"), .wrongType,
         "t.yaml:6: flows[0].weight: expected a number, found 'heavy'"),
        (replacing(line: 6, with: "  name: j"), .wrongType,
         "t.yaml:5: flows: expected a list, found a mapping"),
        (replacing(line: 6, with: "  - name: j\n    kind: job\n    process: P\n    run:\n      dist: lognormal\n      median: 9s"),
         .missingKey, "t.yaml:9: flows[0].run.sigma: required key is missing"),
        (replacing(line: 1, with: "name:"), .wrongType,
         "t.yaml:1: name: expected text, found nothing"),
        (replacing(line: 4, with: "  queues: [{ name: Q, max_retries: two }]"), .wrongType,
         "t.yaml:4: fleet.queues[0].max_retries: expected an integer, found 'two'"),
        (replacing(line: 8, with: "  - { duration: 10, rate: 5/s }"), .wrongType,
         "t.yaml:8: load[0].duration: expected a duration like 500ms, 5s, 1.5m or 2h, found '10'"),
        (replacing(line: 8, with: "  - { duration: 10s, rate: 5/sec }"), .wrongType,
         "t.yaml:8: load[0].rate: expected a rate like 5/s, 30/m or 1/h, found '5/sec'"),
        (replacing(line: 6, with: "  - { name: j, kind: job, process: P, weight: 0 }"), .invalidValue,
         "t.yaml:6: flows[0].weight: weight must be more than 0, found '0'"),
        (replacing(line: 6, with: "  - { name: j, kind: job, process: P, weight: -2 }"), .invalidValue,
         "t.yaml:6: flows[0].weight: weight must be more than 0, found '-2'"),
        (replacing(line: 6, with: "  - name: j\n    kind: job\n    process: P\n    outcomes: { completed: 0.9, faulted: 0.05 }"), .invalidValue,
         "t.yaml:9: flows[0].outcomes: probabilities sum to 0.95, expected 1"),
        (replacing(line: 6, with: "  - { name: j, kind: job, process: P, outcomes: { completed: 1.1, faulted: -0.1 } }"), .invalidValue,
         "t.yaml:6: flows[0].outcomes.faulted: probability '-0.1' is negative"),
        (replacing(line: 6, with: "  - { name: j, kind: job, process: P, pending: -5s }"), .invalidValue,
         "t.yaml:6: flows[0].pending: duration -5s is negative"),
        (replacing(line: 6, with: "  - { name: j, kind: job, process: P, pending: { dist: exponential, mean: 0s } }"), .invalidValue,
         "t.yaml:6: flows[0].pending.mean: must be more than 0, found '0s'"),
        (replacing(line: 6, with: "  - { name: j, kind: job, process: P, run: { dist: uniform, min: 5s, max: 1s } }"), .invalidValue,
         "t.yaml:6: flows[0].run.max: max is less than min"),
        (replacing(line: 6, with: "  - { name: j, kind: job, process: P, run: { dist: gamma, mean: 5s } }"), .invalidValue,
         "t.yaml:6: flows[0].run.dist: unknown distribution 'gamma' (expected one of: constant, uniform, exponential, normal, lognormal)"),
        (replacing(line: 6, with: "  - { name: j, kind: robot, process: P }"), .invalidValue,
         "t.yaml:6: flows[0].kind: unknown kind 'robot' (expected one of: job, queueItem)"),
        (replacing(line: 6, with: "  - { name: j, kind: job, process: P, run: { dist: lognormal, median: 1s, sigma: 400 } }"), .invalidValue,
         "t.yaml:6: flows[0].run.sigma: sigma must be from 0 to 10, found '400'"),
        (replacing(line: 8, with: "  - { duration: 99999999999h, rate: 5/s }"), .invalidValue,
         "t.yaml:8: load[0].duration: duration 99999999999h is longer than a year"),
        (replacing(line: 4, with: "  queues: [{ name: Q, folders: 100000000 }]"), .invalidValue,
         "t.yaml:4: fleet.queues[0].folders: must be at most 1000, found '100000000'"),
        (replacing(line: 8, with: "  - { duration: 0s, rate: 5/s }"), .invalidValue,
         "t.yaml:8: load[0].duration: must be more than 0, found '0s'"),
        (replacing(line: 8, with: "  - { duration: 10s, rate: -5/s }"), .invalidValue,
         "t.yaml:8: load[0].rate: rate -5/s is negative"),
        (replacing(line: 7, with: "load: []").replacingOccurrences(of: "  - { duration: 10s, rate: 5/s }", with: ""), .invalidValue,
         "t.yaml:7: load: needs at least one stage"),
        (replacing(line: 5, with: "flows: []").replacingOccurrences(of: "  - { name: j, kind: job, process: P }\n", with: ""), .invalidValue,
         "t.yaml:7: load[0].rate: arrivals need at least one entry in flows"),
        (replacing(line: 1, with: "name: t\ntime_scale: 0"), .invalidValue,
         "t.yaml:2: time_scale: must be from 0.000001 to 1000000, found '0'"),
        (replacing(line: 1, with: "name: t\nevent_id_style: uuid"), .invalidValue,
         "t.yaml:2: event_id_style: unknown style 'uuid' (expected one of: numeric, guid)"),
        (replacing(line: 4, with: "  queues: [{ name: Q, folders: 2, folder_ids: [3, 4] }]"), .invalidValue,
         "t.yaml:4: fleet.queues[0].folder_ids: give either folders or folder_ids, not both"),
        (replacing(line: 4, with: "  queues: [{ name: Q, folder_ids: [3, 3] }]"), .invalidValue,
         "t.yaml:4: fleet.queues[0].folder_ids[1]: folder id 3 appears more than once"),
        (replacing(line: 3, with: "  processes: [{ name: P }, { name: P }]"), .invalidValue,
         "t.yaml:3: fleet.processes[1]: a process named 'P' appears more than once"),
        (replacing(line: 6, with: "  - { name: j, kind: job, process: Nope }"), .unknownReference,
         "t.yaml:6: flows[0].process: no process named 'Nope' in fleet.processes"),
        (replacing(line: 6, with: "  - { name: i, kind: queueItem, queue: Nope }"), .unknownReference,
         "t.yaml:6: flows[0].queue: no queue named 'Nope' in fleet.queues"),
        (valid + "\nbackground:\n  - { type: robot.exploded, rate: 1/s }", .unknownReference,
         "t.yaml:10: background[0].type: unknown event type 'robot.exploded' (expected one of: "
            + EventCatalog.subscribable.map(\.type.rawValue).joined(separator: ", ") + ")"),
        (valid + "\nbackground:\n  - { type: ping, rate: 1/s }", .unknownReference,
         "t.yaml:10: background[0].type: unknown event type 'ping' (expected one of: "
            + EventCatalog.subscribable.map(\.type.rawValue).joined(separator: ", ") + ")"),
        (replacing(line: 4, with: "  queues: []") + "\nbackground:\n  - { type: queueItem.added, rate: 1/s }", .unknownReference,
         "t.yaml:10: background[0].type: queueItem.added events need at least one entry in fleet.queues"),
        (valid + "\nbackground:\n  - { type: robot.status, rate: 0/s }", .invalidValue,
         "t.yaml:10: background[0].rate: rate must be more than 0"),
        (replacing(line: 1, with: "name: t\nname: u"), .malformedYAML,
         "t.yaml:1: name: key appears more than once"),
    ]

    @Test(arguments: brokenFiles)
    func brokenFileIsRefusedNamingFileLineAndKey(yaml: String, code: ScenarioError.Code, message: String) throws {
        let failure = try #require(error(of: yaml), "accepted:\n\(yaml)")
        #expect(failure.description == message)
        #expect(failure.code == code)
    }

    @Test func syntaxErrorNamesTheLine() throws {
        let failure = try #require(error(of: replacing(line: 6, with: "  - { name: j, kind: job")))
        #expect(failure.code == .malformedYAML)
        #expect(failure.line == 7)
        #expect(failure.description.hasPrefix("t.yaml:7: not valid YAML: "))
    }

    /// The contract's example writes `description: Month-end close: intake…` unquoted: a
    /// second ": " in a plain scalar is not YAML, so the fixture quotes it. The error says where.
    @Test func unquotedColonInDescriptionIsAYAMLError() throws {
        let failure = try #require(error(of: replacing(line: 1, with: "name: t\ndescription: Month-end close: intake jobs")))
        #expect(failure.code == .malformedYAML)
        #expect(failure.line == 2)
    }

    @Test func unreadableFileIsNamed() {
        #expect(throws: ScenarioError(.unreadableFile, file: "/no/such.yaml", line: nil, key: "", reason: "cannot read the file")) {
            try Scenario.load(path: "/no/such.yaml")
        }
    }

    static let durations: [(String, Duration)] = [
        ("250ms", .milliseconds(250)), ("5s", .seconds(5)), ("1.5m", .seconds(90)), ("2h", .seconds(7200)),
        ("0s", .zero), ("0.5s", .milliseconds(500)), ("10_000ms", .seconds(10)),
    ]

    @Test(arguments: durations)
    func durationUnits(text: String, expected: Duration) throws {
        let scenario = try Scenario(yaml: replacing(line: 6, with: "  - { name: j, kind: job, process: P, pending: \(text) }"),
                                    file: "t.yaml")
        guard case .job(let job) = scenario.flows[0].kind else { Issue.record("not a job flow"); return }
        #expect(job.pending == .constant(expected))
    }

    static let rates: [(String, Double)] = [("5/s", 5), ("30/m", 0.5), ("1/h", 1.0 / 3600), ("0/s", 0), ("2.5/s", 2.5)]

    @Test(arguments: rates)
    func rateUnits(text: String, perSecond: Double) throws {
        let scenario = try Scenario(yaml: replacing(line: 8, with: "  - { duration: 10s, rate: \(text) }"), file: "t.yaml")
        #expect(abs(scenario.load[0].rate - perSecond) < 1e-12)
    }

    @Test func contractExampleLoads() throws {
        let url = try #require(Bundle.module.url(forResource: "contract-example", withExtension: "yaml",
                                                 subdirectory: "Fixtures/scenarios"))
        let scenario = try Scenario.load(path: url.path)
        #expect(scenario.name == "month-end-invoices")
        #expect(scenario.description == "Month-end close: intake jobs plus a deep invoice queue")
        #expect(scenario.seed == 42)
        #expect(scenario.tenant == Scenario.Tenant(id: 1, folderId: 7, userId: 12))
        #expect(scenario.timeScale == 60)
        #expect(scenario.fleet.robots == Scenario.Robots(count: 50, prefix: "bot"))
        #expect(scenario.fleet.processes.map(\.name) == ["InvoiceIntake", "PaymentPosting"])
        #expect(scenario.fleet.queues == [Scenario.Queue(name: "Invoices", maxRetries: 2, folderIds: [7])])
        #expect(scenario.flows == [
            Scenario.Flow(name: "intake-jobs", weight: 3, kind: .job(Scenario.JobFlow(
                process: 0, pending: .exponential(mean: .seconds(5)), run: .lognormal(median: .seconds(90), sigma: 0.5),
                outcomes: Scenario.JobOutcomes(completed: 0.92, faulted: 0.06, stopped: 0.02)))),
            Scenario.Flow(name: "invoice-items", weight: 7, kind: .queueItem(Scenario.QueueItemFlow(
                queue: 0, wait: .exponential(mean: .seconds(20)), work: .normal(mean: .seconds(30), stddev: .seconds(5)),
                outcomes: Scenario.QueueItemOutcomes(completed: 0.85, failedBusiness: 0.05, failedApplication: 0.05, abandoned: 0.05)))),
        ])
        #expect(scenario.load == [
            .init(duration: .seconds(60), rate: 5), .init(duration: .seconds(300), rate: 50),
            .init(duration: .seconds(120), rate: 50), .init(duration: .seconds(30), rate: 0),
        ])
        #expect(scenario.background == [.init(type: .robotStatus, rate: 2), .init(type: .processUpdated, rate: 1.0 / 60)])
        #expect(scenario.eventIdStyle == .numeric)
    }

    @Test func folderOptions() throws {
        let counted = try Scenario(yaml: replacing(line: 1, with: "name: t\ntenant: { folder_id: 7 }")
            .replacingOccurrences(of: "max_retries: 1", with: "folders: 3"), file: "t.yaml")
        #expect(counted.fleet.queues[0].folderIds == [7, 8, 9])
        let listed = try Scenario(yaml: valid.replacingOccurrences(of: "max_retries: 1", with: "folder_ids: [4, 11]"), file: "t.yaml")
        #expect(listed.fleet.queues[0].folderIds == [4, 11])
        #expect(try Scenario(yaml: valid, file: "t.yaml").fleet.queues[0].folderIds == [1])
    }

    @Test func summaryCountsArrivalsAndRetryChains() throws {
        let scenario = try Scenario(yaml: """
            name: s
            fleet:
              processes: [{ name: P }]
              queues: [{ name: Q, max_retries: 2, folders: 2 }]
            flows:
              - { name: j, kind: job, process: P, weight: 1 }
              - { name: i, kind: queueItem, queue: Q, weight: 3, outcomes: { completed: 0.5, failed_application: 0.5 } }
            load:
              - { duration: 10s, rate: 10/s }
              - { duration: 20s, rate: 10/s }
            background:
              - { type: robot.status, rate: 2/s }
            """, file: "s.yaml")
        let summary = scenario.summary()
        // Items: attempts 1 + 0.5 + 0.25 = 1.75, 3 events each, 2 folders.
        #expect(summary.flows.map(\.eventsPerArrival) == [3, 10.5])
        #expect(summary.flows.map(\.share) == [0.25, 0.75])
        #expect(summary.stages.map(\.expectedArrivals) == [50, 200])
        let perArrival = 0.25 * 3 + 0.75 * 10.5
        #expect(summary.stages.map(\.expectedEvents) == [50 * perArrival + 20, 200 * perArrival + 40])
        #expect(summary.expectedBackgroundEvents == 60)

        let capped = scenario.summary(options: StormOptions(start: Timestamp(microsecondsSinceEpoch: 0), loadScale: 2,
                                                            duration: .seconds(5)))
        // Half of the 0 -> 20/s ramp: 0 -> 10/s over 5 s.
        #expect(capped.stages.map(\.expectedArrivals) == [25, 0])
        #expect(capped.description.contains("~25 arrivals"))
    }
}
