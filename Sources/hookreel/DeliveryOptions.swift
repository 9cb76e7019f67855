import ArgumentParser
import Delivery
import Primitives
import Replay

/// `--max-in-flight`, `--connections`, `--timeout`, `--threads`, `--ca-file`,
/// `--insecure`, `--cert`, `--key`: how requests go out, for `replay` and
/// `storm --target`.
struct DeliveryOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Requests sent and not yet answered, at most (default \(ReplayConfiguration.defaultMaximumInFlight)); later sends wait (their latency still counts from their scheduled time).",
                               valueName: "n"))
    var maxInFlight: Int?

    @Option(help: ArgumentHelp("HTTP/1.1 keep-alive connections at most (default \(ReplayConfiguration.defaultConnections); with `replay --rate max`, the concurrency).",
                               valueName: "n"))
    var connections: Int?

    @Option(help: ArgumentHelp(
        "Give up on a response after this long (default \(DurationText.format(ReplayConfiguration.defaultTimeout))), counted as a timeout error.",
        valueName: "duration"))
    var timeout: DurationArgument?

    @Option(help: ArgumentHelp("Event-loop threads sending requests (default: one per core).", valueName: "n"))
    var threads: Int?

    @Option(help: ArgumentHelp("With an https:// target: also trust the certificates in this PEM file (the receiver's self-signed certificate, or a private CA).",
                               valueName: "path"))
    var caFile: String?

    @Flag(help: "With an https:// target: accept any certificate for any name, as Orchestrator's AllowInsecureSsl does. For test receivers only.")
    var insecure = false

    @OptionGroup var clientCertificate: ClientCertificateOptions

    func validate() throws {
        if let maxInFlight, maxInFlight < 1 { throw ValidationError("--max-in-flight \(maxInFlight): expected at least 1") }
        if let connections, connections < 1 { throw ValidationError("--connections \(connections): expected at least 1") }
        if let timeout, timeout.duration <= .zero { throw ValidationError("--timeout must be longer than 0") }
        if let threads, threads < 1 { throw ValidationError("--threads \(threads): expected at least 1") }
    }

    /// Whether any of these options was given.
    var isGiven: Bool {
        maxInFlight != nil || connections != nil || threads != nil || timeout != nil || caFile != nil || insecure
            || clientCertificate.isGiven
    }

    /// Sets what was given; the rest keeps `ReplayConfiguration`'s defaults.
    func apply(to configuration: inout ReplayConfiguration) throws {
        if configuration.target.isSecure {
            let certificate = try clientCertificate.load()
            do {
                configuration.tls = try DeliveryTLS(trusting: caFile, verifiesCertificates: !insecure, clientCertificate: certificate)
            } catch {
                throw ValidationError(caFile == nil ? "https target: \(error)" : "--ca-file: \(error)")
            }
        } else if caFile != nil || insecure {
            throw ValidationError("--ca-file and --insecure apply to https:// targets")
        } else if clientCertificate.isGiven {
            throw ValidationError("--cert and --key apply to https:// targets")
        }
        if let maxInFlight { configuration.maximumInFlight = maxInFlight }
        configuration.connections = connections
        if let timeout { configuration.timeout = timeout.duration }
        if let threads { configuration.eventLoopThreads = threads }
    }
}
