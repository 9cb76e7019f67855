import EventModel
import Receiver
import Testing

/// What `record --register` waits for: the tenant's ping, and the verdict on
/// its signature with the recorder's secret.
struct PingArrivalsTests {
    private static let ping = Array(#"{"Type":"ping","EventId":"p-1","Timestamp":"2026-12-07T10:00:00Z"}"#.utf8)

    @Test func aWatchedPingIsFoundWithItsVerdict() async throws {
        let running = try await RunningRecorder.start { $0.secret = "right" }
        defer { running.directory.remove() }
        let pings = running.recorder.pings
        try await withClient { client async throws in
            // Not watched yet: not noted.
            _ = try await exchange(client, running.base + "/h", body: Self.ping,
                                   headers: [("X-UiPath-Signature", WebhookSignature(secret: "right").sign(Self.ping))])
            #expect(await pings.verdict(forPing: "p-1", within: .milliseconds(50)) == nil)

            pings.watch()
            _ = try await exchange(client, running.base + "/h", body: Self.ping,
                                   headers: [("X-UiPath-Signature", WebhookSignature(secret: "wrong").sign(Self.ping))])
            #expect(await pings.verdict(forPing: "p-1", within: .seconds(5)) == .invalid)
            #expect(await pings.verdict(forPing: "another", within: .milliseconds(50)) == nil)
            pings.stopWatching()

            pings.watch()
            _ = try await exchange(client, running.base + "/h", body: Self.ping,
                                   headers: [("X-UiPath-Signature", WebhookSignature(secret: "right").sign(Self.ping))])
            #expect(await pings.verdict(forPing: "p-1", within: .seconds(5)) == .valid)
        }
        await running.recorder.shutdown()
    }
}
