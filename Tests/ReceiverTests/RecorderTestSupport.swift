import AsyncHTTPClient
import EventModel
import Foundation
import Logging
import NIOCore
import NIOHTTP1
import Receiver
import SegmentStore
import TestSupport

/// A recorder on 127.0.0.1, an ephemeral port, and a temporary directory.
struct RunningRecorder {
    let recorder: Recorder
    let directory: TemporaryDirectory
    var recording: String { recorder.configuration.directory }
    var base: String { "http://127.0.0.1:\(recorder.port)" }

    static func start(
        directory: TemporaryDirectory? = nil, instance: String = "rec-test",
        _ configure: (inout RecorderConfiguration) -> Void = { _ in }
    ) async throws -> RunningRecorder {
        let directory = try directory ?? TemporaryDirectory()
        var configuration = RecorderConfiguration(directory: directory.file("rec"), instance: instance)
        configure(&configuration)
        var logger = Logger(label: "test.recorder")
        logger.logLevel = .critical
        return RunningRecorder(recorder: try await Recorder.start(configuration, logger: logger), directory: directory)
    }

    /// Reads back what was recorded (after `shutdown`).
    func records() throws -> [RecordedRequest] {
        var issues: [ReadIssue] = []
        let reader = RecordReader(try Recording(path: recording)) { issues.append($0) }
        let records = reader.map { $0.record.decode() }
        if !issues.isEmpty { throw RecordingProblems(issues: issues) }
        return records
    }
}

struct RecordingProblems: Error { let issues: [ReadIssue] }

/// A test HTTP client (AsyncHTTPClient), shut down by `withClient`.
func withClient<T>(_ body: (HTTPClient) async throws -> T) async throws -> T {
    var configuration = HTTPClient.Configuration()
    configuration.connectionPool = .init(idleTimeout: .seconds(5), concurrentHTTP1ConnectionsPerHostSoftLimit: 16)
    configuration.timeout = .init(connect: .seconds(5), read: .seconds(10))
    let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    do {
        let result = try await body(client)
        try await client.shutdown()
        return result
    } catch {
        try? await client.shutdown()
        throw error
    }
}

struct Reply {
    var status: Int
    var headers: [(String, String)]
    var body: String
}

func exchange(_ client: HTTPClient, _ url: String, method: HTTPMethod = .POST, body: [UInt8]? = nil,
          headers: [(String, String)] = []) async throws -> Reply {
    var request = HTTPClientRequest(url: url)
    request.method = method
    for (name, value) in headers { request.headers.add(name: name, value: value) }
    if let body { request.body = .bytes(body) }
    let response = try await client.execute(request, timeout: .seconds(10))
    let bytes = try await response.body.collect(upTo: 1 << 20)
    return Reply(status: Int(response.status.code), headers: response.headers.map { ($0.name, $0.value) },
                 body: String(buffer: bytes))
}

/// An Orchestrator-like job event body with a given id.
func eventBody(_ id: Int, type: EventType = .jobCompleted) -> [UInt8] {
    Array(#"{"Type":"\#(type.rawValue)","EventId":"\#(id)","Timestamp":"2026-11-29T10:00:00.1234567Z","Job":{"Id":\#(id),"State":"Successful","Info":"done \"quoted\" é"},"TenantId":1,"OrganizationUnitId":12}"#.utf8)
}
