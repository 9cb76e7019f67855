import EventModel
import Reporting
import TestSupport

/// A sample from millisecond offsets: scheduled at `intended`, sent `lag` later,
/// completed `service` after sending.
func sample(intended: Double, lag: Double = 0, service: Double, outcome: RequestOutcome = .status(200),
            bytesSent: Int = 100, bytesReceived: Int = 10) -> RequestSample {
    RequestSample(intended: microseconds(intended), sent: microseconds(intended + lag),
                  completed: microseconds(intended + lag + service), outcome: outcome,
                  bytesSent: bytesSent, bytesReceived: bytesReceived)
}

/// Milliseconds as whole microseconds, so sums like 0.2 + 1 do not land a microsecond short.
private func microseconds(_ milliseconds: Double) -> Duration {
    .microseconds(Int64((milliseconds * 1000).rounded()))
}

func statistics(_ samples: [RequestSample]) -> RunStatistics {
    var statistics = RunStatistics()
    for sample in samples { statistics.record(sample) }
    return statistics
}

func metadata(startedAt: String = "2026-03-01T12:00:00.000000Z", target: String = "http://127.0.0.1:8080/hook",
              targetRate: Double? = 100, pacing: String = "constant 100/s (uniform)") -> RunMetadata {
    RunMetadata(command: "replay", target: target, pacing: pacing,
                startedAt: Timestamp(rfc3339: startedAt)!, targetRate: targetRate, skippedRecords: 0)
}

/// Random but replayable samples over `seconds` seconds: mostly fast, a tail of slow
/// ones, some lagging sends, a mix of statuses and transport errors.
func randomSamples(count: Int, seconds: Double, using generator: inout SeededGenerator) -> [RequestSample] {
    let outcomes: [RequestOutcome] = [.status(200), .status(200), .status(202), .status(503), .status(404),
                                      .error(.timeout), .error(.refused), .error(.reset), .error(.other)]
    return (0..<count).map { _ in
        let slow = Double.random(in: 0..<1, using: &generator) < 0.02
        return sample(
            intended: Double.random(in: 0..<(seconds * 1000), using: &generator),
            lag: Double.random(in: 0..<1, using: &generator) < 0.1 ? Double.random(in: 0..<300, using: &generator) : 0,
            service: slow ? Double.random(in: 500..<5000, using: &generator) : Double.random(in: 0.05..<40, using: &generator),
            outcome: outcomes.randomElement(using: &generator)!,
            bytesSent: Int.random(in: 0..<4096, using: &generator),
            bytesReceived: Int.random(in: 0..<512, using: &generator))
    }
}
