import Foundation
import Primitives

/// A line chart drawn as inline SVG (no scripts, no external resources).
struct LineChart {
    struct Series {
        let name: String
        /// A CSS colour.
        let color: String
        /// y may be NaN: the line breaks there (a second without samples).
        let points: [(x: Double, y: Double)]
    }

    enum XAxis {
        /// x is seconds from the run's origin.
        case seconds
        /// x is log10(1 / (1 - percentile)), as HdrHistogram's plots: 1 = 90 %, 2 = 99 %, ...
        case percentileSpectrum
    }

    let title: String
    let xAxis: XAxis
    /// Labels for y ticks (the values are in the series' unit).
    let yLabel: (Double) -> String
    let series: [Series]

    private static let width = 860.0
    private static let height = 300.0
    private static let left = 76.0, right = 16.0, top = 34.0, bottom = 40.0
    private static var plotWidth: Double { width - left - right }
    private static var plotHeight: Double { height - top - bottom }

    func svg() -> String {
        let xs = series.flatMap { $0.points.map(\.x) }.filter(\.isFinite)
        let ys = series.flatMap { $0.points.map(\.y) }.filter(\.isFinite)
        var out = "<svg viewBox=\"0 0 \(Int(Self.width)) \(Int(Self.height))\" width=\"\(Int(Self.width))\" height=\"\(Int(Self.height))\" role=\"img\" aria-label=\"\(HTML.escape(title))\">\n"
        out += "<text x=\"\(Int(Self.left))\" y=\"18\" class=\"title\">\(HTML.escape(title))</text>\n"
        guard !xs.isEmpty, !ys.isEmpty else {
            out += "<text x=\"\(Int(Self.width / 2))\" y=\"\(Int(Self.height / 2))\" text-anchor=\"middle\">no data</text>\n</svg>\n"
            return out
        }
        let xMax: Double
        let xTicks: [(Double, String)]
        switch xAxis {
        case .seconds:
            xMax = max(xs.max()! + 1, 1)
            let step = Self.niceStep(xMax, targetTicks: 8)
            xTicks = stride(from: 0.0, through: xMax, by: step).map { ($0, DecimalText.trimmed($0, significantDigits: 6) + "s") }
        case .percentileSpectrum:
            xMax = max(xs.max()!.rounded(.up), 1)
            xTicks = [(0, "0%"), (log10(2.0), "50%")]
                + (1...Int(xMax)).map { (Double($0), HumanUnits.percent(100 * (1 - pow(10, -Double($0))))) }
        }
        let yStep = Self.niceStep(max(ys.max()!, 1e-9), targetTicks: 5)
        let yMax = max((ys.max()! / yStep).rounded(.up), 1) * yStep

        func px(_ x: Double) -> Double { Self.left + x / xMax * Self.plotWidth }
        func py(_ y: Double) -> Double { Self.top + Self.plotHeight - y / yMax * Self.plotHeight }

        for (y, index) in zip(stride(from: 0.0, through: yMax * 1.000001, by: yStep), 0...) where index <= 20 {
            out += "<line class=\"grid\" x1=\"\(Self.left)\" x2=\"\(Self.width - Self.right)\" y1=\(Self.coordinate(py(y))) y2=\(Self.coordinate(py(y)))/>"
            out += "<text x=\"\(Self.left - 6)\" y=\(Self.coordinate(py(y) + 4)) text-anchor=\"end\">\(HTML.escape(yLabel(y)))</text>\n"
        }
        for (x, label) in xTicks {
            out += "<line class=\"grid\" x1=\(Self.coordinate(px(x))) x2=\(Self.coordinate(px(x))) y1=\"\(Self.top)\" y2=\"\(Self.top + Self.plotHeight)\"/>"
            out += "<text x=\(Self.coordinate(px(x))) y=\"\(Self.height - Self.bottom + 16)\" text-anchor=\"middle\">\(HTML.escape(label))</text>\n"
        }
        out += "<rect class=\"frame\" x=\"\(Self.left)\" y=\"\(Self.top)\" width=\"\(Self.plotWidth)\" height=\"\(Self.plotHeight)\"/>\n"

        var legendX = Self.left + 8
        for line in series {
            out += "<path d=\"\(Self.path(line.points, px, py))\" stroke=\"\(HTML.escape(line.color))\" fill=\"none\" stroke-width=\"1.5\"/>\n"
            out += "<rect x=\(Self.coordinate(legendX)) y=\"\(Self.top + 6)\" width=\"12\" height=\"4\" fill=\"\(HTML.escape(line.color))\"/>"
            out += "<text x=\(Self.coordinate(legendX + 16)) y=\"\(Self.top + 12)\">\(HTML.escape(line.name))</text>\n"
            legendX += 28 + Double(line.name.count) * 7
        }
        return out + "</svg>\n"
    }

    /// `M x y L x y ...`, starting a new run after each NaN.
    private static func path(_ points: [(x: Double, y: Double)], _ px: (Double) -> Double, _ py: (Double) -> Double) -> String {
        var d = ""
        var penDown = false
        for point in points {
            guard point.x.isFinite, point.y.isFinite else { penDown = false; continue }
            d += (penDown ? "L" : "M") + DecimalText.fixed(px(point.x), places: 1) + " " + DecimalText.fixed(py(point.y), places: 1)
            penDown = true
        }
        return d
    }

    private static func coordinate(_ value: Double) -> String { "\"" + DecimalText.fixed(value, places: 1) + "\"" }

    /// 1, 2 or 5 times a power of ten, giving about `targetTicks` steps over `range`.
    static func niceStep(_ range: Double, targetTicks: Int) -> Double {
        let raw = range / Double(targetTicks)
        let magnitude = pow(10, (log10(raw)).rounded(.down))
        let normalized = raw / magnitude
        let factor: Double = normalized <= 1 ? 1 : normalized <= 2 ? 2 : normalized <= 5 ? 5 : 10
        return factor * magnitude
    }
}

enum HTML {
    /// Text safe inside elements and quoted attributes.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for character in text {
            switch character {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(character)
            }
        }
        return out
    }
}
