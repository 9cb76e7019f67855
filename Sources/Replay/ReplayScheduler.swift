import EventModel

/// An event with its send time, as the scheduler receives it.
public struct PacedEvent<Payload> {
    public var payload: Payload
    public var sendTime: SendTime
    /// The job or queue item it concerns, for `--order entity`.
    public var entity: EntityKey?

    public init(payload: Payload, sendTime: SendTime, entity: EntityKey?) {
        self.payload = payload
        self.sendTime = sendTime
        self.entity = entity
    }
}

/// The open-loop schedule as a state machine: given the time, it says what to
/// do next. It never reads a clock or sleeps, so its tests are tables of
/// (time, completions) → actions; the engine's driver thread supplies the time
/// and does the waiting.
///
/// Invariants:
/// - an event is never sent before its send time;
/// - at most `maximumOutstanding` events are sent-or-held at once; when the
///   bound is reached, later events wait, keeping their send time (so their
///   latency counts from it: no coordinated omission);
/// - with `ordersByEntity`, two events of one entity are never in flight
///   together, and they go out in the order they came.
public struct ReplayScheduler<Events: IteratorProtocol<PacedEvent<Payload>>, Payload> {
    public enum Action {
        /// Send `payload` at `intended` (now, or at most `releaseAhead` later);
        /// for `.immediately`, `intended` is the time it was released.
        case send(Payload, intended: Duration, entity: EntityKey?)
        /// Nothing to do before `until`, unless a completion arrives first.
        case wait(until: Duration)
        /// Nothing to do until a completion arrives.
        case waitForCompletion
        /// Every event has been sent and completed.
        case finished
    }

    private var events: Events
    private let maximumOutstanding: Int
    private let ordersByEntity: Bool
    private let stopTime: Duration?
    private let releaseAhead: Duration
    private var head: PacedEvent<Payload>?
    private var isExhausted = false
    /// Sent and not completed, plus held back behind their entity.
    public private(set) var outstanding = 0
    /// Events whose entity had one in flight, by entity, oldest first.
    private var held: [EntityKey: [(event: PacedEvent<Payload>, intended: Duration)]] = [:]
    private var entitiesInFlight: Set<EntityKey> = []
    /// Held events whose predecessor completed: they go out next.
    private var released: [(event: PacedEvent<Payload>, intended: Duration)] = []

    /// - Parameters:
    ///   - stopTime: no event is sent with a send time at or after it
    ///     (`--duration`).
    ///   - releaseAhead: events with a send time are handed out up to this
    ///     long before it (still carrying it), and at least half of it, so the
    ///     engine can arm a precise timer on the event loop instead of waking a
    ///     thread per event.
    public init(events: Events, maximumOutstanding: Int, ordersByEntity: Bool, stopTime: Duration?,
                releaseAhead: Duration = .zero) {
        precondition(maximumOutstanding > 0)
        self.releaseAhead = releaseAhead
        self.events = events
        self.maximumOutstanding = maximumOutstanding
        self.ordersByEntity = ordersByEntity
        self.stopTime = stopTime
    }

    /// Stops taking new events; those sent or held still complete.
    public mutating func stop() {
        isExhausted = true
        head = nil
    }

    public mutating func nextAction(now: Duration) -> Action {
        if !released.isEmpty {
            let next = released.removeFirst()
            return .send(next.event.payload, intended: next.intended, entity: next.event.entity)
        }
        while true {
            if head == nil, !isExhausted {
                head = events.next()
                if head == nil { isExhausted = true }
            }
            guard let event = head else {
                return outstanding == 0 && held.isEmpty ? .finished : .waitForCompletion
            }
            let intended: Duration
            switch event.sendTime {
            case .at(let time):
                if let stopTime, time >= stopTime {
                    stop()
                    continue
                }
                // Wake when the event is half the lead away, then hand out
                // everything within the full lead: one wake-up per half lead
                // at most, not one per event.
                guard time <= now + releaseAhead else { return .wait(until: time - releaseAhead / 2) }
                intended = time
            case .immediately:
                if let stopTime, now >= stopTime {
                    stop()
                    continue
                }
                intended = now
            }
            guard outstanding < maximumOutstanding else { return .waitForCompletion }
            head = nil
            outstanding += 1
            if ordersByEntity, let entity = event.entity {
                if entitiesInFlight.contains(entity) {
                    held[entity, default: []].append((event, intended))
                    continue
                }
                entitiesInFlight.insert(entity)
            }
            return .send(event.payload, intended: intended, entity: event.entity)
        }
    }

    /// Reports that `count` sent events without an entity (or sent while not
    /// ordering by entity) completed.
    public mutating func completed(anonymous count: Int) {
        outstanding -= count
    }

    /// Reports that a sent event (of `entity`) completed.
    public mutating func completed(entity: EntityKey?) {
        outstanding -= 1
        guard ordersByEntity, let entity else { return }
        if var queue = held[entity], !queue.isEmpty {
            released.append(queue.removeFirst())
            held[entity] = queue.isEmpty ? nil : queue
        } else {
            entitiesInFlight.remove(entity)
        }
    }
}
