/// How a request failed below HTTP.
public enum ErrorClass: String, Codable, Sendable, CaseIterable {
    case timeout, refused, reset
    /// An answer that was not unambiguous HTTP/1.1.
    case `protocol`
    case other
}

/// What came back for one request: an HTTP status, or a transport error.
public enum RequestOutcome: Sendable, Equatable {
    case status(Int)
    case error(ErrorClass)

    /// A 2xx status; everything else counts towards the error ratio.
    public var isSuccess: Bool {
        if case .status(let code) = self { return (200..<300).contains(code) }
        return false
    }
}

/// One request's timing; all instants are offsets from the run's origin.
///
/// latency = completed - intended (measured from the schedule, so a stalled
/// sender cannot hide queueing: no coordinated omission), service time =
/// completed - sent, schedule lag = sent - intended. Negative values are clamped to 0.
public struct RequestSample: Sendable {
    /// Scheduled send time.
    public var intended: Duration
    /// Actual send time; later than `intended` when the sender lags the schedule.
    public var sent: Duration
    /// Time the response completed or the error occurred.
    public var completed: Duration
    public var outcome: RequestOutcome
    public var bytesSent: Int
    public var bytesReceived: Int

    public init(intended: Duration, sent: Duration, completed: Duration, outcome: RequestOutcome,
                bytesSent: Int, bytesReceived: Int) {
        self.intended = intended
        self.sent = sent
        self.completed = completed
        self.outcome = outcome
        self.bytesSent = bytesSent
        self.bytesReceived = bytesReceived
    }
}

