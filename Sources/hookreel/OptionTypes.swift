import ArgumentParser
import EventModel
import Glibc
import Primitives
import SegmentStore

extension Timestamp: ExpressibleByArgument {
    public init?(argument: String) {
        self.init(rfc3339: argument)
    }

}

extension EventTypePattern: ExpressibleByArgument {
    public init?(argument: String) {
        guard !argument.isEmpty else { return nil }
        self.init(argument)
    }
}

/// A byte count such as `64MiB`, `512KiB`, `1GB` or `4096`.
struct ByteSize: ExpressibleByArgument {
    let bytes: Int64
    let text: String

    var defaultValueDescription: String { text }

    init?(argument: String) {
        let units: [(String, Double)] = [
            ("KiB", 1024), ("MiB", 1024 * 1024), ("GiB", 1024 * 1024 * 1024),
            ("KB", 1e3), ("MB", 1e6), ("GB", 1e9), ("B", 1), ("", 1),
        ]
        guard let bytes = scaledQuantity(argument, units: units), bytes >= 1, bytes == bytes.rounded() else { return nil }
        self.bytes = Int64(bytes)
        text = argument
    }
}

/// A duration such as `250ms`, `5s`, `10m`, `1h` or `1.5s` (`DurationText`'s grammar).
struct DurationArgument: ExpressibleByArgument {
    let duration: Duration
    let text: String

    var defaultValueDescription: String { text }

    init?(argument: String) {
        guard let duration = try? DurationText.parse(argument) else { return nil }
        self.duration = duration
        text = argument
    }

    init(_ duration: Duration) {
        self.duration = duration
        text = DurationText.format(duration)
    }
}

/// `argument` as a non-negative number followed by the first of `units` whose
/// suffix it ends with, times that unit's factor.
private func scaledQuantity(_ argument: String, units: [(suffix: String, factor: Double)]) -> Double? {
    guard let unit = units.first(where: { argument.hasSuffix($0.suffix) }),
          let value = Double(argument.dropLast(unit.suffix.count)), value >= 0, value.isFinite
    else { return nil }
    let scaled = value * unit.factor
    return scaled < 1e18 ? scaled : nil
}

/// A failure to report as one line on stderr (no usage text, no stack trace).
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
    init(_ description: String) { self.description = description }
}

/// The recording named on the command line, or a failure naming it.
func openRecording(_ path: String) throws(CommandFailure) -> Recording {
    do {
        return try Recording(path: path)
    } catch {
        throw CommandFailure("cannot read recording: \(error)")
    }
}
