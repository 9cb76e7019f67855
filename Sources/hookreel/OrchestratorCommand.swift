import ArgumentParser
import Delivery
import EventModel
import Foundation
import Logging
import OrchestratorEmulator
import Primitives
import Synthesis

struct OrchestratorCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "orchestrator",
        abstract: "Emulate Orchestrator's Webhooks API and deliver events to the registered webhooks.",
        discussion: """
        Serves the Webhooks OData API (docs/orchestrator-emulator.md) under both \
        /{org}/{tenant}/orchestrator_/odata/ and /odata/: list (with $filter, $top, $skip, \
        $count, $orderby, $select), get, create, replace, patch and delete webhooks, \
        GetEventTypes and Ping. Webhooks live in an SQLite file and survive restarts.

        Authentication: with --token-env every call must carry that bearer token, which grants \
        every scope. With --client-id and --client-secret-env the emulator is also the \
        identity server: POST /{org}/identity_/connect/token or /identity/connect/token with \
        grant_type=client_credentials issues tokens for the scopes asked (OR.Webhooks, \
        OR.Webhooks.Read, OR.Webhooks.Write) that expire after --token-lifetime; reads need \
        OR.Webhooks.Read, changes and Ping OR.Webhooks.Write (OR.Webhooks allows both), \
        else 403. With neither option no token is needed.

        POST /hookreel/events takes one event or NDJSON of events and delivers each to every \
        enabled webhook subscribed to its type, signed with that webhook's secret, with \
        Orchestrator's semantics: a request timeout, success = 2xx, and a circuit breaker that \
        skips a webhook for a period after a failed delivery (skipped events are dropped and \
        counted). GET /hookreel/deliveries reports the counts. `hookreel replay` and \
        `hookreel storm` can target /hookreel/events; --scenario makes the emulator run a storm \
        itself and feed its subscribers continuously.

        SIGTERM or SIGINT stops it.
        """
    )

    @Option(help: ArgumentHelp("Address to listen on, HOST:PORT (port 0 picks one).", valueName: "host:port"))
    var listen: ListenAddress

    @Option(help: ArgumentHelp("The SQLite database file (created if missing).", valueName: "file"))
    var db = "hookreel-orchestrator.sqlite"

    @Option(help: ArgumentHelp("Require `Authorization: Bearer <token>` on every call, the token read from this environment variable.",
                               valueName: "name"))
    var tokenEnv: String?

    @Option(help: ArgumentHelp("Issue tokens at the identity endpoint to this external application's client credentials (with --client-secret-env).",
                               valueName: "id"))
    var clientId: String?

    @Option(help: ArgumentHelp("Read the external application's secret from this environment variable.", valueName: "name"))
    var clientSecretEnv: String?

    @Option(help: ArgumentHelp("With --client-id: how long an issued token is valid, whole seconds (UiPath: 1h).",
                               valueName: "duration"))
    var tokenLifetime = DurationArgument(argument: "1h")!

    @Option(help: ArgumentHelp("Give up on a delivery after this long (Orchestrator: 60s).", valueName: "duration"))
    var deliveryTimeout = DurationArgument(argument: "60s")!

    @Option(help: ArgumentHelp("After a failed delivery, skip the webhook for this long (Automation Cloud: 1h).",
                               valueName: "duration"))
    var breakerPeriod = DurationArgument(argument: "1h")!

    @Option(help: ArgumentHelp("Trust the certificates in this PEM file (a private CA, or a receiver's self-signed certificate) besides the system's, for https webhooks that do not allow insecure SSL.",
                               valueName: "file"))
    var caFile: String?

    @Option(help: ArgumentHelp("Run this storm scenario and deliver its events, at their simulated times, to the subscribers; looped until stopped.",
                               valueName: "file"))
    var scenario: String?

    @Option(help: ArgumentHelp("With --scenario: replace its seed.", valueName: "n"))
    var seed: UInt64?

    func validate() throws {
        if deliveryTimeout.duration <= .zero { throw ValidationError("--delivery-timeout must be longer than 0") }
        if breakerPeriod.duration < .zero { throw ValidationError("--breaker-period cannot be negative") }
        if seed != nil, scenario == nil { throw ValidationError("--seed applies to --scenario") }
        if (clientId == nil) != (clientSecretEnv == nil) {
            throw ValidationError("--client-id and --client-secret-env go together: give both")
        }
        if tokenLifetime.duration < .seconds(1) || tokenLifetime.duration.components.attoseconds != 0 {
            throw ValidationError("--token-lifetime must be a whole number of seconds, at least 1s (expires_in counts seconds)")
        }
    }

    func run() async throws {
        var logger = Logger(label: "hookreel.orchestrator")
        logger.logLevel = .notice
        let token = try tokenEnv.map { try environmentValue($0, option: "--token-env") }
        let deliveryTLS: DeliveryTLS?
        do {
            deliveryTLS = try caFile.map { file throws(DeliveryTLSError) in try DeliveryTLS(trusting: file) }
        } catch {
            throw ValidationError("--ca-file: \(error)")
        }
        let application = try clientId.map { clientId in
            ExternalApplication(clientId: clientId,
                                clientSecret: try environmentValue(clientSecretEnv ?? "", option: "--client-secret-env"))
        }
        let scenario: Scenario?
        do {
            scenario = try self.scenario.map { path throws(ScenarioError) in try Scenario.load(path: path) }
        } catch {
            throw CommandFailure("\(error)")
        }
        let signals = TerminationSignals()
        let server: OrchestratorServer
        do {
            server = try await OrchestratorServer.start(
                configuration: OrchestratorConfiguration(
                    host: listen.host, port: listen.port, databasePath: db, token: token,
                    externalApplication: application, tokenLifetime: tokenLifetime.duration,
                    deliveryTimeout: deliveryTimeout.duration, breakerPeriod: breakerPeriod.duration, deliveryTLS: deliveryTLS),
                logger: logger)
        } catch {
            throw CommandFailure("cannot start the emulator: \(error)")
        }
        logger.notice("listening", metadata: ["address": "\(listen.host):\(server.port)", "db": "\(db)"])
        let feeder = scenario.map { scenario in
            let scenarioFeeder = ScenarioFeeder(scenario: scenario, seed: seed, server: server, logger: logger)
            return Task { await scenarioFeeder.run() }
        }
        await signals.wait()
        feeder?.cancel()
        _ = await feeder?.value
        await server.shutdown()
        logger.notice("stopped")
    }
}

/// `--scenario`: plays a storm in real time into the emulator's fan-out, pass
/// after pass, until cancelled. Each pass starts now, so events carry current
/// timestamps.
struct ScenarioFeeder: Sendable {
    let scenario: Scenario
    let seed: UInt64?
    let server: OrchestratorServer
    let logger: Logger

    func run() async {
        var pass: UInt64 = 0
        while !Task.isCancelled {
            let start = Timestamp.now()
            // Each pass gets its own seed so EventIds and keys do not repeat.
            let options = StormOptions(start: start, seed: (seed ?? scenario.seed) &+ pass)
            var delivered = 0
            for event in StormSimulator(scenario: scenario, options: options) {
                let wait = event.time.microsecondsSinceEpoch - Timestamp.now().microsecondsSinceEpoch
                if wait > 0 { try? await Task.sleep(for: .microseconds(wait)) }
                if Task.isCancelled { return }
                do {
                    delivered += try await server.publish(eventBody: event.body).delivered
                } catch {
                    logger.error("cannot read the webhooks to feed", metadata: ["error": "\(error)"])
                }
            }
            logger.notice("scenario pass finished", metadata: ["scenario": "\(scenario.name)", "delivered": "\(delivered)"])
            pass += 1
            // A pass lasts its load profile at least, even when it made no
            // events (a scenario of zero rates), so passes do not spin.
            let passEnd = start.microsecondsSinceEpoch + max(scenario.loadDuration.wholeMicroseconds, 1_000_000)
            let wait = passEnd - Timestamp.now().microsecondsSinceEpoch
            if wait > 0 { try? await Task.sleep(for: .microseconds(wait)) }
        }
    }
}
