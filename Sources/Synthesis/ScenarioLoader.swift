import EventModel
import Foundation
import Primitives
import Yams

extension Scenario {
    /// `time_scale` (and `--time-scale`): a factor between a millionth and a
    /// million; beyond, drawn durations over- or underflow microsecond clocks.
    public static let timeScaleRange: ClosedRange<Double> = 1e-6...1e6

    /// Reads and validates the scenario at `path`; `path` as given names the file in errors.
    public static func load(path: String) throws(ScenarioError) -> Scenario {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw ScenarioError(.unreadableFile, file: path, line: nil, key: "", reason: "cannot read the file")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ScenarioError(.unreadableFile, file: path, line: nil, key: "", reason: "not UTF-8 text")
        }
        return try Scenario(yaml: text, file: path)
    }

    /// Parses and validates scenario YAML; `file` names it in errors.
    public init(yaml: String, file: String) throws(ScenarioError) {
        let root: Node?
        do {
            root = try Yams.compose(yaml: yaml)
        } catch let error as YamlError {
            throw Self.syntaxError(error, file: file)
        } catch {
            throw ScenarioError(.malformedYAML, file: file, line: nil, key: "", reason: "\(error)")
        }
        guard let root else {
            throw ScenarioError(.malformedYAML, file: file, line: nil, key: "", reason: "the file is empty, expected a scenario mapping")
        }
        self = try ScenarioParser(file: file).scenario(YAMLValue(node: root, path: "", file: file))
    }

    private static func syntaxError(_ error: YamlError, file: String) -> ScenarioError {
        switch error {
        case .scanner(_, let problem, let mark, _), .parser(_, let problem, let mark, _), .composer(_, let problem, let mark, _):
            return ScenarioError(.malformedYAML, file: file, line: mark.line, key: "", reason: "not valid YAML: \(problem)")
        case .duplicatedKeysInMapping(let duplicates, let context):
            return ScenarioError(.malformedYAML, file: file, line: context.mark.line, key: duplicates.sorted().joined(separator: ", "),
                                 reason: "key appears more than once")
        default:
            return ScenarioError(.malformedYAML, file: file, line: nil, key: "", reason: "not valid YAML: \(error)")
        }
    }
}

/// Turns the YAML tree into a Scenario, checking every key on the way.
private struct ScenarioParser {
    let file: String

    /// Outcome probabilities must sum to 1 within this.
    static let probabilityTolerance = 1e-6

    func scenario(_ document: YAMLValue) throws(ScenarioError) -> Scenario {
        let top = try document.mapping(allowed: ["name", "description", "seed", "tenant", "time_scale", "event_id_style",
                                                 "event_lag", "fleet", "flows", "load", "background"])
        let name = try top.required("name").name()
        let tenant = try top["tenant"].map { v throws(ScenarioError) in try self.tenant(v) } ?? Scenario.Tenant()
        let fleet = try top["fleet"].map { v throws(ScenarioError) in try self.fleet(v, tenant: tenant) } ?? Scenario.Fleet()
        let load = try self.load(try top.required("load"))
        var flows: [Scenario.Flow] = []
        if let value = top["flows"] {
            for element in try value.sequence() {
                let flow = try self.flow(element, fleet: fleet)
                guard !flows.contains(where: { $0.name == flow.name }) else {
                    throw element.error(.invalidValue, "a flow named '\(flow.name)' appears more than once")
                }
                flows.append(flow)
            }
        }
        if flows.isEmpty, let busy = load.firstIndex(where: { $0.rate > 0 }) {
            throw ScenarioError(.invalidValue, file: file, line: (try? top.required("load").sequence()[busy].line) ?? nil,
                                key: "load[\(busy)].rate", reason: "arrivals need at least one entry in flows")
        }
        var background: [Scenario.BackgroundStream] = []
        if let value = top["background"] {
            for element in try value.sequence() {
                background.append(try self.background(element, fleet: fleet))
            }
        }
        return Scenario(
            name: name,
            description: try top["description"]?.string(),
            seed: try top["seed"].map { v throws(ScenarioError) in try self.seed(v) } ?? Scenario.defaultSeed,
            tenant: tenant,
            timeScale: try top["time_scale"].map { v throws(ScenarioError) in try timeScale(v) } ?? 1,
            eventIdStyle: try top["event_id_style"].map { v throws(ScenarioError) in try eventIDStyle(v) } ?? .numeric,
            eventLag: try top["event_lag"].map { v throws(ScenarioError) in try distribution(v) } ?? Scenario.defaultEventLag,
            fleet: fleet, flows: flows, load: load, background: background, file: file)
    }

    private func seed(_ value: YAMLValue) throws(ScenarioError) -> UInt64 {
        guard let seed = UInt64(try value.string()) else {
            throw value.error(.wrongType, "expected an integer from 0 to \(UInt64.max), found \(value.shape)")
        }
        return seed
    }

    private func eventIDStyle(_ value: YAMLValue) throws(ScenarioError) -> EventIdStyle {
        let text = try value.string()
        guard let style = EventIdStyle(rawValue: text) else {
            let names = EventIdStyle.allCases.map(\.rawValue).joined(separator: ", ")
            throw value.error(.invalidValue, "unknown style '\(text)' (expected one of: \(names))")
        }
        return style
    }

    private func tenant(_ value: YAMLValue) throws(ScenarioError) -> Scenario.Tenant {
        let keys = try value.mapping(allowed: ["id", "folder_id", "user_id"])
        var tenant = Scenario.Tenant()
        if let id = keys["id"] { tenant.id = try positiveInteger(id) }
        if let folder = keys["folder_id"] { tenant.folderId = try positiveInteger(folder) }
        if let user = keys["user_id"] { tenant.userId = try positiveInteger(user) }
        return tenant
    }

    private func fleet(_ value: YAMLValue, tenant: Scenario.Tenant) throws(ScenarioError) -> Scenario.Fleet {
        let keys = try value.mapping(allowed: ["robots", "processes", "queues"])
        var fleet = Scenario.Fleet()
        if let robots = keys["robots"] {
            let robotKeys = try robots.mapping(allowed: ["count", "prefix"])
            if let count = robotKeys["count"] { fleet.robots.count = try positiveInteger(count, atMost: Self.maximumRobots) }
            if let prefix = robotKeys["prefix"] { fleet.robots.prefix = try prefix.name() }
        }
        for element in try keys["processes"]?.sequence() ?? [] {
            let name = try element.mapping(allowed: ["name"]).required("name").name()
            guard !fleet.processes.contains(where: { $0.name == name }) else {
                throw element.error(.invalidValue, "a process named '\(name)' appears more than once")
            }
            fleet.processes.append(Scenario.Process(name: name))
        }
        for element in try keys["queues"]?.sequence() ?? [] {
            let queue = try self.queue(element, tenant: tenant)
            guard !fleet.queues.contains(where: { $0.name == queue.name }) else {
                throw element.error(.invalidValue, "a queue named '\(queue.name)' appears more than once")
            }
            fleet.queues.append(queue)
        }
        return fleet
    }

    private func queue(_ value: YAMLValue, tenant: Scenario.Tenant) throws(ScenarioError) -> Scenario.Queue {
        let keys = try value.mapping(allowed: ["name", "max_retries", "retry_abandoned", "folders", "folder_ids"])
        var queue = Scenario.Queue(name: try keys.required("name").name(), folderIds: [tenant.folderId])
        if let retries = keys["max_retries"] { queue.maxRetries = try nonNegativeInteger(retries) }
        if let retry = keys["retry_abandoned"] { queue.retryAbandoned = try retry.bool() }
        switch (keys["folders"], keys["folder_ids"]) {
        case (.some, .some(let ids)):
            throw ids.error(.invalidValue, "give either folders or folder_ids, not both")
        case (.some(let count), nil):
            // N folders: the tenant's folder and the N − 1 ids after it.
            let n = try positiveInteger(count, atMost: Self.maximumFolders)
            queue.folderIds = Array(tenant.folderId..<(tenant.folderId + n))
        case (nil, .some(let list)):
            var ids: [Int] = []
            for element in try list.sequence() {
                let id = try positiveInteger(element)
                guard !ids.contains(id) else { throw element.error(.invalidValue, "folder id \(id) appears more than once") }
                ids.append(id)
            }
            guard !ids.isEmpty else { throw list.error(.invalidValue, "needs at least one folder id") }
            queue.folderIds = ids
        case (nil, nil):
            break
        }
        return queue
    }

    private func flow(_ value: YAMLValue, fleet: Scenario.Fleet) throws(ScenarioError) -> Scenario.Flow {
        // The kind decides which keys are allowed, so read it before checking the rest.
        let common = ["name", "kind", "weight", "outcomes"]
        let kind = try value.mapping(allowed: common + ["process", "pending", "run", "queue", "wait", "work"]).required("kind")
        switch try kind.string() {
        case "job":
            let keys = try value.mapping(allowed: common + ["process", "pending", "run"], what: "a job flow")
            let processValue = try keys.required("process")
            let processName = try processValue.name()
            guard let process = fleet.processes.firstIndex(where: { $0.name == processName }) else {
                throw processValue.error(.unknownReference, "no process named '\(processName)' in fleet.processes")
            }
            var job = Scenario.JobFlow(process: process)
            if let pending = keys["pending"] { job.pending = try distribution(pending) }
            if let run = keys["run"] { job.run = try distribution(run) }
            if let outcomes = keys["outcomes"] {
                let p = try probabilities(outcomes, names: ["completed", "faulted", "stopped"])
                job.outcomes = Scenario.JobOutcomes(completed: p[0], faulted: p[1], stopped: p[2])
            }
            return Scenario.Flow(name: try keys.required("name").name(), weight: try weight(keys), kind: .job(job))
        case "queueItem":
            let keys = try value.mapping(allowed: common + ["queue", "wait", "work"], what: "a queueItem flow")
            let queueValue = try keys.required("queue")
            let queueName = try queueValue.name()
            guard let queue = fleet.queues.firstIndex(where: { $0.name == queueName }) else {
                throw queueValue.error(.unknownReference, "no queue named '\(queueName)' in fleet.queues")
            }
            var item = Scenario.QueueItemFlow(queue: queue)
            if let wait = keys["wait"] { item.wait = try distribution(wait) }
            if let work = keys["work"] { item.work = try distribution(work) }
            if let outcomes = keys["outcomes"] {
                let p = try probabilities(outcomes, names: ["completed", "failed_business", "failed_application", "abandoned"])
                item.outcomes = Scenario.QueueItemOutcomes(completed: p[0], failedBusiness: p[1], failedApplication: p[2], abandoned: p[3])
            }
            return Scenario.Flow(name: try keys.required("name").name(), weight: try weight(keys), kind: .queueItem(item))
        case let other:
            throw kind.error(.invalidValue, "unknown kind '\(other)' (expected one of: job, queueItem)")
        }
    }

    private func weight(_ keys: YAMLMapping) throws(ScenarioError) -> Double {
        guard let value = keys["weight"] else { return 1 }
        let weight = try value.number()
        guard weight > 0 else { throw value.error(.invalidValue, "weight must be more than 0, found \(value.shape)") }
        return weight
    }

    /// The probabilities of `names` in order (absent ones are 0), checked to be non-negative and to sum to 1.
    private func probabilities(_ value: YAMLValue, names: [String]) throws(ScenarioError) -> [Double] {
        let keys = try value.mapping(allowed: names)
        var result: [Double] = []
        for name in names {
            guard let entry = keys[name] else {
                result.append(0)
                continue
            }
            let p = try entry.number()
            guard p >= 0 else { throw entry.error(.invalidValue, "probability \(entry.shape) is negative") }
            result.append(p)
        }
        let sum = result.reduce(0, +)
        guard abs(sum - 1) <= Self.probabilityTolerance else {
            throw value.error(.invalidValue, "probabilities sum to \(formatted(sum)), expected 1")
        }
        return result
    }

    /// A `{dist: …}` mapping, or a bare duration meaning `{dist: constant, value: …}`.
    private func distribution(_ value: YAMLValue) throws(ScenarioError) -> Distribution {
        if case .scalar = value.node { return .constant(try value.duration()) }
        let allParameters = ["dist", "value", "min", "max", "mean", "stddev", "median", "sigma"]
        let kind = try value.mapping(allowed: allParameters).required("dist")
        let name = try kind.string()
        let parameters: [String]
        switch name {
        case "constant": parameters = ["value"]
        case "uniform": parameters = ["min", "max"]
        case "exponential": parameters = ["mean"]
        case "normal": parameters = ["mean", "stddev"]
        case "lognormal": parameters = ["median", "sigma"]
        default:
            throw kind.error(.invalidValue, "unknown distribution '\(name)' (expected one of: \(Distribution.names.joined(separator: ", ")))")
        }
        let article = name.first.map { "aeiou".contains($0) } == true ? "an" : "a"
        let keys = try value.mapping(allowed: ["dist"] + parameters, what: "\(article) \(name) distribution")
        switch name {
        case "constant":
            return .constant(try keys.required("value").duration())
        case "uniform":
            let (low, highValue) = (try keys.required("min").duration(), try keys.required("max"))
            let high = try highValue.duration()
            guard high >= low else { throw highValue.error(.invalidValue, "max is less than min") }
            return .uniform(min: low, max: high)
        case "exponential":
            return .exponential(mean: try keys.required("mean").positiveDuration())
        case "normal":
            return .normal(mean: try keys.required("mean").duration(), stddev: try keys.required("stddev").duration())
        default:
            let sigma = try keys.required("sigma")
            let spread = try sigma.number()
            // Beyond 10 a draw overflows any clock (e^(10·4σ) for a 4σ draw).
            guard (0...10).contains(spread) else {
                throw sigma.error(.invalidValue, "sigma must be from 0 to 10, found \(sigma.shape)")
            }
            return .lognormal(median: try keys.required("median").positiveDuration(), sigma: spread)
        }
    }

    private func load(_ value: YAMLValue) throws(ScenarioError) -> [Scenario.LoadStage] {
        var stages: [Scenario.LoadStage] = []
        for element in try value.sequence() {
            let keys = try element.mapping(allowed: ["duration", "rate"])
            stages.append(Scenario.LoadStage(duration: try keys.required("duration").positiveDuration(),
                                             rate: try keys.required("rate").rate()))
        }
        guard !stages.isEmpty else { throw value.error(.invalidValue, "needs at least one stage") }
        return stages
    }

    private func background(_ value: YAMLValue, fleet: Scenario.Fleet) throws(ScenarioError) -> Scenario.BackgroundStream {
        let keys = try value.mapping(allowed: ["type", "rate"])
        let typeValue = try keys.required("type")
        let type = EventType(rawValue: try typeValue.string())
        // Orchestrator sends `ping` only when asked (the Ping call), never on its own.
        guard let group = EventCatalog.group(of: type), EventCatalog.subscribable.contains(where: { $0.type == type }) else {
            let known = EventCatalog.subscribable.map(\.type.rawValue).joined(separator: ", ")
            throw typeValue.error(.unknownReference, "unknown event type '\(type)' (expected one of: \(known))")
        }
        // Background events are about fleet entities, so the fleet must have one of the kind.
        if [.process, .schedule, .job].contains(group), fleet.processes.isEmpty {
            throw typeValue.error(.unknownReference, "\(type) events need at least one entry in fleet.processes")
        }
        if [.queue, .queueItem].contains(group), fleet.queues.isEmpty {
            throw typeValue.error(.unknownReference, "\(type) events need at least one entry in fleet.queues")
        }
        let rateValue = try keys.required("rate")
        let rate = try rateValue.rate()
        guard rate > 0 else { throw rateValue.error(.invalidValue, "rate must be more than 0") }
        return Scenario.BackgroundStream(type: type, rate: rate)
    }

    private func positiveInteger(_ value: YAMLValue, atMost limit: Int = .max) throws(ScenarioError) -> Int {
        let number = try value.integer()
        guard number > 0 else { throw value.error(.invalidValue, "must be at least 1, found \(value.shape)") }
        guard number <= limit else { throw value.error(.invalidValue, "must be at most \(limit), found \(value.shape)") }
        return number
    }

    /// Fleets beyond these are typos that would take minutes and gigabytes
    /// to build (every robot and folder is materialized).
    static let maximumRobots = 100_000
    static let maximumFolders = 1000

    private func timeScale(_ value: YAMLValue) throws(ScenarioError) -> Double {
        let number = try value.number()
        guard Scenario.timeScaleRange.contains(number) else {
            throw value.error(.invalidValue, "must be from 0.000001 to 1000000, found \(value.shape)")
        }
        return number
    }

    private func nonNegativeInteger(_ value: YAMLValue) throws(ScenarioError) -> Int {
        let number = try value.integer()
        guard number >= 0 else { throw value.error(.invalidValue, "must not be negative, found \(value.shape)") }
        return number
    }

    /// Up to 6 decimals, without trailing zeros: 0.95, 1.000001.
    private func formatted(_ value: Double) -> String {
        var text = String(format: "%.6f", value)
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
