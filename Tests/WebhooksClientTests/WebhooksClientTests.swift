import OrchestratorAPI
import Testing
import WebhooksClient

/// `WebhooksClient` end to end against the in-process emulator: each call in
/// both URL forms, with a bearer token and with client credentials; tokens
/// fetched once, reused, and fetched again after expiry; the errors a tenant
/// answers, each with its status, message and errorCode.
@Suite struct WebhooksClientTests {
    static let unreachableURL = "http://127.0.0.1:1/hook"

    @Test(arguments: ClientHarness.Form.allCases, ClientHarness.Credentials.allCases)
    func everyCall(form: ClientHarness.Form, credentials: ClientHarness.Credentials) async throws {
        try await ClientHarness.with { harness in
            try await harness.withClient(form, harness.authentication(credentials)) { client in
                let created = try await client.create(WebhookChanges(
                    name: "billing", description: .some("invoices"), url: Self.unreachableURL, enabled: true,
                    secret: .some("s3cret"), subscribeToAllEvents: false, allowInsecureSsl: false,
                    events: ["job.completed", "job.faulted"]))
                #expect(created.id > 0)
                #expect(created.name == "billing" && created.description == "invoices" && created.secret == "s3cret")
                #expect(created.events == ["job.completed", "job.faulted"])
                #expect(!created.key.isEmpty)

                #expect(try await client.webhook(id: created.id) == created)

                let other = try await client.create(WebhookChanges(name: "audit", url: Self.unreachableURL, enabled: false,
                                                                   subscribeToAllEvents: true))
                let all = try await client.list()
                #expect(all.webhooks.map(\.name) == ["billing", "audit"] && all.count == 2)
                #expect(try await client.list(WebhookListQuery(name: "audit")).webhooks == [other])
                #expect(try await client.list(WebhookListQuery(enabled: true)).webhooks == [created])
                #expect(try await client.list(WebhookListQuery(filter: "startswith(Name,'bil') or Name eq 'audit'",
                                                               orderBy: "Name desc")).webhooks.map(\.name) == ["billing", "audit"])
                let page = try await client.list(WebhookListQuery(top: 1, skip: 1, orderBy: "Id"))
                #expect(page.webhooks == [other] && page.count == 2)

                let updated = try await client.update(id: created.id, WebhookChanges(secret: .some(nil), events: ["job.started"]))
                #expect(updated.secret == nil && updated.events == ["job.started"])
                #expect(updated.name == "billing" && updated.description == "invoices" && updated.enabled)

                let ping = try await client.ping(id: created.id)
                #expect(ping.type == "ping" && ping.eventId.count == 32 && ping.timestamp.hasSuffix("Z"))

                let types = try await client.eventTypes()
                #expect(types.contains(WebhookEventTypeEntry(name: "job.completed", group: "job")), "\(types)")
                #expect(!types.contains { $0.name == "ping" })

                try await client.delete(id: created.id)
                let gone = await clientError { _ = try await client.webhook(id: created.id) }
                #expect(gone?.status == 404 && gone?.errorCode == ErrorBody.itemNotFound)
            }
            #expect(harness.server.tokensIssued == (credentials == .clientCredentials ? 1 : 0))
        }
    }

    @Test func aTokenIsFetchedOnceAndReused() async throws {
        try await ClientHarness.with { harness in
            try await harness.withClient(.standalone, harness.authentication(.clientCredentials)) { client in
                _ = try await client.list()
                // Concurrent calls share the one token too.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<8 { group.addTask { _ = try await client.eventTypes() } }
                    try await group.waitForAll()
                }
                _ = try await client.create(WebhookChanges(name: "n", url: Self.unreachableURL))
            }
            #expect(harness.server.tokensIssued == 1)
        }
    }

    @Test func concurrentFirstCallsShareOneFetch() async throws {
        try await ClientHarness.with { harness in
            try await harness.withClient(.automationCloud, harness.authentication(.clientCredentials)) { client in
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<8 { group.addTask { _ = try await client.list() } }
                    try await group.waitForAll()
                }
            }
            #expect(harness.server.tokensIssued == 1)
        }
    }

    /// Reuse within a lifetime is `aTokenIsFetchedOnceAndReused`'s (an hour's
    /// token); here only that a call after expiry fetches exactly one new
    /// token, so a loaded machine slowing the first call cannot fail it.
    @Test func anExpiredTokenIsFetchedAgain() async throws {
        // Long enough that the first call, on a loaded machine, still arrives with a live token.
        try await ClientHarness.with(tokenLifetime: .seconds(5)) { harness in
            try await harness.withClient(.automationCloud, harness.authentication(.clientCredentials)) { client in
                _ = try await client.list()
                let fetched = harness.server.tokensIssued
                #expect(fetched >= 1)
                try await Task.sleep(for: .milliseconds(5100))
                // The emulator has expired that token: only a new one gets through.
                _ = try await client.list()
                #expect(harness.server.tokensIssued == fetched + 1)
            }
        }
    }

    @Test func aMissingScopeIsAnsweredWith403AndNamed() async throws {
        try await ClientHarness.with { harness in
            try await harness.withClient(.automationCloud, harness.authentication(.clientCredentials, scope: "OR.Webhooks.Read")) { client in
                _ = try await client.list()
                let error = try #require(await clientError { _ = try await client.create(WebhookChanges(name: "n", url: Self.unreachableURL)) })
                #expect(error.status == 403)
                #expect(error.access == .write)
                #expect(error.description.contains("the call needs the scope OR.Webhooks.Write (or OR.Webhooks)"), "\(error)")
                #expect(error.description.hasPrefix("POST http://127.0.0.1:\(harness.server.port)/acme/DefaultTenant/orchestrator_/odata/Webhooks: 403: "),
                        "\(error)")
            }
        }
    }

    /// Each failure a tenant answers: status, errorCode and Orchestrator's message in the error.
    @Test func errorsCarryTheStatusAndOrchestratorsMessage() async throws {
        try await ClientHarness.with { harness in
            try await harness.withClient(.standalone, .bearer(ClientHarness.bearerToken)) { client in
                _ = try await client.create(WebhookChanges(name: "taken", url: Self.unreachableURL))
                let second = try await client.create(WebhookChanges(name: "second", url: Self.unreachableURL))
                let cases: [(String, () async throws -> Void, Int, Int?, String)] = [
                    ("404", { _ = try await client.webhook(id: 999) }, 404, ErrorBody.itemNotFound, "Webhook 999 does not exist."),
                    ("404 on delete", { try await client.delete(id: 999) }, 404, ErrorBody.itemNotFound, "Webhook 999 does not exist."),
                    ("409", { _ = try await client.create(WebhookChanges(name: "TAKEN", url: Self.unreachableURL)) }, 409,
                     ErrorBody.nameAlreadyUsed, "The name 'TAKEN' is already used."),
                    ("409 on rename", { _ = try await client.update(id: second.id, WebhookChanges(name: "taken")) }, 409,
                     ErrorBody.nameAlreadyUsed, "The name 'taken' is already used."),
                    ("400", { _ = try await client.create(WebhookChanges(name: "e", url: Self.unreachableURL, events: ["job.nope"])) },
                     400, ErrorBody.invalidRequest, "Unknown event type 'job.nope'"),
                    ("400 filter", { _ = try await client.list(WebhookListQuery(filter: "Name eq")) }, 400,
                     ErrorBody.invalidRequest, "Invalid OData query options"),
                ]
                for (name, call, status, errorCode, message) in cases {
                    let error = await clientError(call)
                    #expect(error?.status == status, "\(name): \(String(describing: error))")
                    #expect(error?.errorCode == errorCode, "\(name)")
                    #expect(error?.description.contains(message) == true, "\(name): \(String(describing: error))")
                    #expect(error?.description.contains("traceId 00-") == true, "\(name)")
                }
            }
            try await harness.withClient(.automationCloud, .bearer("wrong")) { client in
                let error = await clientError { _ = try await client.list() }
                #expect(error?.status == 401 && error?.errorCode == 0)
                #expect(error?.description.contains("You are not authenticated!") == true, "\(String(describing: error))")
            }
            try await harness.withClient(.automationCloud, harness.authentication(.clientCredentials, secret: "wrong")) { client in
                let error = try #require(await clientError { _ = try await client.list() })
                guard case .identity(400, let answer) = error.kind else {
                    Issue.record("expected the identity endpoint's refusal, got \(error)")
                    return
                }
                #expect(answer?.error == "invalid_client")
                #expect(error.description.hasPrefix("POST http://127.0.0.1:\(harness.server.port)/acme/identity_/connect/token: "),
                        "\(error)")
            }
            #expect(harness.server.tokensIssued == 0)
        }
    }

    @Test func noAnswerIsUnreachable() async throws {
        let client = WebhooksClient(address: try OrchestratorAddress("http://127.0.0.1:1"),
                                    authentication: .bearer("t"), timeout: .seconds(5))
        let error = await clientError { _ = try await client.list() }
        await client.shutdown()
        guard case .unreachable = error?.kind else {
            Issue.record("expected no answer, got \(String(describing: error))")
            return
        }
        #expect(error?.description.hasPrefix("GET http://127.0.0.1:1/odata/Webhooks?") == true)
    }

    @Test func registerCreatesThenUpdatesByName() async throws {
        try await ClientHarness.with { harness in
            try await harness.withClient(.automationCloud, harness.authentication(.clientCredentials)) { client in
                let first = try await client.register(name: "recorder", WebhookChanges(url: Self.unreachableURL, enabled: true,
                                                                                       subscribeToAllEvents: true))
                #expect(first.created)
                let second = try await client.register(name: "recorder", WebhookChanges(url: "http://127.0.0.1:2/hook"))
                #expect(!second.created)
                #expect(second.webhook.id == first.webhook.id)
                #expect(second.webhook.url == "http://127.0.0.1:2/hook" && second.webhook.subscribeToAllEvents)
                #expect(try await client.list().webhooks.count == 1)
            }
        }
    }
}
