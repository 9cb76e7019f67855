/// One of `count` parts of an event stream (`--shard INDEX/COUNT`), split by
/// entity so every event of a job or a queue item goes to the same part.
///
/// The split is a fixed function of the event's bytes, the same on every
/// machine, version and run (docs/replay.md, "Sharding"):
/// - the routing key is the job's `Key` for `job.*` events, the queue item's
///   `Key` for `queueItem.*` events, and the `EventId` for any other event (or
///   an entity event without a `Key`); a body with neither is its own key;
/// - the key's UTF-8 bytes are hashed with 64-bit FNV-1a;
/// - the event belongs to shard `hash % count` (indices start at 0, as a
///   Kubernetes Indexed Job numbers its pods).
public struct Shard: Sendable, Hashable, Codable, CustomStringConvertible {
    /// From 0 to `count - 1`.
    public let index: Int
    public let count: Int

    public init(index: Int, count: Int) throws(ShardError) {
        guard count >= 1 else { throw .countOutOfRange(count) }
        guard (0..<count).contains(index) else { throw .indexOutOfRange(index: index, count: count) }
        self.index = index
        self.count = count
    }

    /// `INDEX/COUNT`, as the option takes it.
    public var description: String { "\(index)/\(count)" }

    /// Whether the event with this body (of type `type`, when known) is this shard's.
    public func owns(eventBody body: [UInt8], type: String?) -> Bool {
        count == 1 || owns(routingKey: Self.routingKey(ofEventBody: body, type: type))
    }

    /// As `owns(eventBody:type:)`, for a caller that has found the event's entity already.
    public func owns(eventBody body: [UInt8], entity: EntityKey?) -> Bool {
        count == 1 || owns(routingKey: Self.routingKey(ofEventBody: body, entity: entity))
    }

    /// Whether the event routed by `key` (see `routingKey(ofEventBody:type:)`) is this shard's.
    public func owns(routingKey key: some Collection<UInt8>) -> Bool {
        count == 1 || Self.index(ofRoutingKey: key, count: count) == index
    }

    /// The shard that owns `key` among `count` shards.
    public static func index(ofRoutingKey key: some Collection<UInt8>, count: Int) -> Int {
        Int(fnv1a64(key) % UInt64(count))
    }

    /// The bytes an event is routed by: its entity's `Key`, else its `EventId`,
    /// else the whole body.
    public static func routingKey(ofEventBody body: [UInt8], type: String?) -> [UInt8] {
        routingKey(ofEventBody: body, entity: type.flatMap { EntityKey.entityKey(ofEventBody: body, type: $0) })
    }

    private static func routingKey(ofEventBody body: [UInt8], entity: EntityKey?) -> [UInt8] {
        if let entity { return Array(entity.key.utf8) }
        if let eventId = EventEnvelope(scanning: body)?.eventId { return Array(eventId.utf8) }
        return body
    }

    /// 64-bit FNV-1a: simple enough for a user to recompute in any language.
    static func fnv1a64(_ bytes: some Collection<UInt8>) -> UInt64 {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes {
            hash ^= UInt64(byte)
            hash &*= 0x0000_0100_0000_01b3
        }
        return hash
    }

    enum CodingKeys: String, CodingKey { case index, count }

    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        try self.init(index: container.decode(Int.self, forKey: .index), count: container.decode(Int.self, forKey: .count))
    }
}

/// Why a shard is not one.
public enum ShardError: Error, Sendable, Equatable, CustomStringConvertible {
    case countOutOfRange(Int)
    case indexOutOfRange(index: Int, count: Int)

    public var description: String {
        switch self {
        case .countOutOfRange(let count): "shard count \(count): expected at least 1"
        case .indexOutOfRange(let index, let count): "shard index \(index): expected 0 to \(count - 1) for \(count) shards"
        }
    }
}
