/// A registered webhook: Orchestrator's `WebhookDto` (docs/orchestrator-webhooks.md §4.4).
public struct Webhook: Sendable, Equatable {
    /// Server-set key in URLs (`Webhooks(Id)`).
    public var id: Int64
    /// A GUID (API v16+).
    public var key: String
    public var name: String
    public var description: String?
    public var url: String
    public var enabled: Bool
    /// Signs deliveries (`X-UiPath-Signature`); none when nil or empty.
    public var secret: String?
    public var subscribeToAllEvents: Bool
    public var allowInsecureSsl: Bool
    /// Event types subscribed to when not `subscribeToAllEvents`.
    public var events: [String]

    public init(id: Int64, key: String, name: String, description: String? = nil, url: String, enabled: Bool,
                secret: String? = nil, subscribeToAllEvents: Bool, allowInsecureSsl: Bool, events: [String]) {
        self.id = id
        self.key = key
        self.name = name
        self.description = description
        self.url = url
        self.enabled = enabled
        self.secret = secret
        self.subscribeToAllEvents = subscribeToAllEvents
        self.allowInsecureSsl = allowInsecureSsl
        self.events = events
    }

    /// Whether an event of `type` goes to this webhook (when enabled).
    public func isSubscribed(to type: String) -> Bool {
        subscribeToAllEvents || events.contains(type)
    }
}

/// The documented `WebhookDto` limits (docs/orchestrator-webhooks.md §4.4). Lengths
/// count UTF-16 code units, as .NET's `string.Length` does.
public enum WebhookLimits {
    public static let maximumNameLength = 128
    public static let maximumDescriptionLength = 256
    public static let maximumUrlLength = 2000
    public static let maximumSecretLength = 100
}
