import ArgumentParser
import EventModel
import Glibc
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
        text = argument
        let units: [(String, Int64)] = [
            ("KiB", 1 << 10), ("MiB", 1 << 20), ("GiB", 1 << 30),
            ("KB", 1000), ("MB", 1_000_000), ("GB", 1_000_000_000), ("B", 1), ("", 1),
        ]
        for (suffix, multiplier) in units where argument.hasSuffix(suffix) {
            guard let value = Int64(argument.dropLast(suffix.count)), value > 0 else { continue }
            bytes = value * multiplier
            return
        }
        return nil
    }
}

/// A duration such as `250ms`, `5s`, `10m`, `1h` or `1.5s`.
struct DurationArgument: ExpressibleByArgument {
    let duration: Duration
    let text: String

    var defaultValueDescription: String { text }

    init?(argument: String) {
        text = argument
        let units: [(String, Double)] = [("ms", 1e-3), ("us", 1e-6), ("µs", 1e-6), ("s", 1), ("m", 60), ("h", 3600)]
        for (suffix, seconds) in units where argument.hasSuffix(suffix) {
            guard let value = Double(argument.dropLast(suffix.count)), value >= 0, value.isFinite else { return nil }
            duration = .nanoseconds(Int64((value * seconds * 1e9).rounded()))
            return
        }
        return nil
    }
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
