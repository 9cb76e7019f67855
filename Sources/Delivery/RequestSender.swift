import NIOCore

/// What replay's drivers need of a client: event loops to run on, and a way
/// to send a request from one of them. `DeliveryClient` is the real one;
/// tests put a fake behind it to drive scheduling, hand-over and completion
/// without sockets.
public protocol RequestSender: Sendable {
    /// The loops requests are sent from; a driver spreads its work over them.
    var loops: [any EventLoop] { get }
    /// Sends `request` from loop `loopIndex`; called on that loop, and
    /// `completion` runs there, once.
    func send(_ request: DeliveryRequest, onLoop loopIndex: Int, completion: @escaping (DeliveryOutcome) -> Void)
}

extension DeliveryClient: RequestSender {}
