import ArgumentParser
import Delivery
import EventModel
import Foundation
import Logging
import Receiver
import SegmentStore

struct RecordCommand: AsyncParsableCommand {
    /// The exit status of a stop that left requests unanswered or a segment unsealed.
    static let uncleanStopExitCode: Int32 = 2

    static let configuration = CommandConfiguration(
        commandName: "record",
        abstract: "Receive webhook deliveries and keep every request in a recording.",
        discussion: """
        Every POST, on any path, is kept byte for byte (docs/recording-format.md). \
        The answer (--respond, default 202) is sent only once the record is durable: \
        fsync = written and fsync'd (concurrent requests share one fsync; survives power loss), \
        flush = written to the file (survives a crash of hookreel), async = at once, written within 100 ms. \
        If the recording cannot be written the answer is 503, never a 2xx. \
        Bodies over --max-body get 413 and are not kept; other methods get 405. \
        GET /healthz answers 200 while writes succeed; GET /metrics serves Prometheus metrics. \
        With --forward, each request also goes to the real receiver and its answer goes back \
        (502 when unreachable); the record carries upstream_status and upstream_ms. In this \
        mode the receiver's answer is passed on even if the record cannot be written (that is \
        logged and counted), so capturing never interrupts production traffic. \
        With --redact, the values the pointers name are replaced before the record is \
        written (records say which pointers applied; the signature verdict is the one of \
        the body as received). With --only-type/--skip-type, deliveries left out are \
        answered as usual, not kept, and counted by type in /metrics. \
        With --register NAME --public-url URL and a tenant (--orchestrator and --token-env or \
        --client-id, as for `hookreel webhooks`), the recorder creates or updates that webhook \
        with its secret, pings it, and starts only once the ping arrived validly signed \
        (else it exits 1 saying why: not reached, or a wrong secret); --unregister disable|delete \
        takes the webhook back at a clean stop (exit \(Self.uncleanStopExitCode) when that fails). \
        With --tls-cert/--tls-key it serves https. \
        On start, segments a crash left open are recovered and sealed. SIGTERM or SIGINT: \
        stop accepting, finish requests in flight, seal, exit 0; exit \(Self.uncleanStopExitCode) when that \
        could not all be done (requests left unanswered after 30 s, or the last segment could not \
        be sealed: it stays open and the next start recovers it; the log says which).
        """
    )

    @Option(help: ArgumentHelp("Address to listen on, HOST:PORT (port 0 picks one).", valueName: "host:port"))
    var listen: ListenAddress

    @OptionGroup(title: "HTTPS")
    var serverTLS: ServerTLSOptions

    @Option(help: ArgumentHelp("Recording directory (created if missing).", valueName: "dir"))
    var out: String

    @OptionGroup var secret: SecretOptions

    @Flag(help: "Answer 401 to requests whose X-UiPath-Signature is missing or invalid (needs a secret).")
    var requireSignature = false

    @Flag(help: "Keep requests answered 401 in the recording too, with their verdict.")
    var recordRejected = false

    @Option(help: "When a 2xx may be sent: fsync, flush or async.")
    var durability: Durability = .fsync

    @Option(help: ArgumentHelp("Seal a segment once its compressed size reaches this.", valueName: "size"))
    var segmentSize: ByteSize = ByteSize(argument: "64MiB")!

    @Option(help: ArgumentHelp("Seal a segment once it has been open this long.", valueName: "duration"))
    var segmentAge: DurationArgument = DurationArgument(argument: "10m")!

    @Option(help: ArgumentHelp("Largest request body kept; larger ones get 413.", valueName: "size"))
    var maxBody: ByteSize = ByteSize(argument: "1MiB")!

    @Option(help: ArgumentHelp("Status for recorded requests (2xx).", valueName: "code"))
    var respond: Int = 202

    @Option(help: ArgumentHelp("Writer id in segment names and records (default: host name + hash of the directory).", valueName: "id"))
    var instance: String?

    @Option(help: ArgumentHelp("Pass-through: forward each request to this receiver URL (path and query appended) and answer with its response.", valueName: "url"))
    var forward: String?

    @Option(help: ArgumentHelp("How long to wait for the forwarded request's response.", valueName: "duration"))
    var forwardTimeout: DurationArgument = DurationArgument(argument: "60s")!

    @Option(help: ArgumentHelp(
        "Pass-through to an https:// receiver: trust the certificates in this PEM file (its self-signed certificate, or a private CA) besides the system's.",
        valueName: "file"))
    var forwardCaFile: String?

    @OptionGroup(title: "Pass-through to a receiver that requires mutual TLS")
    var clientCertificate: ClientCertificateOptions

    @Option(help: ArgumentHelp("Close connections that send nothing for this long.", valueName: "duration"))
    var idleTimeout: DurationArgument = DurationArgument(argument: "60s")!

    @Option(help: ArgumentHelp("Close connections whose request (head and body) takes longer than this to arrive.", valueName: "duration"))
    var requestTimeout: DurationArgument = DurationArgument(argument: "30s")!

    @Option(help: ArgumentHelp("Threads serving connections (default: the cores, one less with --durability fsync).", valueName: "n"))
    var threads: Int?

    @OptionGroup(title: "Registering with a tenant")
    var registration: RegistrationOptions

    @OptionGroup(title: "Redaction (the received bytes of a redacted value never reach the disk)")
    var redaction: RedactionOptions

    @Option(name: .customLong("only-type"), help: ArgumentHelp(
        "Keep only deliveries whose event type matches this glob (`*`, `?`); others are answered as usual and not kept. Repeatable.",
        valueName: "glob"))
    var onlyTypes: [EventTypePattern] = []

    @Option(name: .customLong("skip-type"), help: ArgumentHelp(
        "Do not keep deliveries whose event type matches this glob; they are answered as usual. Repeatable.", valueName: "glob"))
    var skipTypes: [EventTypePattern] = []

    func validate() throws {
        if let threads, threads < 1 { throw ValidationError("--threads must be at least 1, not \(threads)") }
        if idleTimeout.duration < .milliseconds(1) { throw ValidationError("--idle-timeout \(idleTimeout.text): expected at least 1ms") }
        if requestTimeout.duration < .milliseconds(1) {
            throw ValidationError("--request-timeout \(requestTimeout.text): expected at least 1ms")
        }
        guard (200...299).contains(respond) else { throw ValidationError("--respond must be a 2xx status, not \(respond)") }
        if registration.register != nil && !secret.isGiven {
            throw ValidationError("--register needs the recorder's secret (--secret-env or --secret-file): the webhook is registered with it")
        }
        if requireSignature && !secret.isGiven {
            throw ValidationError("--require-signature needs a secret (--secret-env or --secret-file)")
        }
        if let instance, !SegmentName.isValidInstance(instance) {
            throw ValidationError("--instance '\(instance)' must be 1-64 characters of A-Z a-z 0-9 . _ -")
        }
        let forwardTarget: DeliveryTarget?
        do {
            forwardTarget = try forward.map { url throws(DeliveryTargetError) in try DeliveryTarget(url: url) }
        } catch {
            throw ValidationError("--forward must be an absolute http(s) URL: \(error)")
        }
        if let forwardTarget, forwardTarget.pathAndQuery.contains("?") {
            throw ValidationError("--forward '\(forwardTarget)': no query, please (each request's own path and query are appended to the URL's path)")
        }
        if clientCertificate.isGiven, forwardTarget?.isSecure != true {
            throw ValidationError("--cert and --key apply to an https:// --forward URL")
        }
        if forwardCaFile != nil, forwardTarget?.isSecure != true {
            throw ValidationError("--forward-ca-file applies to an https:// --forward URL")
        }
    }

    func run() async throws {
        LoggingSystem.bootstrap { StreamLogHandler.standardError(label: $0) }
        var logger = Logger(label: "hookreel.record")
        logger.logLevel = .info
        let directory = URL(fileURLWithPath: out).standardizedFileURL.path
        var configuration = RecorderConfiguration(
            directory: directory,
            instance: instance ?? RecorderConfiguration.defaultInstance(hostName: ProcessInfo.processInfo.hostName, directory: directory))
        configuration.host = listen.host
        configuration.port = listen.port
        configuration.tls = try serverTLS.load()
        configuration.secret = try secret.load()
        configuration.requireSignature = requireSignature
        configuration.recordRejected = recordRejected
        configuration.durability = durability
        configuration.segmentOptions.maximumSegmentBytes = segmentSize.bytes
        configuration.segmentOptions.maximumSegmentAge = segmentAge.duration
        configuration.maximumBodyBytes = Int(maxBody.bytes)
        configuration.responseStatus = respond
        configuration.forwardURL = forward
        configuration.forwardTimeout = forwardTimeout.duration
        let certificate = try clientCertificate.load()
        if certificate != nil || forwardCaFile != nil {
            do {
                configuration.forwardTLS = try DeliveryTLS(trusting: forwardCaFile, clientCertificate: certificate)
            } catch {
                throw ValidationError("--forward: \(error)")  // the message names the file at fault
            }
        }
        configuration.idleTimeout = idleTimeout.duration
        configuration.requestTimeout = requestTimeout.duration
        configuration.serverThreads = threads
        configuration.redaction = try redaction.load()
        configuration.redactsStrictly = redaction.redactStrict
        configuration.onlyTypes = onlyTypes
        configuration.skipTypes = skipTypes

        let signals = TerminationSignals()
        let recorder: Recorder
        do {
            recorder = try await Recorder.start(configuration, logger: logger)
        } catch {
            throw CommandFailure("cannot start the recorder: \(error)")
        }
        let registered: RegisteredWebhook?
        do {
            registered = try await registration.registerAndCheck(recorder, secret: configuration.secret ?? "", logger: logger)
        } catch {
            await recorder.shutdown()
            throw error
        }
        await signals.wait()
        logger.notice("stopping: finishing requests in flight and sealing")
        // Before the server closes, so the tenant stops delivering to it first.
        let isUnregistered = await registered?.unregister(logger: logger) ?? true
        guard await recorder.shutdown(), isUnregistered else { throw ExitCode(Self.uncleanStopExitCode) }
    }
}

extension Durability: ExpressibleByArgument {}
