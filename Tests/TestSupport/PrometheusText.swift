/// The metric families a Prometheus text exposition declares (its `# TYPE` lines).
public func prometheusMetricNames(in exposition: String) -> Set<String> {
    Set(exposition.split(separator: "\n").compactMap { line in
        let words = line.split(separator: " ")
        return words.count >= 3 && words[0] == "#" && words[1] == "TYPE" ? String(words[2]) : nil
    })
}

/// The value of the sample written exactly as `series` (name and labels) in an
/// exposition; nil when it is absent.
public func prometheusSample(_ series: String, in exposition: String) -> Double? {
    for line in exposition.split(separator: "\n") where line.hasPrefix(series + " ") {
        return Double(line.dropFirst(series.count + 1).split(separator: " ")[0])
    }
    return nil
}
