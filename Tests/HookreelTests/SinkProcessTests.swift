import AsyncHTTPClient
import EventModel
import Foundation
import Synchronization
import Testing

/// `hookreel sink` as users run it: a process that prints its summary when signalled.
struct SinkProcessTests {
    private func job(_ type: String, eventId: String, key: String) -> [UInt8] {
        Array(#"{"Type":"\#(type)","EventId":"\#(eventId)","Job":{"Id":1,"Key":"\#(key)"},"TenantId":1}"#.utf8)
    }

    @Test(arguments: [SIGTERM, SIGINT])
    func printsTheSummaryWhenSignalled(signal: Int32) async throws {
        let secret = "abcdef"
        let sink = try ChildServer(arguments: ["--secret-env", "SINK_TEST_SECRET", "--seed", "7", "--latency", "uniform(1ms,5ms)"],
                                 environment: ["SINK_TEST_SECRET": secret])
        let signer = WebhookSignature(secret: secret)
        let bodies = [
            job("job.started", eventId: "1", key: "job-1"),
            job("job.completed", eventId: "2", key: "job-1"),
            job("job.completed", eventId: "2", key: "job-1"),
            job("job.started", eventId: "3", key: "job-1"),
        ]
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        var statuses: [UInt] = []
        for (index, body) in bodies.enumerated() {
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(sink.port)/webhooks")
            request.method = .POST
            request.body = .bytes(body)
            if index != 3 { request.headers.add(name: "X-UiPath-Signature", value: signer.sign(body)) }
            let response = try await client.execute(request, timeout: .seconds(10))
            _ = try await response.body.collect(upTo: 1 << 16)
            statuses.append(response.status.code)
        }
        try await client.shutdown()
        #expect(statuses == [200, 200, 200, 200])

        let (status, stdout) = sink.stop(with: signal)
        #expect(status == 0, "\(sink.stderr)")
        let lines = stdout.split(separator: "\n").map(String.init)
        #expect(lines.first == "requests received: 4", "\(stdout)")
        #expect(lines.contains { $0.hasPrefix("rate: ") && $0.contains(" requests/s over ") })
        #expect(lines.contains("signatures: valid 3, invalid 0, missing 1"))
        #expect(lines.contains("duplicate EventIds: 1 (deliveries of an EventId already answered 2xx)"))
        #expect(lines.contains("  2 (job.completed): answered 2xx 2 times"))
        #expect(lines.contains("order violations: 1"))
        #expect(lines.contains("  job job-1: job.started after job.completed"))
        #expect(lines.contains("  job.completed  2") && lines.contains("  job.started    2"))
        #expect(lines.contains("  200  4"))
        #expect(lines.last == "seed: 7")
    }

    @Test func rejectsAMalformedOptionNamingIt() throws {
        let result = try CommandRunner.hookreel(["sink", "--listen", "127.0.0.1:0", "--error-rate", "150%"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("--error-rate '150%': must be from 0 to 1 (0% to 100%)"))
    }
}
