import Synchronization

/// Requests a server has received and not yet answered, so shutdown can wait
/// for them (the recorder's and the sink's drain).
final class InFlightRequests: Sendable {
    private let count = Atomic<Int>(0)

    func started() { count.add(1, ordering: .relaxed) }
    func finished() { count.subtract(1, ordering: .relaxed) }
    var current: Int { count.load(ordering: .relaxed) }

    /// Waits until none is left or `timeout` passed; returns how many are left.
    func drain(timeout: Duration) async -> Int {
        let deadline = ContinuousClock.now + timeout
        while current > 0 && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(5))
        }
        return current
    }
}
