import Foundation
import Primitives
import Replay
import Reporting

/// The live progress line on stderr: elapsed, sent, current rate, in flight,
/// p50/p99 so far and errors, redrawn in place at most four times a second.
final class ProgressLine: Sendable {
    static let interval: Duration = .milliseconds(250)
    private let task: Task<Void, Never>

    private init(task: Task<Void, Never>) { self.task = task }

    static func start(engine: ReplayEngine) -> ProgressLine {
        ProgressLine(task: Task {
            var previous: (sent: Int, at: Duration)?
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                guard let progress = engine.progress() else { continue }
                let rate: Double
                if let previous, progress.elapsed > previous.at {
                    rate = Double(progress.sent - previous.sent) / (progress.elapsed - previous.at).seconds
                } else {
                    rate = 0
                }
                previous = (progress.sent, progress.elapsed)
                FileHandleStderr.write("\r\u{1B}[K" + line(progress, rate: rate))
            }
        })
    }

    static func line(_ progress: ReplayProgress, rate: Double) -> String {
        if progress.elapsed < .zero {
            return "waiting for --start-at: starts in \(HumanUnits.duration(.zero - progress.elapsed))"
        }
        var text = "\(HumanUnits.duration(progress.elapsed)) sent \(progress.sent) (\(Int(rate.rounded()))/s)"
        text += " in flight \(progress.inFlight)"
        if progress.latency.count > 0 {
            text += " p50 \(HumanUnits.duration(progress.latency.percentile(50)))"
            text += " p99 \(HumanUnits.duration(progress.latency.percentile(99)))"
        }
        text += " errors \(progress.failed)"
        return text
    }

    /// Stops redrawing and clears the line.
    func finish() async {
        task.cancel()
        _ = await task.value
        FileHandleStderr.write("\r\u{1B}[K")
    }
}

