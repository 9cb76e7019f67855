import ArgumentParser
import EventModel
import Logging
import OrchestratorAPI
import Receiver
import WebhooksClient

/// `record --register`: the recorder registers itself as a webhook of a
/// tenant, checks that the tenant reaches it, and (`--unregister`) takes the
/// webhook back at a clean stop.
struct RegistrationOptions: ParsableArguments {
    enum Unregistering: String, ExpressibleByArgument, CaseIterable {
        case disable, delete
    }

    @Option(help: ArgumentHelp(
        "Create the webhook with this name (or update the one that has it), pointing at --public-url with the recorder's secret, enabled; then ping it and wait until the ping arrives, validly signed.",
        valueName: "name"))
    var register: String?

    @Option(help: ArgumentHelp("With --register: the URL the tenant delivers to, which reaches this recorder.", valueName: "url"))
    var publicUrl: String?

    @Option(name: .customLong("events"), parsing: .upToNextOption, help: ArgumentHelp(
        "With --register: subscribe to these event types (comma-separated or repeated; default: all events).", valueName: "types"))
    var eventLists: [String] = []

    @Flag(help: "With --register: set the webhook's AllowInsecureSsl (an https --public-url whose certificate the tenant does not trust).")
    var allowInsecureSsl = false

    @Option(help: ArgumentHelp("With --register: how long to wait for the ping to arrive.", valueName: "duration"))
    var registerTimeout: DurationArgument = DurationArgument(argument: "30s")!

    @Option(help: ArgumentHelp("With --register: at a clean stop, disable or delete the webhook.", valueName: "disable|delete"))
    var unregister: Unregistering?

    @OptionGroup(title: "The tenant to register with (--register)")
    var tenant: TenantOptions

    var events: [String] { eventLists.flatMap { $0.split(separator: ",").map(String.init) } }

    func validate() throws {
        guard register != nil else {
            if publicUrl != nil || !eventLists.isEmpty || allowInsecureSsl || unregister != nil || tenant.isGiven {
                throw ValidationError("--public-url, --events, --allow-insecure-ssl, --unregister and the tenant options apply to --register")
            }
            return
        }
        guard let publicUrl else { throw ValidationError("--register needs --public-url URL: where the tenant delivers to") }
        let lowered = publicUrl.lowercased()
        guard lowered.hasPrefix("http://") || lowered.hasPrefix("https://") else {
            throw ValidationError("--public-url '\(publicUrl)': expected an absolute http:// or https:// URL")
        }
        if registerTimeout.duration <= .zero { throw ValidationError("--register-timeout must be longer than 0") }
        try tenant.check()
    }

    /// Registers the webhook, pings it and waits for the ping at `recorder`.
    /// Returns what a clean stop needs to unregister it.
    func registerAndCheck(_ recorder: Recorder, secret: String, logger: Logger) async throws -> RegisteredWebhook? {
        guard let register, let publicUrl else { return nil }
        let client = try tenant.makeClient()
        do {
            let webhook = try await reachableWebhook(named: register, url: publicUrl, secret: secret, recorder: recorder,
                                                     client: client, logger: logger)
            return RegisteredWebhook(client: client, webhook: webhook, unregistering: unregister)
        } catch {
            await client.shutdown()
            throw error
        }
    }

    private func reachableWebhook(named name: String, url: String, secret: String, recorder: Recorder, client: WebhooksClient,
                                  logger: Logger) async throws -> Webhook {
        let changes = WebhookChanges(url: url, enabled: true, secret: .some(secret), subscribeToAllEvents: events.isEmpty,
                                     allowInsecureSsl: allowInsecureSsl, events: events)
        let registration: WebhooksClient.Registration
        do {
            registration = try await client.register(name: name, changes)
        } catch {
            throw CommandFailure("--register: \(error)")
        }
        let webhook = registration.webhook
        logger.notice(registration.created ? "registered the webhook" : "updated the webhook", metadata: [
            "id": "\(webhook.id)", "name": "\(webhook.name)", "url": "\(url)",
        ])
        recorder.pings.watch()
        defer { recorder.pings.stopWatching() }
        let ping: PingAnswer
        do {
            ping = try await client.ping(id: webhook.id)
        } catch {
            throw CommandFailure("--register: cannot ping webhook \(webhook.id): \(error)")
        }
        let verdict = await recorder.pings.verdict(forPing: ping.eventId, within: registerTimeout.duration)
        switch verdict {
        case .valid?:
            logger.notice("reachable: the tenant's ping arrived, validly signed", metadata: ["webhook": "\(webhook.id)", "ping": "\(ping.eventId)"])
            return webhook
        case nil:
            throw CommandFailure("""
                --register: the tenant's ping (EventId \(ping.eventId)) did not arrive within \(registerTimeout.text): \
                the tenant cannot reach \(url). Check that the URL leads here (DNS, firewall, proxy), and for https that \
                the tenant trusts the certificate (or give --allow-insecure-ssl)
                """)
        case let verdict?:
            throw CommandFailure("""
                --register: the tenant's ping arrived with a \(verdict.rawValue) signature: the webhook's secret is not \
                the recorder's (--secret-env/--secret-file)
                """)
        }
    }
}

/// A webhook `record --register` registered, and what to do with it at a clean stop.
struct RegisteredWebhook {
    let client: WebhooksClient
    let webhook: Webhook
    let unregistering: RegistrationOptions.Unregistering?

    /// Disables or deletes the webhook as asked; returns whether that worked (a failure is logged).
    func unregister(logger: Logger) async -> Bool {
        let isDone = await carryOutUnregistering(logger: logger)
        await client.shutdown()
        return isDone
    }

    private func carryOutUnregistering(logger: Logger) async -> Bool {
        guard let unregistering else { return true }
        do {
            switch unregistering {
            case .disable: _ = try await client.update(id: webhook.id, WebhookChanges(enabled: false))
            case .delete: try await client.delete(id: webhook.id)
            }
            logger.notice(unregistering == .disable ? "disabled the webhook" : "deleted the webhook", metadata: ["id": "\(webhook.id)"])
            return true
        } catch {
            logger.error("could not \(unregistering.rawValue) the webhook", metadata: ["id": "\(webhook.id)", "error": "\(error)"])
            return false
        }
    }
}
