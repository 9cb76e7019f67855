import ArgumentParser
import Replay
import Reporting

/// `--metrics-listen`, `--run-name`, `--abort-on`, `--abort-grace`: watching a
/// run while it goes, and stopping it once it has clearly failed.
struct LiveRunOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "Serve the run's live metrics as Prometheus text on http://HOST:PORT/metrics until it ends (port 0 picks one).",
        valueName: "host:port"))
    var metricsListen: ListenAddress?

    @Option(help: ArgumentHelp("The metrics' `run` label (default: the recording's or the scenario's name).", valueName: "name"))
    var runName: String?

    @Option(name: .customLong("abort-on"), help: ArgumentHelp(
        "Stop sending when this holds over the run so far, checked once a second after --abort-grace "
            + "(same grammar as --fail-on, e.g. 'errors>5%'); the result is marked aborted and the exit status is "
            + "\(Threshold.thresholdBreachedExitCode). Repeatable.",
        valueName: "expr"))
    var abortOn: [String] = []

    @Option(help: ArgumentHelp("How long the run goes before --abort-on is first checked.", valueName: "duration"))
    var abortGrace = DurationArgument(ReplayConfiguration.defaultAbortGrace)

    /// Whether any of these options was given (they apply to runs that send).
    var isGiven: Bool { metricsListen != nil || runName != nil || !abortOn.isEmpty || abortGrace.duration != ReplayConfiguration.defaultAbortGrace }

    func validate() throws {
        _ = try abortThresholds()
        if abortGrace.duration < .zero { throw ValidationError("--abort-grace \(abortGrace.text): expected a duration of 0 or more") }
    }

    /// The parsed `--abort-on` expressions.
    func abortThresholds() throws -> [Threshold] {
        do {
            return try abortOn.map { text throws(ThresholdError) in try Threshold(parsing: text) }
        } catch {
            throw ValidationError("--abort-on: \(error)")
        }
    }

    /// Sets the configuration's abort thresholds and, with `--metrics-listen`,
    /// its metrics, labelled with `--run-name` or `defaultRunName`.
    func apply(to configuration: inout ReplayConfiguration, defaultRunName: String) throws {
        configuration.abortOn = try abortThresholds()
        if let rate = configuration.abortOn.first(where: { $0.metric == .rate }), configuration.pacer.schedule(at: .zero) == nil {
            throw ValidationError("--abort-on '\(rate)': this run has no rate schedule to compare with (rate applies to --rate N/s and --stage)")
        }
        configuration.abortGrace = abortGrace.duration
        if metricsListen != nil {
            configuration.metrics = ReplayMetrics(runName: runName ?? defaultRunName, shard: configuration.shard)
        }
    }
}
