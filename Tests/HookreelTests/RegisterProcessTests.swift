import AsyncHTTPClient
import Foundation
import NIOCore
import Testing
import TestSupport

/// `record --register` against `hookreel orchestrator` as processes: the
/// recorder registers itself with its secret, starts once the tenant's ping
/// arrived validly signed, and deletes the webhook at a clean stop; a public
/// URL that leads nowhere fails the start with the reason. (A ping signed with
/// another secret is `PingArrivalsTests`'s.)
@Suite(.serialized)
struct RegisterProcessTests {
    static let token = "register-test-token"
    static let environment = ["EMU_TOKEN": token, "REC_SECRET": "recorder-secret"]

    private func webhooks(_ client: HTTPClient, emulator: ChildServer) async throws -> String {
        var request = HTTPClientRequest(url: "http://127.0.0.1:\(emulator.port)/odata/Webhooks")
        request.headers.add(name: "Authorization", value: "Bearer \(Self.token)")
        let response = try await client.execute(request, timeout: .seconds(10))
        return String(buffer: try await response.body.collect(upTo: 1 << 20))
    }

    private func registering(_ name: String, emulator: ChildServer, publicURL: String, extra: [String] = []) -> [String] {
        ["--secret-env", "REC_SECRET", "--register", name, "--public-url", publicURL,
         "--orchestrator", "http://127.0.0.1:\(emulator.port)/acme/default/orchestrator_", "--token-env", "EMU_TOKEN",
         "--register-timeout", "3s"] + extra
    }

    /// Waits (up to 20 s) until the recorder's log contains `text`.
    private func waitForLog(_ recorder: ChildRecorder, _ text: String) -> Bool {
        let deadline = Date().addingTimeInterval(20)
        while !recorder.stderr.contains(text) && Date() < deadline && recorder.process.isRunning { usleep(20_000) }
        return recorder.stderr.contains(text)
    }

    @Test func theRecorderRegistersChecksAndDeletesItsWebhook() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let emulator = try ChildServer(command: "orchestrator", arguments: ["--db", directory.file("o.sqlite"), "--token-env", "EMU_TOKEN"],
                                       environment: Self.environment)
        let free = try ClosedPort()
        let port = free.port
        free.close()
        let recording = directory.file("rec")
        let publicURL = "http://127.0.0.1:\(port)/from-tenant"
        let recorder = try ChildRecorder(arguments: ["--out", recording, "--durability", "flush"]
                                            + registering("hookreel-capture", emulator: emulator, publicURL: publicURL,
                                                          extra: ["--events", "job.created,job.completed", "--unregister", "delete"]),
                                         port: port, environment: Self.environment)
        #expect(waitForLog(recorder, "reachable"), "\(recorder.stderr)")
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let registered = try await webhooks(client, emulator: emulator)
        #expect(registered.contains(#""Name":"hookreel-capture""#) && registered.contains(#""Url":"\#(publicURL)""#), "\(registered)")
        #expect(registered.contains(#""Secret":"recorder-secret""#) && registered.contains(#""Enabled":true"#))
        #expect(registered.contains(#"{"EventType":"job.created"},{"EventType":"job.completed"}"#), "\(registered)")

        #expect(recorder.stop(with: SIGTERM) == 0, "\(recorder.stderr)")
        #expect(recorder.stderr.contains("deleted the webhook"))
        let left = try await webhooks(client, emulator: emulator)
        #expect(left.contains(#""value":[]"#), "\(left)")

        // `disable` leaves the webhook on the tenant, disabled.
        let again = try ChildRecorder(arguments: ["--out", directory.file("again"), "--durability", "flush"]
                                        + registering("hookreel-capture", emulator: emulator, publicURL: publicURL,
                                                      extra: ["--unregister", "disable"]),
                                      port: port, environment: Self.environment)
        #expect(waitForLog(again, "reachable"), "\(again.stderr)")
        #expect(again.stop(with: SIGTERM) == 0, "\(again.stderr)")
        let disabled = try await webhooks(client, emulator: emulator)
        try await client.shutdown()
        _ = emulator.stop(with: SIGTERM)
        #expect(disabled.contains(#""Name":"hookreel-capture""#) && disabled.contains(#""Enabled":false"#), "\(disabled)")

        let cat = try CommandRunner.hookreel(["cat", recording])
        let pings = cat.stdoutText.split(separator: "\n").filter { $0.contains(#""type":"ping""#) }
        #expect(pings.count == 1, "\(cat.stdoutText)")
        #expect(pings.first?.contains(#""signature":"valid""#) == true && pings.first?.contains(#""path":"/from-tenant""#) == true)
    }

    @Test func aStartThatTheTenantCannotConfirmFailsWithTheReason() async throws {
        let directory = try TemporaryDirectory()
        defer { directory.remove() }
        let emulator = try ChildServer(command: "orchestrator", arguments: ["--db", directory.file("o.sqlite"), "--token-env", "EMU_TOKEN"],
                                       environment: Self.environment)
        let nowhere = try ClosedPort()
        defer { nowhere.close() }
        let unreached = try CommandRunner.run("/usr/bin/env", ["EMU_TOKEN=\(Self.token)", "REC_SECRET=recorder-secret", CommandRunner.binary,
            "record", "--listen", "127.0.0.1:0", "--out", directory.file("a")]
            + registering("nowhere", emulator: emulator, publicURL: "http://127.0.0.1:\(nowhere.port)/"))
        #expect(unreached.status == 1)
        #expect(unreached.stderr.contains("did not arrive within 3s: the tenant cannot reach http://127.0.0.1:\(nowhere.port)/"),
                "\(unreached.stderr)")

        _ = emulator.stop(with: SIGTERM)
    }
}
