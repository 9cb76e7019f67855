import Replay

/// Events handed out in order, as a recording's reader would.
final class ListedEvents: ReplayEventSource {
    private var remaining: ArraySlice<SourceEvent>
    init(_ events: [SourceEvent]) { remaining = events[...] }
    func next() -> SourceEvent? { remaining.popFirst() }
    var skippedRecords: Int { 0 }
}
