import ArgumentParser
import Foundation
import Logging
import Primitives
import Receiver
import SegmentStore

struct SinkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "sink",
        abstract: "A configurable webhook receiver for tests and demos.",
        discussion: """
        Every POST, on any path, is a delivery. Each is answered --respond (default 200), \
        or --error-status at --error-rate, after a latency drawn from --latency; with \
        --stall D --every P no answer leaves during a stall of D that starts every P \
        (the first one P after start), and answers due during it leave when it ends. \
        Answers are held by timers, never threads, so thousands may wait at once. \
        Latency and error draws are seeded (--seed, else a random seed that is logged \
        and printed), so a run with the same seed and arrival order repeats. \
        With a secret, X-UiPath-Signature is verified and the verdicts counted \
        (valid, invalid, missing); deliveries are still answered as configured unless \
        --require-signature, which answers 401. With --record, deliveries are also kept \
        in a recording in `hookreel record`'s format (written within 100 ms; answers never \
        wait for it). GET /healthz answers 200; GET /metrics serves Prometheus metrics \
        (requests by status, signature verdicts, duplicates, order violations). \
        SIGTERM or SIGINT: stop accepting, let held answers go (up to 5 s), and print a \
        summary on stdout: requests received and their rate, signature verdicts, duplicate \
        EventIds (deliveries of an EventId already answered 2xx), per-entity lifecycle order \
        violations (e.g. job.started after job.completed for one job Key), counts by event \
        type and by status answered.
        """
    )

    @Option(help: ArgumentHelp("Address to listen on, HOST:PORT (port 0 picks one).", valueName: "host:port"))
    var listen: ListenAddress

    @OptionGroup(title: "HTTPS")
    var serverTLS: ServerTLSOptions

    @Option(help: ArgumentHelp("Status of deliveries no fault hits.", valueName: "code"))
    var respond: Int = 200

    @Option(help: ArgumentHelp(
        "How long to hold each answer: a duration (20ms), uniform(10ms,30ms), exponential(20ms) (the mean), or lognormal(20ms,0.5) (median, sigma of the log). Default: no delay.",
        valueName: "distribution"))
    var latency: String?

    @Option(help: ArgumentHelp("Fraction of deliveries answered --error-status: 0.05 or 5%.", valueName: "p"))
    var errorRate: String?

    @Option(help: ArgumentHelp("Status of deliveries hit by --error-rate.", valueName: "code"))
    var errorStatus: Int = 500

    @Option(help: ArgumentHelp("Stop answering for this long, once every --every (needs --every).", valueName: "duration"))
    var stall: DurationArgument?

    @Option(help: ArgumentHelp("How often a --stall starts; the first starts this long after start.", valueName: "duration"))
    var every: DurationArgument?

    @Option(help: ArgumentHelp("Seed for latency and error draws (default: random, printed in the summary).", valueName: "n"))
    var seed: UInt64?

    @OptionGroup var secret: SecretOptions

    @Flag(help: "Answer 401 to deliveries whose X-UiPath-Signature is missing or invalid (needs a secret).")
    var requireSignature = false

    @Option(help: ArgumentHelp("Also keep every delivery in this recording directory (created if missing).", valueName: "dir"))
    var record: String?

    @Option(help: ArgumentHelp("Writer id in --record's segment names and records (default: host name + hash of the directory).", valueName: "id"))
    var instance: String?

    @Option(help: ArgumentHelp("Largest request body taken; larger ones get 413.", valueName: "size"))
    var maxBody: ByteSize = ByteSize(argument: "1MiB")!

    @Option(help: ArgumentHelp("Threads serving connections (default: one per core).", valueName: "n"))
    var threads: Int?

    func validate() throws {
        for (option, status) in [("--respond", respond), ("--error-status", errorStatus)] where !(200...599).contains(status) {
            throw ValidationError("\(option) must be a status from 200 to 599, not \(status)")
        }
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, not \(threads)") }
        if requireSignature && !secret.isGiven {
            throw ValidationError("--require-signature needs a secret (--secret-env or --secret-file)")
        }
        if let instance, !SegmentName.isValidInstance(instance) {
            throw ValidationError("--instance '\(instance)' must be 1-64 characters of A-Z a-z 0-9 . _ -")
        }
        if instance != nil && record == nil { throw ValidationError("--instance needs --record") }
        _ = try faults()
    }

    /// The parsed --latency, --error-rate and --stall/--every.
    private func faults() throws -> (latency: Distribution, errorRate: Double, stall: StallSchedule?) {
        do throws(SinkOptionError) {
            let latency = try latency.map { text throws(SinkOptionError) in try Distribution(latencyOption: text) } ?? .constant(.zero)
            let errorRate = try errorRate.map { text throws(SinkOptionError) in try SinkConfiguration.parseErrorRate(text) } ?? 0
            switch (stall, every) {
            case (nil, nil):
                return (latency, errorRate, nil)
            case (let stall?, let every?):
                return (latency, errorRate, try StallSchedule(duration: stall.duration, every: every.duration))
            default:
                throw SinkOptionError(option: stall == nil ? "--every" : "--stall", value: (stall ?? every)!.text,
                                      reason: "--stall and --every go together")
            }
        } catch {
            throw ValidationError(error.description)
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "hookreel.sink")
        logger.logLevel = .info
        var configuration = SinkConfiguration()
        configuration.host = listen.host
        configuration.port = listen.port
        configuration.tls = try serverTLS.load()
        configuration.responseStatus = respond
        (configuration.latency, configuration.errorRate, configuration.stall) = try faults()
        configuration.errorStatus = errorStatus
        configuration.seed = seed
        configuration.secret = try secret.load()
        configuration.requireSignature = requireSignature
        configuration.maximumBodyBytes = Int(maxBody.bytes)
        configuration.serverThreads = threads
        if let record {
            let directory = URL(fileURLWithPath: record).standardizedFileURL.path
            // "-sink" keeps the default apart from a recorder's writing into the same directory.
            let hostName = ProcessInfo.processInfo.hostName + "-sink"
            configuration.recording = SinkRecording(
                directory: directory,
                instance: instance ?? RecorderConfiguration.defaultInstance(hostName: hostName, directory: directory))
        }

        let signals = TerminationSignals()
        let sink: Sink
        do {
            sink = try await Sink.start(configuration, logger: logger)
        } catch {
            throw CommandFailure("cannot start the sink: \(error)")
        }
        await signals.wait()
        logger.notice("stopping: letting held answers go")
        let summary = await sink.shutdown()
        var output = OutputStream.standardOutput()
        output.write(summary.text)
        output.flush()
    }
}
