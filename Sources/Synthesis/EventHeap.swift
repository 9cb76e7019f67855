/// A binary min-heap of pending work ordered by (time, sequence): the storm's
/// agenda. The sequence number breaks ties in insertion order, which keeps the
/// output deterministic and keeps one entity's same-time events in the order
/// they were scheduled.
struct EventHeap<Element: Sendable>: Sendable {
    private struct Entry: Sendable {
        let time: Int64
        let sequence: UInt64
        let element: Element

        func precedes(_ other: Entry) -> Bool {
            time != other.time ? time < other.time : sequence < other.sequence
        }
    }

    private var entries: [Entry] = []
    private var nextSequence: UInt64 = 0

    var count: Int { entries.count }

    mutating func push(_ element: Element, at time: Int64) {
        entries.append(Entry(time: time, sequence: nextSequence, element: element))
        nextSequence += 1
        var child = entries.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            guard entries[child].precedes(entries[parent]) else { break }
            entries.swapAt(child, parent)
            child = parent
        }
    }

    mutating func popMin() -> (time: Int64, element: Element)? {
        guard !entries.isEmpty else { return nil }
        entries.swapAt(0, entries.count - 1)
        let top = entries.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            guard left < entries.count else { break }
            let right = left + 1
            let smaller = right < entries.count && entries[right].precedes(entries[left]) ? right : left
            guard entries[smaller].precedes(entries[parent]) else { break }
            entries.swapAt(parent, smaller)
            parent = smaller
        }
        return (top.time, top.element)
    }

    mutating func removeAll() { entries.removeAll() }
}
