import EventModel
import Foundation
import Testing
import TestSupport
@testable import Receiver

/// The connection rules the recorder and the sink share, over raw sockets:
/// limits on the head as a whole, the request deadline from the first byte,
/// `Expect: 100-continue`, and that nothing of a refused request is recorded.
@Suite struct WireConnectionTests {
    private static func post(_ body: String, extraHeaders: String = "") -> [UInt8] {
        Array("POST /hook HTTP/1.1\r\nHost: x\r\n\(extraHeaders)Content-Length: \(body.utf8.count)\r\n\r\n\(body)".utf8)
    }

    /// 300 short lines stay under 64 KiB but over 256 field lines; 5,000 are over both.
    @Test(arguments: [300, 5000])
    func aHeadWithTooManyFieldLinesIsRefusedAndNotRecorded(lines: Int) async throws {
        let running = try await RunningRecorder.start()
        let fields = (0..<lines).map { "X-Field-\($0): v\r\n" }.joined()
        let reply = try exchangeRaw(port: running.recorder.port, Self.post(#"{"Type":"job.created"}"#, extraHeaders: fields),
                                    until: "\r\n\r\n")
        await running.recorder.shutdown()
        #expect(reply.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(reply.prefix(80))")
        #expect(try running.records().isEmpty)
    }

    @Test func aHeadThatStopsHalfWayIsClosedAfterTheRequestTimeout() async throws {
        let running = try await RunningRecorder.start { $0.requestTimeout = .milliseconds(300) }
        let started = ContinuousClock.now
        // No end of head ever comes; the idle timeout (60 s) is far away.
        let reply = try exchangeRaw(port: running.recorder.port, Array("POST /hook HTTP/1.1\r\nHost: x\r\nX-Slow: ".utf8))
        let waited = ContinuousClock.now - started
        await running.recorder.shutdown()
        #expect(reply.isEmpty)
        #expect(waited >= .milliseconds(300) && waited < .seconds(5), "closed after \(waited)")
    }

    @Test func aClientAskingToContinueIsToldToAndRecorded() async throws {
        let running = try await RunningRecorder.start { $0.durability = .flush }
        let body = #"{"Type":"job.started"}"#
        let head = "POST /hook HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        let connection = try RawConnection(port: running.recorder.port)
        try connection.send(Array(head.utf8))
        connection.read(until: "\r\n\r\n")
        #expect(connection.received == "HTTP/1.1 100 Continue\r\n\r\n", "the body is asked for before it is sent")
        try connection.send(Array(body.utf8))
        connection.read(until: "\r\n\r\n", count: 2)
        await running.recorder.shutdown()
        #expect(connection.received.hasPrefix("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 202 Accepted\r\n"), "\(connection.received)")
        #expect(try running.records().map(\.body) == [Array(body.utf8)])
    }

    @Test func aDeclaredBodyOverTheLimitIsAnswered413BeforeItIsSent() async throws {
        let running = try await RunningRecorder.start { $0.maximumBodyBytes = 100 }
        // Only the head is sent: the answer must not wait for 10 MB of body.
        let head = "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 10000000\r\n\r\n"
        let reply = try exchangeRaw(port: running.recorder.port, Array(head.utf8))
        await running.recorder.shutdown()
        #expect(reply.hasPrefix("HTTP/1.1 413 Content Too Large\r\n"), "\(reply)")
        #expect(reply.contains("Connection: close\r\n"))
        #expect(try running.records().isEmpty)
    }

    @Test(arguments: [
        ("smuggling: both lengths", "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"),
        ("two lengths", "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}"),
        ("obsolete folding", "POST /hook HTTP/1.1\r\nHost: x\r\nX-A: 1\r\n b\r\nContent-Length: 2\r\n\r\n{}"),
        ("space before colon", "POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length : 2\r\n\r\n{}"),
        ("gzip then chunked", "POST /hook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n"),
    ])
    func ambiguousRequestsAreRefusedWhole(name: String, request: String) async throws {
        let running = try await RunningRecorder.start()
        let reply = try exchangeRaw(port: running.recorder.port, Array(request.utf8))
        await running.recorder.shutdown()
        #expect(reply.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(name): \(reply)")
        #expect(try running.records().isEmpty, "\(name)")
    }

    @Test func aChunkedBodyIsRecordedAsItsBytes() async throws {
        let running = try await RunningRecorder.start { $0.durability = .flush }
        let request = "POST /hook HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n5\r\n{\"a\":\r\n3\r\n 1}\r\n0\r\n\r\n"
        let reply = try exchangeRaw(port: running.recorder.port, Array(request.utf8), until: "\r\n\r\n")
        await running.recorder.shutdown()
        #expect(reply.hasPrefix("HTTP/1.1 202"), "\(reply)")
        #expect(try running.records().map { String(decoding: $0.body, as: UTF8.self) } == [#"{"a": 1}"#])
    }

    /// Each pipelined request gets its own deadline: a client that keeps
    /// splitting requests across reads is not cut off after the first one's.
    @Test func aPipelinedRequestGetsADeadlineOfItsOwn() async throws {
        let running = try await RunningRecorder.start { $0.requestTimeout = .seconds(1); $0.durability = .flush }
        let connection = try RawConnection(port: running.recorder.port)
        let requests = (0..<6).map { Self.post(#"{"Type":"job.created","EventId":"e\#($0)"}"#) }
        // Every read ends inside a request; 6 x 400 ms is well past one 1 s deadline,
        // and each request still has 600 ms to spare on a busy machine.
        var pending: [UInt8] = []
        for request in requests {
            pending += request
            let cut = pending.count - 10
            try connection.send(Array(pending[..<cut]))
            pending = Array(pending[cut...])
            try await Task.sleep(for: .milliseconds(400))
        }
        try connection.send(pending)
        connection.read(until: "HTTP/1.1 202", count: 6)
        await running.recorder.shutdown()
        #expect(connection.received.components(separatedBy: "HTTP/1.1 202").count - 1 == 6, "\(connection.received)")
        #expect(try running.records().count == 6)
    }

    /// The answer to HEAD carries no body, so the next answer on the connection is read as one.
    @Test func anAnswerToHEADHasNoBody() async throws {
        let running = try await RunningRecorder.start()
        let reply = try exchangeRaw(port: running.recorder.port,
                                    Array("HEAD /hook HTTP/1.1\r\nHost: x\r\n\r\nGET /healthz HTTP/1.1\r\nHost: x\r\n\r\n".utf8),
                                    until: "ok\n")
        await running.recorder.shutdown()
        let answers = reply.components(separatedBy: "HTTP/1.1 ")
        #expect(answers.count == 3, "\(reply)")
        #expect(answers[1].hasPrefix("405 ") && answers[1].hasSuffix("\r\n\r\n"), "no body after the head: \(reply)")
        #expect(answers[2].hasPrefix("200 OK"), "\(reply)")
    }

    /// A client still sending a body it was refused reads the 413, not a reset.
    @Test func aRefusedBodyStillInFlightGetsItsAnswer() async throws {
        let running = try await RunningRecorder.start { $0.maximumBodyBytes = 100 }
        let connection = try RawConnection(port: running.recorder.port)
        try connection.send(Array("POST /hook HTTP/1.1\r\nHost: x\r\nContent-Length: 2000000\r\n\r\n".utf8))
        let chunk = [UInt8](repeating: UInt8(ascii: "x"), count: 64 * 1024)
        for _ in 0..<8 { try connection.send(chunk) }
        connection.read(until: "\r\n\r\n")
        await running.recorder.shutdown()
        #expect(connection.received.hasPrefix("HTTP/1.1 413 Content Too Large\r\n"), "\(connection.received.prefix(80))")
    }

    /// A request that asks to continue while an earlier answer is still owed
    /// is told to after that answer, not before it and not never.
    @Test func aContinueOwedBehindAnEarlierAnswerFollowsIt() async throws {
        let running = try await RunningRecorder.start { $0.durability = .fsync }
        let body = #"{"Type":"job.started"}"#
        let first = Self.post(#"{"Type":"job.created"}"#)
        let second = "POST /hook HTTP/1.1\r\nHost: x\r\nExpect: 100-continue\r\nContent-Length: \(body.utf8.count)\r\n\r\n"
        let connection = try RawConnection(port: running.recorder.port)
        try connection.send(first + Array(second.utf8))
        connection.read(until: "100 Continue")
        #expect(connection.received.hasPrefix("HTTP/1.1 202 Accepted\r\n"), "\(connection.received)")
        #expect(connection.received.hasSuffix("HTTP/1.1 100 Continue\r\n\r\n"), "\(connection.received)")
        try connection.send(Array(body.utf8))
        connection.read(until: "HTTP/1.1 202", count: 2)
        await running.recorder.shutdown()
        #expect(try running.records().count == 2)
    }
}
