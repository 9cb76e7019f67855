import ArgumentParser
import EventModel
import Foundation
import Primitives
import Replay
import Reporting

/// `--rate`: `500/s`, `30000/m`, `2/ms`... a bare number is per second; `max`
/// is closed loop.
enum RateArgument: ExpressibleByArgument {
    case perSecond(Double)
    case max

    init?(argument: String) {
        if argument == "max" {
            self = .max
        } else if let rate = parseRate(argument) {
            self = .perSecond(rate)
        } else {
            return nil
        }
    }
}

/// A rate such as `500/s`, `30000/m`, `10/h` or `500`, in requests per second.
func parseRate(_ text: String) -> Double? {
    let units: [(suffix: String, perSecond: Double)] = [("/s", 1), ("/m", 1.0 / 60), ("/h", 1.0 / 3600), ("", 1)]
    guard let unit = units.first(where: { text.hasSuffix($0.suffix) }),
          let value = Double(text.dropLast(unit.suffix.count)), value >= 0, value.isFinite
    else { return nil }
    return value * unit.perSecond
}

/// `--stage DURATION:RATE`, e.g. `30s:1000/s`.
struct StageArgument: ExpressibleByArgument {
    let stage: ArrivalCurve.Stage

    init?(argument: String) {
        guard let colon = argument.firstIndex(of: ":"),
              let duration = DurationArgument(argument: String(argument[..<colon])), duration.duration > .zero,
              let rate = parseRate(String(argument[argument.index(after: colon)...]))
        else { return nil }
        stage = ArrivalCurve.Stage(duration: duration.duration, targetRate: rate)
    }
}

/// `--loop N` or `--loop forever`.
enum PassCount: ExpressibleByArgument {
    case count(Int)
    case forever

    init?(argument: String) {
        if argument == "forever" {
            self = .forever
        } else if let count = Int(argument), count >= 1 {
            self = .count(count)
        } else {
            return nil
        }
    }

    var defaultValueDescription: String {
        switch self {
        case .count(let count): String(count)
        case .forever: "forever"
        }
    }
}

/// `--header 'Name: value'`. Headers that frame the request (`Host`,
/// `Content-Length`, `Transfer-Encoding`, `Connection`) are the client's own
/// and refused here.
struct HeaderArgument: ExpressibleByArgument {
    static let reservedNames: Set<String> = ["host", "content-length", "transfer-encoding", "connection"]

    let name: String
    let value: String

    init?(argument: String) {
        guard let colon = argument.firstIndex(of: ":") else { return nil }
        let name = argument[..<colon].trimmingCharacters(in: .whitespaces)
        // A token (RFC 9110 §5.6.2): what HTTPWire's encoder accepts as a field name.
        let isToken = !name.isEmpty && name.unicodeScalars.allSatisfy {
            $0.isASCII && (CharacterSet.alphanumerics.contains($0) || "!#$%&'*+-.^_`|~".unicodeScalars.contains($0))
        }
        let value = argument[argument.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        // No control characters: a CR or LF would split the request.
        let isFieldValue = value.unicodeScalars.allSatisfy { $0 == "\t" || ($0.value >= 0x20 && $0.value != 0x7F) }
        guard isToken, isFieldValue, !Self.reservedNames.contains(name.lowercased()) else { return nil }
        self.name = name
        self.value = value
    }
}

extension ArrivalProcess: ExpressibleByArgument {}
