import ArgumentParser
import EventModel
import Foundation
import Reporting
import Primitives

/// `--shard`, `--start-at`, `--start-at-late`: one of N processes sending parts
/// of one run (docs/replay.md, "Sharding"; docs/kubernetes.md).
struct ScaleOutOptions: ParsableArguments {
    /// The variable a Kubernetes Indexed Job sets to each pod's index.
    static let completionIndexVariable = "JOB_COMPLETION_INDEX"

    @Option(help: ArgumentHelp(
        "Send only shard I of N (I from 0 to N-1): the events of the jobs and queue items that hash to it. "
            + "`auto/N` reads I from $\(completionIndexVariable), as a Kubernetes Indexed Job sets it. "
            + "Rates and stages are the whole run's; each shard sends its part of that schedule.",
        valueName: "i/n"))
    var shard: String?

    @Option(help: ArgumentHelp(
        "Start the run's clock at this instant, RFC 3339 (2026-12-07T10:00:00Z) or relative to now (+30s), "
            + "so shards launched apart begin together.",
        valueName: "time"))
    var startAt: String?

    @Option(help: ArgumentHelp(
        "`ok`: accept a --start-at already past (the clock still starts at it; late events go out at once).",
        valueName: "ok"))
    var startAtLate: LateStartPolicy?

    enum LateStartPolicy: String, ExpressibleByArgument {
        case ok
    }

    func validate() throws {
        _ = try resolvedShard()
        _ = try resolvedStart()
        if startAtLate != nil, startAt == nil { throw ValidationError("--start-at-late applies to --start-at") }
    }

    var isGiven: Bool { shard != nil || startAt != nil }

    /// The shard to send, reading `$JOB_COMPLETION_INDEX` for `auto/N`.
    func resolvedShard(environment: [String: String] = ProcessInfo.processInfo.environment) throws -> Shard? {
        guard let shard else { return nil }
        let parts = shard.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let count = Int(parts[1]) else {
            throw ValidationError("--shard \(shard): expected I/N (e.g. 0/4) or auto/N")
        }
        let indexText: String
        if parts[0] == "auto" {
            guard let value = environment[Self.completionIndexVariable] else {
                throw ValidationError("--shard \(shard): $\(Self.completionIndexVariable) is not set (auto reads the index from it)")
            }
            indexText = value
        } else {
            indexText = String(parts[0])
        }
        guard let index = Int(indexText) else {
            throw ValidationError("--shard \(shard): the index '\(indexText)' is not a whole number")
        }
        do {
            return try Shard(index: index, count: count)
        } catch {
            throw ValidationError("--shard \(shard): \(error)")
        }
    }

    /// The instant the run's clock starts; a past one is refused without `--start-at-late ok`.
    func resolvedStart(now: Timestamp = .now()) throws -> Timestamp? {
        guard let startAt else { return nil }
        let instant: Timestamp
        if startAt.hasPrefix("+") {
            guard let offset = DurationArgument(argument: String(startAt.dropFirst())) else {
                throw ValidationError("--start-at \(startAt): expected an RFC 3339 time or +DURATION (e.g. +30s)")
            }
            instant = Timestamp(microsecondsSinceEpoch: now.microsecondsSinceEpoch + offset.duration.wholeMicroseconds)
        } else {
            guard let time = Timestamp(rfc3339: startAt) else {
                throw ValidationError("--start-at \(startAt): expected an RFC 3339 time (e.g. 2026-12-07T10:00:00Z) or +DURATION")
            }
            instant = time
        }
        let distance = abs(instant.microsecondsSinceEpoch - now.microsecondsSinceEpoch)
        // No farther, either way, than results `report merge` still merges.
        guard Duration.microseconds(distance) <= RunResult.maximumMergeSpread else {
            throw ValidationError("--start-at \(startAt): more than 7 days from now (it is now \(now))")
        }
        if instant < now, startAtLate == nil {
            throw ValidationError("--start-at \(startAt): that time has passed (it is now \(now)); add --start-at-late ok to start at once anyway")
        }
        return instant
    }
}
