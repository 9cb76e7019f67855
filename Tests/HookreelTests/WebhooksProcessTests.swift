import Foundation
import Testing
import TestSupport

/// `hookreel webhooks` as a process against `hookreel orchestrator` as a
/// process: each verb, both URL forms, both ways to authenticate, secrets
/// hidden unless asked for, and the exit statuses of the errors.
@Suite(.serialized)
struct WebhooksProcessTests {
    static let environment = ["EMU_TOKEN": "emulator-token", "APP_SECRET": "app-secret", "HOOK_SECRET": "s3cret-value"]

    /// Runs `hookreel webhooks <arguments>`.
    private func webhooks(_ arguments: [String], environment: [String: String] = [:]) throws -> CommandRunner.Result {
        try CommandRunner.hookreel(["webhooks"] + arguments, environment: Self.environment.merging(environment) { $1 })
    }

    private func startEmulator(_ directory: TemporaryDirectory) throws -> ChildServer {
        try ChildServer(command: "orchestrator",
                        arguments: ["--db", directory.file("orchestrator.sqlite"), "--token-env", "EMU_TOKEN",
                                    "--client-id", "hookreel-app", "--client-secret-env", "APP_SECRET"],
                        environment: Self.environment)
    }

    @Test func everyVerbAgainstTheEmulator() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let emulator = try startEmulator(directory)
        defer { _ = emulator.stop(with: SIGTERM) }
        let cloud = ["--orchestrator", "http://127.0.0.1:\(emulator.port)/acme/DefaultTenant/orchestrator_",
                     "--client-id", "hookreel-app", "--client-secret-env", "APP_SECRET"]
        // The Standalone form, from the environment, with the bearer token.
        let standalone = ["--token-env", "EMU_TOKEN"]
        let standaloneEnvironment = ["HOOKREEL_ORCHESTRATOR": "http://127.0.0.1:\(emulator.port)"]

        let created = try webhooks(["create", "billing", "--url", "http://127.0.0.1:1/hook", "--events", "job.started, job.completed",
                                    "--secret-env", "HOOK_SECRET", "--description", "invoices", "--json"] + cloud)
        #expect(created.status == 0, "\(created.stderr)")
        let object = try #require(try JSONSerialization.jsonObject(with: created.stdout) as? [String: Any], "\(created.stdoutText)")
        let id = try #require(object["Id"] as? Int)
        #expect(id == 1, "a fresh database: the table below is aligned for a one-digit Id")
        #expect(object["Name"] as? String == "billing" && object["Enabled"] as? Bool == true)
        #expect(object["Secret"] == nil && !created.stdoutText.contains("s3cret-value"), "\(created.stdoutText)")
        #expect(created.stdoutText.hasPrefix(#"{"Key":"#), "members in the API's order: \(created.stdoutText)")

        let listed = try webhooks(["list", "--name", "billing"] + standalone, environment: standaloneEnvironment)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(listed.stdoutLines.first?.hasPrefix("ID  NAME     ENABLED  EVENTS                     SECRET    URL") == true,
                "\(listed.stdoutText)")
        #expect(listed.stdoutText.contains("\(id)   billing  yes      job.started,job.completed  (hidden)  http://127.0.0.1:1/hook"),
                "\(listed.stdoutText)")
        #expect(listed.stdoutLines.last == "1 of 1 webhooks")
        #expect(!listed.stdoutText.contains("s3cret-value"))

        let shown = try webhooks(["get", "\(id)", "--show-secrets"] + standalone, environment: standaloneEnvironment)
        #expect(shown.status == 0, "\(shown.stderr)")
        #expect(shown.stdoutText.contains("Secret                s3cret-value"), "\(shown.stdoutText)")
        #expect(shown.stdoutText.contains("Description           invoices"), "\(shown.stdoutText)")

        let updated = try webhooks(["update", "\(id)", "--disabled", "--all-events", "--json"] + cloud)
        #expect(updated.status == 0, "\(updated.stderr)")
        #expect(updated.stdoutText.contains(#""Enabled":false,"SubscribeToAllEvents":true"#), "\(updated.stdoutText)")
        #expect(updated.stdoutText.contains(#""Description":"invoices""#), "only what is given changes: \(updated.stdoutText)")

        let filtered = try webhooks(["list", "--disabled", "--filter", "startswith(Name,'bill')", "--json"] + cloud)
        #expect(filtered.stdoutText.hasPrefix(#"{"@odata.count":1,"value":[{"Key":"#), "\(filtered.stdoutText)")

        let pinged = try webhooks(["ping", "\(id)"] + cloud)
        #expect(pinged.status == 0, "\(pinged.stderr)")
        #expect(pinged.stdoutText.hasPrefix("sent ping event "), "\(pinged.stdoutText)")

        let types = try webhooks(["event-types"] + standalone, environment: standaloneEnvironment)
        #expect(types.stdoutLines.contains { $0.hasPrefix("job.completed") }, "\(types.stdoutText)")

        let unconfirmed = try webhooks(["delete", "\(id)"] + cloud)
        #expect(unconfirmed.status == 64)
        #expect(unconfirmed.stderr.contains("confirm with --yes"), "\(unconfirmed.stderr)")
        let deleted = try webhooks(["delete", "\(id)", "--yes"] + cloud)
        #expect(deleted.status == 0 && deleted.stdoutText == "deleted webhook \(id)\n", "\(deleted.stderr)")

        let missing = try webhooks(["get", "\(id)"] + cloud)
        #expect(missing.status == 4)
        #expect(missing.stderr.contains("404: Webhook \(id) does not exist. (errorCode 1002, traceId 00-"), "\(missing.stderr)")
    }

    @Test func errorsExitWithTheirStatusAndSayWhy() throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let emulator = try startEmulator(directory)
        defer { _ = emulator.stop(with: SIGTERM) }
        let url = "http://127.0.0.1:\(emulator.port)"
        let create = ["create", "taken", "--url", "http://127.0.0.1:1/hook", "--all-events", "--orchestrator", url]
        #expect(try webhooks(create + ["--token-env", "EMU_TOKEN"]).status == 0)

        let cases: [(String, [String], Int32, String)] = [
            ("name taken", create + ["--token-env", "EMU_TOKEN"], 5, "409: The name 'taken' is already used. (errorCode 1001"),
            ("missing scope", create + ["--client-id", "hookreel-app", "--client-secret-env", "APP_SECRET", "--scope", "OR.Webhooks.Read"],
             3, "the call needs the scope OR.Webhooks.Write (or OR.Webhooks)"),
            ("bad token", ["list", "--orchestrator", url, "--token-env", "APP_SECRET"], 2, "401: You are not authenticated!"),
            ("bad client secret", ["list", "--orchestrator", url, "--client-id", "hookreel-app", "--client-secret-env", "EMU_TOKEN"], 2,
             "identity/connect/token: the identity server refused the token request: 400: invalid_client"),
            ("unknown event type", ["create", "x", "--url", "http://127.0.0.1:1/h", "--events", "job.nope", "--orchestrator", url,
                                    "--token-env", "EMU_TOKEN"], 6, "Unknown event type 'job.nope'"),
            ("missing variable", ["list", "--orchestrator", url, "--token-env", "NOT_SET_ANYWHERE"], 1,
             "--token-env: environment variable NOT_SET_ANYWHERE is not set or empty"),
            ("bad URL", ["list", "--orchestrator", "\(url)/acme", "--token-env", "EMU_TOKEN"], 64, "is not an Orchestrator URL"),
            ("no URL", ["list", "--token-env", "EMU_TOKEN"], 64, "give --orchestrator URL or set HOOKREEL_ORCHESTRATOR"),
            ("no credentials", ["list", "--orchestrator", url], 64, "give --token-env NAME"),
            ("no answer", ["list", "--orchestrator", "http://127.0.0.1:1", "--token-env", "EMU_TOKEN"], 1, "no answer"),
        ]
        for (name, arguments, status, message) in cases {
            let result = try webhooks(arguments)
            #expect(result.status == status, "\(name): \(result.stderr)")
            #expect(result.stderr.contains(message), "\(name): \(result.stderr)")
            #expect(result.stdout.isEmpty, "\(name)")
        }
    }
}
