import Foundation
import Primitives
import Replay
import Reporting

/// The live progress line on stderr, redrawn in place four times a second:
/// elapsed, sent, the rate of the last second against the target, in flight,
/// errors, latency p99 so far and of the last second, and an `--abort-on` breach.
final class ProgressLine: Sendable {
    static let interval: Duration = .milliseconds(250)
    private let task: Task<Void, Never>

    private init(task: Task<Void, Never>) { self.task = task }

    static func start(engine: ReplayEngine) -> ProgressLine {
        ProgressLine(task: Task {
            var window = RateWindow()
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let progress = engine.progress() else { continue }
                let rate = window.rate(sent: progress.sent, at: progress.elapsed)
                FileHandleStderr.write("\r\u{1B}[K" + line(progress, rate: rate))
            }
        })
    }

    static func line(_ progress: ReplayProgress, rate: Double) -> String {
        if progress.elapsed < .zero {
            return "waiting for --start-at: starts in \(HumanUnits.duration(.zero - progress.elapsed))"
        }
        var text = "\(HumanUnits.duration(progress.elapsed)) sent \(progress.sent) (\(Int(rate.rounded()))/s"
        if let target = progress.targetRate { text += " of \(Int(target.rounded()))/s" }
        text += ") in flight \(progress.inFlight) errors \(progress.failed)"
        if progress.latency.count > 0 {
            text += " p99 \(HumanUnits.duration(progress.latency.percentile(99)))"
        }
        if progress.lastSecondLatency.count > 0 {
            text += " (last 1s: \(HumanUnits.duration(progress.lastSecondLatency.percentile(99))))"
        }
        if let abort = progress.abort {
            text += " ABORTING: \(abort.threshold) breached at \(abort.second)s"
        }
        return text
    }

    /// Sends per second over the last second of progress readings.
    struct RateWindow {
        private var readings: [(sent: Int, at: Duration)] = []

        mutating func rate(sent: Int, at elapsed: Duration) -> Double {
            readings.append((sent, elapsed))
            readings.removeAll { elapsed - $0.at > .seconds(1) }
            guard let oldest = readings.first, elapsed > oldest.at else { return 0 }
            return Double(sent - oldest.sent) / (elapsed - oldest.at).seconds
        }
    }

    /// Stops redrawing and clears the line.
    func finish() async {
        task.cancel()
        _ = await task.value
        FileHandleStderr.write("\r\u{1B}[K")
    }
}

