import ArgumentParser
import Foundation
import OrchestratorAPI
import WebhooksClient

struct WebhooksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "webhooks",
        abstract: "Manage a tenant's webhooks through Orchestrator's Webhooks API (or the emulator's).",
        discussion: """
        Each verb is one call of the Webhooks API (docs/webhooks-client.md): list, get, create, \
        update (PATCH: only what is given changes), delete, ping and event-types. The tenant is \
        --orchestrator URL (or $\(TenantOptions.orchestratorVariable)) in either form: \
        https://cloud.uipath.com/ORG/TENANT/orchestrator_ or https://HOST. Authenticate with a \
        bearer token (--token-env) or an external application's client credentials (--client-id, \
        --client-secret-env, --scope): the token is then fetched from the identity endpoint of \
        the URL (or --identity-url), kept in memory only and fetched again when it expires.

        Output is a table, or JSON with --json. Secrets are never printed unless --show-secrets \
        (--json then leaves Secret out).

        Exit status: 0 done; \(WebhooksExit.notAuthenticated) not authenticated (401, or the identity \
        endpoint refused the client); \(WebhooksExit.missingScope) the token lacks a scope (403; the \
        scope is named); \(WebhooksExit.notFound) no such webhook (404); \(WebhooksExit.nameTaken) \
        the name is taken (409); \(WebhooksExit.invalid) the request was refused as invalid (400); \
        1 anything else (no answer, TLS, a server error). Messages carry Orchestrator's message, \
        errorCode and traceId.
        """,
        subcommands: [
            WebhooksList.self, WebhooksGet.self, WebhooksCreate.self, WebhooksUpdate.self, WebhooksDelete.self,
            WebhooksPing.self, WebhooksEventTypes.self,
        ]
    )
}

/// The exit statuses of `hookreel webhooks` for answered failures.
enum WebhooksExit {
    static let notAuthenticated: Int32 = 2
    static let missingScope: Int32 = 3
    static let notFound: Int32 = 4
    static let nameTaken: Int32 = 5
    static let invalid: Int32 = 6

    static func status(of error: WebhooksClientError) -> Int32 {
        if case .identity = error.kind { return notAuthenticated }
        switch error.status {
        case 401: return notAuthenticated
        case 403: return missingScope
        case 404: return notFound
        case 409: return nameTaken
        case 400: return invalid
        default: return 1
        }
    }
}

/// `--json`, `--show-secrets`
struct WebhookOutputOptions: ParsableArguments {
    @Flag(help: "Print JSON (the API's WebhookDto members, in its order) instead of a table.")
    var json = false

    @Flag(help: "Print webhook secrets (hidden otherwise).")
    var showSecrets = false
}

/// Runs one call with a client for the tenant; an answered failure exits
/// with its status (`WebhooksExit`) after printing the error.
func withWebhooksClient<T>(_ tenant: TenantOptions, _ body: (WebhooksClient) async throws(WebhooksClientError) -> T) async throws -> T {
    let client = try tenant.makeClient()
    do throws(WebhooksClientError) {
        let result = try await body(client)
        await client.shutdown()
        return result
    } catch {
        await client.shutdown()
        FileHandleStderr.write("Error: \(error)\n")
        throw ExitCode(WebhooksExit.status(of: error))
    }
}

/// Writes `text` to stdout.
func printOutput(_ text: String) {
    var output = OutputStream.standardOutput()
    output.write(text)
    output.flush()
}

struct WebhooksList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "List webhooks (GET Webhooks), filtered and paged with OData's options.")

    @OptionGroup var tenant: TenantOptions
    @OptionGroup var output: WebhookOutputOptions

    @Option(help: ArgumentHelp("An OData $filter, e.g. \"startswith(Url,'https://')\".", valueName: "expression"))
    var filter: String?

    @Option(help: ArgumentHelp("Only the webhook with this name.", valueName: "name"))
    var name: String?

    @Flag(help: "Only enabled (--enabled) or disabled (--disabled) webhooks.")
    var state: WebhookState?

    @Option(help: ArgumentHelp("At most this many ($top; Orchestrator allows 1000).", valueName: "n"))
    var top: Int?

    @Option(help: ArgumentHelp("Skip this many first ($skip).", valueName: "n"))
    var skip: Int?

    @Option(help: ArgumentHelp("Order ($orderby), e.g. 'Name desc'.", valueName: "expression"))
    var orderBy: String?

    func validate() throws {
        if let top, top < 0 { throw ValidationError("--top \(top): expected 0 or more") }
        if let skip, skip < 0 { throw ValidationError("--skip \(skip): expected 0 or more") }
    }

    func run() async throws {
        let query = WebhookListQuery(filter: filter, name: name, enabled: state.map { $0 == .enabled }, top: top, skip: skip,
                                     orderBy: orderBy)
        let collection = try await withWebhooksClient(tenant) { client throws(WebhooksClientError) in
            try await client.list(query)
        }
        printOutput(output.json ? WebhookRendering.json(collection, showSecrets: output.showSecrets)
                                : WebhookRendering.table(collection, showSecrets: output.showSecrets))
    }
}

struct WebhooksGet: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "get", abstract: "Show one webhook (GET Webhooks(ID)).")

    @OptionGroup var tenant: TenantOptions
    @OptionGroup var output: WebhookOutputOptions

    @Argument(help: "The webhook's Id.")
    var id: Int64

    func run() async throws {
        let webhook = try await withWebhooksClient(tenant) { client throws(WebhooksClientError) in
            try await client.webhook(id: id)
        }
        printOutput(WebhookRendering.render(webhook, output))
    }
}

struct WebhooksCreate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "create",
        abstract: "Register a webhook (POST Webhooks).",
        discussion: "Prints the created webhook, with its Id.")

    @OptionGroup var tenant: TenantOptions
    @OptionGroup var output: WebhookOutputOptions

    @Argument(help: "The webhook's name (unique in the tenant, ignoring case).")
    var name: String

    @OptionGroup var fields: WebhookFieldOptions

    func validate() throws {
        if fields.url == nil { throw ValidationError("create needs --url URL") }
        if fields.events == nil && !fields.allEvents {
            throw ValidationError("create needs --events TYPE,... or --all-events ('hookreel webhooks event-types' lists the types)")
        }
    }

    func run() async throws {
        var changes = try fields.changes()
        changes.name = name
        changes.enabled = changes.enabled ?? true
        changes.allowInsecureSsl = changes.allowInsecureSsl ?? false
        let created = try await withWebhooksClient(tenant) { [changes] client throws(WebhooksClientError) in
            try await client.create(changes)
        }
        printOutput(WebhookRendering.render(created, output))
    }
}

struct WebhooksUpdate: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "update",
        abstract: "Change a webhook (PATCH Webhooks(ID)): only what is given changes.",
        discussion: "Prints the changed webhook.")

    @OptionGroup var tenant: TenantOptions
    @OptionGroup var output: WebhookOutputOptions

    @Argument(help: "The webhook's Id.")
    var id: Int64

    @Option(help: ArgumentHelp("Rename the webhook.", valueName: "name"))
    var name: String?

    @OptionGroup var fields: WebhookFieldOptions

    func run() async throws {
        var changes = try fields.changes()
        if let name { changes.name = name }
        guard !changes.isEmpty else {
            throw ValidationError("update \(id): nothing to change: give --name, --url, --events, --all-events, a secret, --description, --enabled/--disabled or --[no-]allow-insecure-ssl")
        }
        let updated = try await withWebhooksClient(tenant) { [changes] client throws(WebhooksClientError) in
            try await client.update(id: id, changes)
        }
        printOutput(WebhookRendering.render(updated, output))
    }
}

struct WebhooksDelete: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "delete", abstract: "Delete a webhook (DELETE Webhooks(ID)).")

    @OptionGroup var tenant: TenantOptions

    @Argument(help: "The webhook's Id.")
    var id: Int64

    @Flag(help: "Confirm: the webhook and its subscriptions are gone for good.")
    var yes = false

    func validate() throws {
        if !yes { throw ValidationError("delete \(id) removes the webhook for good: confirm with --yes") }
    }

    func run() async throws {
        try await withWebhooksClient(tenant) { client throws(WebhooksClientError) in
            try await client.delete(id: id)
        }
        printOutput("deleted webhook \(id)\n")
    }
}

struct WebhooksPing: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ping",
        abstract: "Have Orchestrator send a ping event to a webhook (POST Webhooks(ID)/…Ping).",
        discussion: "Prints the event sent; --json prints Orchestrator's answer as it came. Orchestrator answers whether or not the receiver accepted the event.")

    @OptionGroup var tenant: TenantOptions

    @Flag(help: "Print Orchestrator's answer (the ping event) as JSON.")
    var json = false

    @Argument(help: "The webhook's Id.")
    var id: Int64

    func run() async throws {
        let answer = try await withWebhooksClient(tenant) { client throws(WebhooksClientError) in
            try await client.ping(id: id)
        }
        printOutput(json ? String(decoding: answer.json, as: UTF8.self) + "\n"
                         : "sent \(answer.type) event \(answer.eventId) at \(answer.timestamp) to webhook \(id)\n")
    }
}

struct WebhooksEventTypes: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event-types",
        abstract: "List the event types a webhook can subscribe to (GET Webhooks/…GetEventTypes).")

    @OptionGroup var tenant: TenantOptions

    @Flag(help: "Print JSON: {\"value\": [{\"Name\", \"Group\"}...]}.")
    var json = false

    func run() async throws {
        let types = try await withWebhooksClient(tenant) { client throws(WebhooksClientError) in
            try await client.eventTypes()
        }
        printOutput(json ? WebhookRendering.json(types) : WebhookRendering.table(types))
    }
}

enum WebhookState: String, EnumerableFlag {
    case enabled, disabled
}

/// The webhook fields `create` and `update` take.
struct WebhookFieldOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Where deliveries go: an absolute http(s) URL.", valueName: "url"))
    var url: String?

    @Option(help: ArgumentHelp("Subscribe to these event types, comma-separated (job.started,job.completed).",
                               valueName: "types"))
    var events: String?

    @Flag(help: "Subscribe to all event types.")
    var allEvents = false

    @OptionGroup var secret: SecretOptions

    @Flag(inversion: .prefixedNo,
          help: "Deliver to an https URL without checking its certificate (create: off unless given).")
    var allowInsecureSsl: Bool?

    @Option(help: ArgumentHelp("A description (at most 256 characters).", valueName: "text"))
    var description: String?

    @Flag(help: "Enabled or not (create: --enabled unless --disabled).")
    var state: WebhookState?

    func validate() throws {
        if events != nil && allEvents { throw ValidationError("give --events or --all-events, not both") }
        if let events, Self.eventTypes(events).isEmpty { throw ValidationError("--events: give at least one event type") }
    }

    /// The members given; the secret is read here.
    func changes() throws -> WebhookChanges {
        var changes = WebhookChanges()
        changes.url = url
        if let events {
            changes.subscribeToAllEvents = false
            changes.events = Self.eventTypes(events)
        } else if allEvents {
            changes.subscribeToAllEvents = true
        }
        if let secret = try secret.load() { changes.secret = .some(secret) }
        changes.allowInsecureSsl = allowInsecureSsl
        if let description { changes.description = .some(description) }
        changes.enabled = state.map { $0 == .enabled }
        return changes
    }

    static func eventTypes(_ list: String) -> [String] {
        list.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter { !$0.isEmpty }
    }
}
