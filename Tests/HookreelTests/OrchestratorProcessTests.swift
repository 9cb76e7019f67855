import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import TestSupport

/// `hookreel orchestrator` with real processes on 127.0.0.1: two sinks with
/// different secrets register different subscriptions through the Webhooks
/// API, a storm goes through the emulator's fan-out, and each sink receives
/// exactly the event types it subscribed to, every signature valid with its
/// own secret. Webhooks survive a restart of the emulator.
@Suite(.serialized)
struct OrchestratorProcessTests {
    static let quickstart = CommandRunner.packageRoot + "/scenarios/quickstart.yaml"
    static let jobTypes = ["job.created", "job.started", "job.completed", "job.faulted", "job.stopped"]
    static let queueItemTypes = ["queueItem.added", "queueItem.transactionStarted", "queueItem.transactionCompleted",
                                 "queueItem.transactionFailed", "queueItem.transactionAbandoned"]

    private func webhook(name: String, url: String, secret: String, events: [String]) -> String {
        let list = events.map { #"{"EventType":"\#($0)"}"# }.joined(separator: ",")
        return #"{"Name":"\#(name)","Url":"\#(url)","Enabled":true,"Secret":"\#(secret)","SubscribeToAllEvents":false,"AllowInsecureSsl":false,"Events":[\#(list)]}"#
    }

    private func post(_ client: HTTPClient, _ url: String, json: String, token: String) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        request.method = .POST
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        request.headers.add(name: "Content-Type", value: "application/json")
        request.body = .bytes(ByteBuffer(string: json))
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    private func get(_ client: HTTPClient, _ url: String, token: String) async throws -> (Int, String) {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Authorization", value: "Bearer \(token)")
        let response = try await client.execute(request, timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    /// The event types a sink's summary lists, and its signature line.
    private func received(_ summary: String) -> (types: Set<String>, signatures: String?) {
        var types: Set<String> = []
        var inTypes = false
        var signatures: String?
        for line in summary.split(separator: "\n") {
            if line.hasPrefix("signatures:") { signatures = String(line) }
            if line == "event types:" { inTypes = true; continue }
            if inTypes {
                guard line.hasPrefix("  ") else { inTypes = false; continue }
                types.insert(String(line.split(separator: " ").first ?? ""))
            }
        }
        return (types, signatures)
    }

    @Test func aStormThroughTheEmulatorReachesEachSinkByItsSubscription() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let token = "emulator-token"
        let environment = ["EMU_TOKEN": token, "JOBS_SECRET": "jobs-secret", "ITEMS_SECRET": "items-secret"]
        let database = directory.file("orchestrator.sqlite")
        var emulator = try ChildServer(command: "orchestrator", arguments: ["--db", database, "--token-env", "EMU_TOKEN"],
                                       environment: environment)
        let jobsSink = try ChildServer(arguments: ["--secret-env", "JOBS_SECRET", "--seed", "1"], environment: environment)
        let itemsSink = try ChildServer(arguments: ["--secret-env", "ITEMS_SECRET", "--seed", "2"], environment: environment)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)

        do {
            let api = "http://127.0.0.1:\(emulator.port)/acme/default/orchestrator_/odata/Webhooks"
            let jobs = try await post(client, api, json: webhook(name: "jobs", url: "http://127.0.0.1:\(jobsSink.port)/hook",
                                                                  secret: "jobs-secret", events: Self.jobTypes), token: token)
            #expect(jobs.0 == 201, "\(jobs.1)")
            let items = try await post(client, api, json: webhook(name: "items", url: "http://127.0.0.1:\(itemsSink.port)/hook",
                                                                   secret: "items-secret", events: Self.queueItemTypes), token: token)
            #expect(items.0 == 201, "\(items.1)")

            // Webhooks live in the database: a restarted emulator still has them.
            _ = emulator.stop(with: SIGTERM)
            emulator = try ChildServer(command: "orchestrator", arguments: ["--db", database, "--token-env", "EMU_TOKEN"],
                                       environment: environment)
            let listed = try await get(client, "http://127.0.0.1:\(emulator.port)/odata/Webhooks?$filter=Name%20eq%20'items'",
                                       token: token)
            #expect(listed.0 == 200)
            #expect(listed.1.contains(#""@odata.count":1"#), "\(listed.1)")

            let storm = try CommandRunner.run("/usr/bin/env", [
                "EMU_TOKEN=\(token)", CommandRunner.binary, "storm", Self.quickstart,
                "--target", "http://127.0.0.1:\(emulator.port)/hookreel/events", "--header", "Authorization: Bearer \(token)",
                "--duration", "4s", "--time-scale", "600", "--quiet",
            ])
            #expect(storm.status == 0, "\(storm.stderr)")
            #expect(storm.stdoutText.contains("statuses          200: "), "\(storm.stdoutText)")

            let deliveries = try await get(client, "http://127.0.0.1:\(emulator.port)/hookreel/deliveries", token: token)
            #expect(deliveries.0 == 200)
            #expect(deliveries.1.contains(#""failed":0"#), "\(deliveries.1)")
        } catch {
            Issue.record("\(error)")
        }
        try await client.shutdown()
        _ = emulator.stop(with: SIGTERM)

        let jobsSummary = received(jobsSink.stop(with: SIGTERM).stdout)
        let itemsSummary = received(itemsSink.stop(with: SIGTERM).stdout)
        #expect(!jobsSummary.types.isEmpty && jobsSummary.types.isSubset(of: Set(Self.jobTypes)), "\(jobsSummary.types)")
        #expect(!itemsSummary.types.isEmpty && itemsSummary.types.isSubset(of: Set(Self.queueItemTypes)), "\(itemsSummary.types)")
        #expect(jobsSummary.signatures?.hasSuffix("invalid 0, missing 0") == true, "\(jobsSummary.signatures ?? "none")")
        #expect(itemsSummary.signatures?.hasSuffix("invalid 0, missing 0") == true, "\(itemsSummary.signatures ?? "none")")
        #expect(jobsSummary.signatures?.hasPrefix("signatures: valid 0") == false)
    }
}
